package org.sparktrain.driver.train.state;

/**
 * How often a run went back after diverging ({@code train.onDivergence}), and the factor its
 * learning rate now carries: the spec's rate times {@code learningRateScale}.
 */
public record Rollbacks(int count, double learningRateScale) {
  public static final Rollbacks NONE = new Rollbacks(0, 1);

  /** One rollback more, the learning rate lowered by {@code factor} once more. */
  public Rollbacks next(double factor) {
    return new Rollbacks(count + 1, learningRateScale * factor);
  }
}
