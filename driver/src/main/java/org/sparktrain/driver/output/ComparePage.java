package org.sparktrain.driver.output;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;

/**
 * Renders {@code compare.html}: runs side by side (see {@link HtmlPages} for how a page is
 * made). The page shows the differing spec keys and the results as tables, best value per row
 * marked, and overlays the runs' training loss, validation metrics and throughput.
 */
public final class ComparePage {
  static final String TEMPLATE = "compare-template.html";

  /**
   * @param values one per run, in run order; null where a run has none
   * @param better {@code higher} or {@code lower} where a best value makes sense, else null
   */
  public record Row(String name, List<Object> values, String better) {}

  /** One run's column and curves. */
  public record Run(String label, String uri, String status, List<RoundMetrics> history) {}

  private ComparePage() {}

  public static String render(List<Run> runs, List<Row> specDifferences, List<Row> results) {
    ObjectNode data = Json.MAPPER.createObjectNode();
    ArrayNode runNodes = data.putArray("runs");
    for (Run r : runs) {
      ObjectNode node = runNodes.addObject();
      node.put("label", r.label());
      node.put("uri", r.uri());
      node.put("status", r.status());
      node.set("series", Json.MAPPER.valueToTree(RoundSeries.of(r.history())));
    }
    data.set("spec", Json.MAPPER.valueToTree(specDifferences));
    data.set("results", Json.MAPPER.valueToTree(results));
    return HtmlPages.render(TEMPLATE, data);
  }

  /** A cell as text: numbers with 4 significant digits (integers whole), "-" for none. */
  public static String format(Object value) {
    if (value == null) {
      return "-";
    }
    if (value instanceof Long || value instanceof Integer) {
      return String.format("%,d", ((Number) value).longValue());
    }
    if (value instanceof Double d) {
      if (!Double.isFinite(d)) {
        return String.valueOf(d);
      }
      if (d == Math.rint(d) && Math.abs(d) < 1e15) {
        return String.format("%,d", d.longValue());
      }
      return new BigDecimal(d).round(new MathContext(4)).stripTrailingZeros()
          .toPlainString();
    }
    return value.toString();
  }
}
