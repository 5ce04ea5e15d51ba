package org.sparktrain.driver.data;

/** Input that cannot be used under the spec's bad-record policy; names the file and line. */
public class BadRecordException extends RuntimeException {
  public BadRecordException(String message) {
    super(message);
  }
}
