package org.sparktrain.driver.train;

/**
 * Training produced a loss or parameters that are not finite (NaN or infinity): the run stops
 * before anything from that round on is checkpointed or saved, and the checkpoints written
 * before it stay as they are.
 */
public final class DivergenceException extends RuntimeException {
  private final long round;

  DivergenceException(long round, String message) {
    super(message);
    this.round = round;
  }

  /** The first round whose loss or averaged parameters were not finite. */
  public long round() {
    return round;
  }
}
