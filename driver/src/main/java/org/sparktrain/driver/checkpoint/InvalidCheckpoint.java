package org.sparktrain.driver.checkpoint;

/**
 * A checkpoint that cannot be loaded; the message names the file at fault. Checked, so that it
 * is told apart from a store that failed to answer (any other IOException).
 */
final class InvalidCheckpoint extends Exception {
  private static final long serialVersionUID = 1L;

  InvalidCheckpoint(String problem) {
    super(problem);
  }
}
