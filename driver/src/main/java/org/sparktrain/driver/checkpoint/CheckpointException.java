package org.sparktrain.driver.checkpoint;

/** A checkpoint that cannot be written, read or resumed from; the message says which and why. */
public class CheckpointException extends RuntimeException {
  public CheckpointException(String message) {
    super(message);
  }

  public CheckpointException(String message, Throwable cause) {
    super(message, cause);
  }
}
