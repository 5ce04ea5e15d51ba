package org.sparktrain.driver.spec.keys;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The key reference written from {@link SpecKeys}: as text for {@code sparktrain spec keys},
 * and as the Markdown table between {@link #BEGIN} and {@link #END} in the README (a test
 * rewrites it and fails when the committed README differs).
 */
public final class KeyReference {
  public static final String BEGIN = "<!-- spec keys: generated from SpecKeys, do not edit -->";
  public static final String END = "<!-- end of spec keys -->";

  private KeyReference() {}

  /** Each key as two lines: path, type and default; then its doc, indented. */
  public static String text(List<SpecKey> keys) {
    StringBuilder out = new StringBuilder();
    for (SpecKey key : keys) {
      out.append(key.path()).append("  (").append(key.describeType());
      String defaultValue = defaultText(key);
      if (!defaultValue.isEmpty()) {
        out.append("; default ").append(defaultValue);
      }
      out.append(")\n    ").append(key.doc()).append('\n');
    }
    return out.toString();
  }

  /** The README's table, markers included, ending with a newline. */
  public static String markdown() {
    StringBuilder out = new StringBuilder(BEGIN).append('\n');
    out.append("| key | type | default | since | what it does |\n");
    out.append("|---|---|---|---|---|\n");
    for (SpecKey key : SpecKeys.all()) {
      String path = key.type() == SpecKey.Type.SECTION ? "**`" + key.path() + "`**"
          : "`" + key.path() + "`";
      String defaultValue = defaultText(key);
      out.append("| ").append(path)
          .append(" | ").append(cell(key.describeType()))
          .append(" | ").append(defaultValue.isEmpty() ? "" : "`" + cell(defaultValue) + "`")
          .append(" | ").append(key.since())
          .append(" | ").append(cell(key.doc())).append(" |\n");
    }
    return out.append(END).append('\n').toString();
  }

  /** The default as a spec would write it; empty when there is none. */
  static String defaultText(SpecKey key) {
    Object value = key.defaultValue();
    if (value == null) {
      return "";
    }
    if (value instanceof List<?> list) {
      return list.stream().map(SpecKey::format).collect(Collectors.joining(", ", "[", "]"));
    }
    return SpecKey.format(value);
  }

  /** A Markdown table cell: a | would end it. */
  private static String cell(String text) {
    return text.replace("|", "\\|");
  }
}
