package org.sparktrain.worker.data;

import java.io.Serializable;

/**
 * Parses one LibSVM line: {@code label index:value index:value ...} with 1-based, ascending
 * feature indices. Missing features are zero.
 */
public final class LibSvmLineParser implements Serializable {
  private final int numFeatures;
  private final LabelRule labelRule;

  public LibSvmLineParser(int numFeatures, LabelRule labelRule) {
    if (numFeatures < 1) {
      throw new IllegalArgumentException("numFeatures must be >= 1, got " + numFeatures);
    }
    this.numFeatures = numFeatures;
    this.labelRule = labelRule;
  }

  public ParsedRecord parse(String line, int fileIndex, long lineNumber) {
    String[] tokens = line.trim().split("\\s+");
    if (tokens.length == 0 || tokens[0].isEmpty()) {
      return ParsedRecord.bad(fileIndex, lineNumber, DropReason.WRONG_COLUMN_COUNT,
          "empty record: expected 'label index:value ...'");
    }
    double label;
    try {
      label = Double.parseDouble(tokens[0]);
    } catch (NumberFormatException e) {
      return ParsedRecord.bad(fileIndex, lineNumber, DropReason.UNPARSABLE_NUMBER,
          "label is not a number: '" + CsvLineParser.abbreviate(tokens[0]) + "'");
    }
    if (!Double.isFinite(label)) {
      return ParsedRecord.bad(fileIndex, lineNumber, DropReason.NON_FINITE,
          "label is " + tokens[0] + " (only finite numbers are allowed)");
    }
    float[] features = new float[numFeatures];
    for (int t = 1; t < tokens.length; t++) {
      String token = tokens[t];
      int colon = token.indexOf(':');
      if (colon <= 0) {
        return ParsedRecord.bad(fileIndex, lineNumber, DropReason.UNPARSABLE_NUMBER,
            "token " + (t + 1) + " is not 'index:value': '" + CsvLineParser.abbreviate(token) + "'");
      }
      int index;
      double value;
      try {
        index = Integer.parseInt(token.substring(0, colon));
        value = Double.parseDouble(token.substring(colon + 1));
      } catch (NumberFormatException e) {
        return ParsedRecord.bad(fileIndex, lineNumber, DropReason.UNPARSABLE_NUMBER,
            "token " + (t + 1) + " is not 'index:value': '" + CsvLineParser.abbreviate(token) + "'");
      }
      if (index < 1 || index > numFeatures) {
        return ParsedRecord.bad(fileIndex, lineNumber, DropReason.FEATURE_INDEX_OUT_OF_RANGE,
            "feature index " + index + " is outside 1.." + numFeatures + " (data.numFeatures)");
      }
      if (!Double.isFinite(value)) {
        return ParsedRecord.bad(fileIndex, lineNumber, DropReason.NON_FINITE,
            "feature " + index + " is " + value + " (only finite numbers are allowed)");
      }
      features[index - 1] = (float) value;
    }
    String labelProblem = labelRule.violation(label);
    if (labelProblem != null) {
      return ParsedRecord.bad(fileIndex, lineNumber, DropReason.LABEL_OUT_OF_RANGE, labelProblem);
    }
    return ParsedRecord.ok(fileIndex, lineNumber, features, label);
  }
}
