package org.sparktrain.driver.output;

/** A run directory this run may not write into; the message says why and what to do. */
public class RunDirectoryException extends RuntimeException {
  public RunDirectoryException(String message) {
    super(message);
  }
}
