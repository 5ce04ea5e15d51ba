package org.sparktrain.driver.cli;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Finds the sentence a user needs in an exception chain. Spark wraps task failures in layers of
 * "Job aborted due to stage failure ..."; the cause our code raised says what is wrong. A wrapper
 * of ours that ends with its cause's message ("model.zip: configuration.json is refused: " +
 * message) adds where it happened, so it is kept instead of the cause.
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
      if (t.getMessage() != null && !t.getMessage().isBlank() && !quotes(deepest, t)) {
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
    String line = firstLine(message);
    return line.length() <= MAX_CHARS ? line : line.substring(0, MAX_CHARS) + "... (cut at "
        + MAX_CHARS + " characters)";
  }

  /**
   * Whether {@code wrapper} ends with its cause's message, adding where it happened. Spark's
   * stage failures quote the cause's toString (class name first): those are not kept.
   */
  private static boolean quotes(Throwable wrapper, Throwable cause) {
    if (wrapper == cause || wrapper.getMessage() == null) {
      return false;
    }
    String outer = firstLine(wrapper.getMessage());
    String inner = firstLine(cause.getMessage());
    return outer.endsWith(": " + inner) && !outer.endsWith(cause.getClass().getName() + ": "
        + inner);
  }

  private static String firstLine(String message) {
    int newline = message.indexOf('\n');
    return newline > 0 ? message.substring(0, newline) : message;
  }
}
