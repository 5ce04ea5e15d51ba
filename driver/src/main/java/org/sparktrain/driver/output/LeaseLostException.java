package org.sparktrain.driver.output;

/**
 * This run's lease on its run directory was taken over by another run: it must stop writing
 * there at once. Never retried: another attempt would write over the other run's files.
 */
public final class LeaseLostException extends RunDirectoryException {
  public LeaseLostException(String message) {
    super(message);
  }
}
