package org.sparktrain.driver.data;

import java.util.Locale;

/** What counts as a missing table value, and how text holding a number is read. */
final class TableValues {
  private TableValues() {}

  /** null, NaN, or text that is empty, NA or NaN (any case): the missing values. */
  static boolean isMissing(Object v) {
    if (v == null) {
      return true;
    }
    if (v instanceof Double d) {
      return d.isNaN();
    }
    if (v instanceof String s) {
      String t = s.trim();
      return t.isEmpty() || t.equalsIgnoreCase("NA") || t.equalsIgnoreCase("NaN");
    }
    return false;
  }

  /** The number a text holds, or null when it holds none. */
  static Double parse(String s) {
    try {
      return Double.parseDouble(s.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** A missing value as a message shows it. */
  static String describe(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof String s) {
      return s.isBlank() ? "empty" : abbreviate(s.trim());
    }
    return v.toString().toLowerCase(Locale.ROOT).equals("nan") ? "NaN" : v.toString();
  }

  static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }
}
