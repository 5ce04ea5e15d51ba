package org.sparktrain.worker.data;

import java.io.Serializable;
import java.util.List;
import org.sparktrain.worker.text.CsvFields;

/**
 * Parses one CSV line of numbers, one of which (the label column) is the label. Fields are split
 * by {@link CsvFields} (RFC 4180: a number may be quoted); every field must then be a plain
 * number.
 */
public final class CsvLineParser implements Serializable {
  private final int expectedColumns;
  private final int labelColumn;
  private final LabelRule labelRule;

  /**
   * @param expectedColumns number of fields every line must have (features + 1)
   * @param labelColumn index of the label field; negative counts from the end (-1 = last)
   */
  public CsvLineParser(int expectedColumns, int labelColumn, LabelRule labelRule) {
    if (expectedColumns < 2) {
      throw new IllegalArgumentException(
          "a CSV record needs at least 2 columns (features and a label), got " + expectedColumns);
    }
    int resolved = labelColumn < 0 ? expectedColumns + labelColumn : labelColumn;
    if (resolved < 0 || resolved >= expectedColumns) {
      throw new IllegalArgumentException(
          "labelColumn " + labelColumn + " is outside the " + expectedColumns + " columns");
    }
    this.expectedColumns = expectedColumns;
    this.labelColumn = resolved;
    this.labelRule = labelRule;
  }

  /** The columns of a line, as {@link CsvFields#count} counts them. */
  public static int countColumns(String line) {
    return CsvFields.count(line);
  }

  public ParsedRecord parse(String line, int fileIndex, long lineNumber) {
    // Counted before splitting: a line of a million empty columns allocates nothing.
    int columns = CsvFields.count(line);
    if (columns != expectedColumns) {
      return ParsedRecord.bad(fileIndex, lineNumber, DropReason.WRONG_COLUMN_COUNT,
          "expected " + expectedColumns + " columns, found " + columns);
    }
    List<String> fields = CsvFields.split(line);
    if (fields == null) {
      return ParsedRecord.bad(fileIndex, lineNumber, DropReason.UNPARSABLE_NUMBER,
          "column " + expectedColumns + " opens a quote that is never closed");
    }
    float[] features = new float[expectedColumns - 1];
    double label = 0;
    int f = 0;
    for (int c = 0; c < fields.size(); c++) {
      double value;
      String text = fields.get(c).trim();
      try {
        value = Double.parseDouble(text);
      } catch (NumberFormatException e) {
        return ParsedRecord.bad(fileIndex, lineNumber, DropReason.UNPARSABLE_NUMBER,
            "column " + (c + 1) + " is not a number: '" + abbreviate(text) + "'");
      }
      if (!Double.isFinite(value)) {
        return ParsedRecord.bad(fileIndex, lineNumber, DropReason.NON_FINITE,
            "column " + (c + 1) + " is " + text + " (only finite numbers are allowed)");
      }
      if (c == labelColumn) {
        label = value;
      } else {
        features[f++] = (float) value;
      }
    }
    String labelProblem = labelRule.violation(label);
    if (labelProblem != null) {
      return ParsedRecord.bad(fileIndex, lineNumber, DropReason.LABEL_OUT_OF_RANGE, labelProblem);
    }
    return ParsedRecord.ok(fileIndex, lineNumber, features, label);
  }

  static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }
}
