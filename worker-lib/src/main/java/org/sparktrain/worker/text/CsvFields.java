package org.sparktrain.worker.text;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits one CSV line into fields the RFC 4180 way: a field may be quoted, a quoted field may
 * hold commas, and a doubled quote inside it is one quote. A record must fit on one line (text
 * with line breaks is not supported). The one CSV splitter: numeric tables
 * ({@code CsvLineParser}) and text-and-label files alike.
 */
public final class CsvFields {
  private CsvFields() {}

  /**
   * How many fields {@code line} has, without allocating anything: a line of a million empty
   * columns costs a scan. A quote left open runs to the end of the line.
   */
  public static int count(String line) {
    int count = 1;
    boolean quoted = false;
    boolean atFieldStart = true;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          i++; // a doubled quote is a quote inside the field
        } else if (c == '"') {
          quoted = false;
        }
      } else if (c == '"' && atFieldStart) {
        quoted = true;
        atFieldStart = false;
      } else if (c == ',') {
        count++;
        atFieldStart = true;
      } else {
        atFieldStart = false;
      }
    }
    return count;
  }

  /** The fields of {@code line}, unquoted; null when a quote is left open. */
  public static List<String> split(String line) {
    if (line.indexOf('"') < 0) {
      return splitPlain(line);
    }
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

  /** A line without quotes, the common case of numeric tables: substrings, no copying twice. */
  private static List<String> splitPlain(String line) {
    List<String> fields = new ArrayList<>();
    int from = 0;
    for (int comma = line.indexOf(','); comma >= 0; comma = line.indexOf(',', from)) {
      fields.add(line.substring(from, comma));
      from = comma + 1;
    }
    fields.add(line.substring(from));
    return fields;
  }
}
