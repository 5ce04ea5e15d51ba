package org.sparktrain.worker.data;

import java.io.Serializable;

/**
 * What a valid label is. Classification labels are integers in [0, numClasses); regression labels
 * are any finite number.
 */
public record LabelRule(boolean classification, int numClasses) implements Serializable {

  public static LabelRule classes(int numClasses) {
    if (numClasses < 2) {
      throw new IllegalArgumentException("numClasses must be >= 2, got " + numClasses);
    }
    return new LabelRule(true, numClasses);
  }

  public static LabelRule regression() {
    return new LabelRule(false, 0);
  }

  /** Returns null when the label is allowed, else a sentence saying what is allowed. */
  public String violation(double label) {
    if (!classification) {
      return null;
    }
    if (label != Math.rint(label) || label < 0 || label >= numClasses) {
      return "label " + format(label) + " is not an integer class in [0, " + numClasses + ")";
    }
    return null;
  }

  private static String format(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }
}
