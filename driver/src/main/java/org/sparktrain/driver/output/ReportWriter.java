package org.sparktrain.driver.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Renders {@code report.html}: one static page that works offline. The page is a fixed template
 * (inline CSS, and inline JS that draws the charts as SVG); the run's data goes into it as one
 * JSON block, so nothing from the spec or the data is ever written into the page as markup.
 */
public final class ReportWriter {
  static final String TEMPLATE = "report-template.html";
  static final String DATA_PLACEHOLDER = "@@REPORT_DATA_JSON@@";

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
      return java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
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
    data.set("summary", finiteOrNull(Json.MAPPER.valueToTree(summary)));
    data.set("series", Json.MAPPER.valueToTree(RoundSeries.of(history)));
    data.put("spec", specYaml);
    return template().replace(DATA_PLACEHOLDER, scriptSafe(Json.line(data)));
  }

  /**
   * JSON that an HTML parser cannot break out of: inside a script element, "</script", "<!--"
   * and "<script" change the tokenizer's state, and all of them start with '<'. "\u003c" is the
   * same character to JSON.parse, so every '<' is written that way.
   */
  static String scriptSafe(String json) {
    return json.replace("<", "\\u003c");
  }

  /** JSON has no NaN or Infinity; Jackson would write them as strings, which charts misread. */
  private static JsonNode finiteOrNull(JsonNode node) {
    if (node.isObject()) {
      ObjectNode object = (ObjectNode) node;
      for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        e.setValue(finiteOrNull(e.getValue()));
      }
    } else if (node.isArray()) {
      ArrayNode array = (ArrayNode) node;
      for (int i = 0; i < array.size(); i++) {
        array.set(i, finiteOrNull(array.get(i)));
      }
    } else if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
      return NullNode.getInstance();
    }
    return node;
  }

  private static String template() {
    try (InputStream in = ReportWriter.class.getResourceAsStream(TEMPLATE)) {
      if (in == null) {
        throw new IllegalStateException("report template " + TEMPLATE + " is missing from "
            + "the classpath (package org.sparktrain.driver.output)");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read report template " + TEMPLATE, e);
    }
  }
}
