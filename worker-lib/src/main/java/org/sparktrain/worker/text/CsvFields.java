package org.sparktrain.worker.text;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits one CSV line into fields the RFC 4180 way: a field may be quoted, a quoted field may
 * hold commas, and a doubled quote inside it is one quote. A record must fit on one line (text
 * with line breaks is not supported).
 */
public final class CsvFields {
  private CsvFields() {}

  /** The fields of {@code line}, unquoted; null when a quote is left open. */
  public static List<String> split(String line) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    boolean atFieldStart = true;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == '"' && atFieldStart) {
        quoted = true;
        atFieldStart = false;
      } else if (c == ',') {
        fields.add(field.toString());
        field.setLength(0);
        atFieldStart = true;
      } else {
        field.append(c);
        atFieldStart = false;
      }
    }
    if (quoted) {
      return null;
    }
    fields.add(field.toString());
    return fields;
  }
}
