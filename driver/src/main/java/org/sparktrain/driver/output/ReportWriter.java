package org.sparktrain.driver.output;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * Renders {@code report.html}: one static page that works offline, made as every sparktrain
 * page is (see {@link HtmlPages}): a fixed template and the run's data as one JSON block.
 */
public final class ReportWriter {
  static final String TEMPLATE = "report-template.html";
  static final String DATA_PLACEHOLDER = HtmlPages.DATA_PLACEHOLDER;

  private ReportWriter() {}

  /**
   * When a report was drawn and what the run was doing then.
   *
   * @param status {@code running}, {@code finished} or {@code failed}
   * @param rounds rounds trained when it was drawn
   * @param drawnAt UTC time, ISO-8601
   * @param error why the run failed, else null
   */
  public record State(String status, long rounds, String drawnAt, String error) {
    public static State running(long rounds) {
      return new State("running", rounds, now(), null);
    }

    public static State finished(long rounds) {
      return new State("finished", rounds, now(), null);
    }

    public static State failed(long rounds, String error) {
      return new State("failed", rounds, now(), error);
    }

    private static String now() {
      return Instant.now().truncatedTo(ChronoUnit.SECONDS)
          .toString();
    }
  }

  /**
   * @param summary what summary.json holds (test metrics, records, throughput, optional backend)
   * @param history every round's metrics, in order
   * @param specYaml the resolved spec
   */
  public static String render(Map<String, Object> summary, List<RoundMetrics> history,
      String specYaml) {
    return render(summary, history, specYaml, null);
  }

  /**
   * As {@link #render(Map, List, String)}, saying when the page was drawn and whether the run
   * was still going then.
   *
   * @param state null for a page that says nothing about it
   */
  public static String render(Map<String, Object> summary, List<RoundMetrics> history,
      String specYaml, State state) {
    ObjectNode data = Json.MAPPER.createObjectNode();
    if (state != null) {
      data.set("state", Json.MAPPER.valueToTree(state));
    }
    data.set("summary", Json.MAPPER.valueToTree(summary));
    data.set("series", Json.MAPPER.valueToTree(RoundSeries.of(history)));
    data.put("spec", specYaml);
    return HtmlPages.render(TEMPLATE, data);
  }
}
