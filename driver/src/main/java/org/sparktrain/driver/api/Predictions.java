package org.sparktrain.driver.api;

import java.util.Arrays;
import java.util.Locale;

/**
 * What a model predicts for a batch of rows, in input order: for classification the predicted
 * class and the class probabilities of each row (one column, p(1), for the logistic model); for
 * regression the predicted value.
 */
public final class Predictions {
  private static final int SHOWN_ROWS = 5;

  private final boolean classification;
  private final int[] classes;
  private final double[][] outputs;

  Predictions(boolean classification, int[] classes, double[][] outputs) {
    this.classification = classification;
    this.classes = classes;
    this.outputs = outputs;
  }

  public int size() {
    return outputs.length;
  }

  public int[] classes() {
    requireClassification("classes()");
    return classes.clone();
  }

  /** One row per input row, one column per class (p(1) only for the logistic model). */
  public double[][] probabilities() {
    requireClassification("probabilities()");
    return copy(outputs);
  }

  public double[] values() {
    if (classification) {
      throw new IllegalStateException("values(): this is a classification model; use classes() "
          + "or probabilities()");
    }
    return Arrays.stream(outputs).mapToDouble(row -> row[0]).toArray();
  }

  private void requireClassification(String method) {
    if (!classification) {
      throw new IllegalStateException(method + ": this is a regression model; use values()");
    }
  }

  private static double[][] copy(double[][] rows) {
    return Arrays.stream(rows).map(double[]::clone).toArray(double[][]::new);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Predictions[").append(size()).append(" rows: ");
    for (int i = 0; i < Math.min(size(), SHOWN_ROWS); i++) {
      sb.append(i == 0 ? "" : ", ");
      if (!classification) {
        sb.append(String.format(Locale.ROOT, "%.4g", outputs[i][0]));
      } else {
        double p = outputs[i].length == 1 && classes[i] == 0 ? 1 - outputs[i][0]
            : outputs[i][outputs[i].length == 1 ? 0 : classes[i]];
        sb.append(String.format(Locale.ROOT, "%d (p=%.2f)", classes[i], p));
      }
    }
    return sb.append(size() > SHOWN_ROWS ? ", ...]" : "]").toString();
  }
}
