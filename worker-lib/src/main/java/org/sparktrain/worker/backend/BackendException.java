package org.sparktrain.worker.backend;

/** The backend asked for is not the one this JVM can run; the message says what to change. */
public final class BackendException extends RuntimeException {
  public BackendException(String message) {
    super(message);
  }
}
