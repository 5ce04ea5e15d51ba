package org.sparktrain.driver.output;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * Renders {@code audit.html} from what audit.json holds (see {@link HtmlPages} for how a page
 * is made): the attack's ROC curve on a log-scale false-positive axis, and its numbers as a
 * table beside the accountant's epsilon.
 */
public final class AuditPage {
  static final String TEMPLATE = "audit-template.html";

  private AuditPage() {}

  public static String render(Map<String, Object> audit) {
    ObjectNode data = Json.MAPPER.createObjectNode();
    data.set("audit", Json.MAPPER.valueToTree(audit));
    return HtmlPages.render(TEMPLATE, data);
  }
}
