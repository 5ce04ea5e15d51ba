package org.sparktrain.driver.spec;

/** A job spec that cannot run; the message names the key path, the bad value and what is allowed. */
public class SpecException extends RuntimeException {
  public SpecException(String message) {
    super(message);
  }
}
