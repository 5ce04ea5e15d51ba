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
import java.util.Map;

/**
 * How sparktrain's HTML pages (report.html, compare.html) are made: a fixed template from the
 * classpath (inline CSS, and inline JS that draws everything), the shared styles
 * ({@value #CSS}) and drawing helpers ({@value #CHARTS}) inlined into it, and the page's data as
 * one JSON block. Nothing
 * from a spec, a run or the data is ever written into a page as markup, and a page needs no
 * network (its Content-Security-Policy forbids it).
 */
final class HtmlPages {
  static final String DATA_PLACEHOLDER = "@@PAGE_DATA_JSON@@";
  static final String CHARTS_PLACEHOLDER = "@@CHARTS_JS@@";
  static final String CHARTS = "charts.js";
  static final String CSS_PLACEHOLDER = "@@PAGE_CSS@@";
  static final String CSS = "page.css";

  private HtmlPages() {}

  /** The template with the drawing helpers and {@code data} filled in. */
  static String render(String template, ObjectNode data) {
    // Styles and helpers first: the data, inserted last, is never searched for a placeholder.
    return resource(template).replace(CSS_PLACEHOLDER, resource(CSS))
        .replace(CHARTS_PLACEHOLDER, resource(CHARTS))
        .replace(DATA_PLACEHOLDER, scriptSafe(Json.line(finiteOrNull(data))));
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
  static JsonNode finiteOrNull(JsonNode node) {
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

  private static String resource(String name) {
    try (InputStream in = HtmlPages.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("page resource " + name + " is missing from the "
            + "classpath (package org.sparktrain.driver.output)");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read page resource " + name, e);
    }
  }
}
