package org.sparktrain.driver.output;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * Renders {@code explain.html} from what explain.json holds (see {@link HtmlPages} for how a
 * page is made): permutation importance as bars with their confidence intervals, and each
 * explained row's attributions.
 */
public final class ExplainPage {
  static final String TEMPLATE = "explain-template.html";

  private ExplainPage() {}

  public static String render(Map<String, Object> explanation) {
    ObjectNode data = Json.MAPPER.createObjectNode();
    data.set("explain", Json.MAPPER.valueToTree(explanation));
    return HtmlPages.render(TEMPLATE, data);
  }
}
