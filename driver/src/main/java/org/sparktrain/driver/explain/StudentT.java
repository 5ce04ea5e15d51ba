package org.sparktrain.driver.explain;

/** The Student t distribution's 97.5% quantile, for 95% confidence intervals of a mean. */
final class StudentT {
  /** Degrees of freedom 1..30; beyond, the normal's 1.96 is within 2%. */
  private static final double[] Q975 = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306,
      2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080,
      2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};

  private StudentT() {}

  static double quantile975(int degreesOfFreedom) {
    return degreesOfFreedom <= Q975.length ? Q975[degreesOfFreedom - 1] : 1.96;
  }
}
