package org.sparktrain.driver.cli;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Finds the sentence a user needs in an exception chain. Spark wraps task failures in layers of
 * "Job aborted due to stage failure ..."; the cause our code raised says what is wrong.
 */
final class ErrorMessages {
  /**
   * A message may quote a user's value; past this it is cut, so that a value built to expand
   * (YAML aliases, a megabyte line) cannot flood the terminal or the heap that prints it.
   */
  static final int MAX_CHARS = 2000;

  private ErrorMessages() {}

  static String describe(Throwable e) {
    Throwable deepest = e;
    Set<Throwable> seen = new LinkedHashSet<>();
    for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        deepest = t;
      }
    }
    String message = deepest.getMessage();
    if (message == null) {
      return deepest.getClass().getSimpleName();
    }
    if (!(deepest instanceof RuntimeException || deepest instanceof java.io.IOException)
        || deepest.getClass().getName().startsWith("java.io.NotSerializable")) {
      message = deepest.getClass().getSimpleName() + ": " + message;
    }
    // Spark task failures carry the remote stack trace in the message; keep the first line.
    int newline = message.indexOf('\n');
    String line = newline > 0 ? message.substring(0, newline) : message;
    return line.length() <= MAX_CHARS ? line : line.substring(0, MAX_CHARS) + "... (cut at "
        + MAX_CHARS + " characters)";
  }
}
