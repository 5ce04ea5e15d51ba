package org.sparktrain.worker.eval;

import java.io.Serializable;
import java.util.Map;

/** Either classification or regression metrics of one evaluation, plus the mean loss. */
public record EvalResult(ClassificationMetrics classification, RegressionMetrics regression)
    implements Serializable {

  public static EvalResult empty(boolean classification, int numClasses) {
    return classification
        ? new EvalResult(new ClassificationMetrics(numClasses), null)
        : new EvalResult(null, new RegressionMetrics());
  }

  public EvalResult merge(EvalResult other) {
    if (classification != null) {
      classification.merge(other.classification);
    } else {
      regression.merge(other.regression);
    }
    return this;
  }

  public long count() {
    return classification != null ? classification.total() : regression.count();
  }

  public Map<String, Double> scalars() {
    return classification != null ? classification.scalars() : regression.scalars();
  }
}
