package org.sparktrain.driver.cli;

import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Pattern;

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
  /** A line of a (remote) stack trace: a frame, a cause, an elision, Spark's trace header. */
  private static final Pattern STACK_TRACE_LINE = Pattern.compile(
      "\\s+at |Caused by: |Suppressed: |\\s*\\.\\.\\. \\d+ more|Driver stacktrace:");

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
    if (!(deepest instanceof RuntimeException || deepest instanceof IOException)
        || deepest.getClass().getName().startsWith("java.io.NotSerializable")) {
      message = deepest.getClass().getSimpleName() + ": " + message;
    }
    // Spark task failures carry the remote stack trace in the message: cut it there, but keep
    // every line before it (a spec's mistakes come one per line).
    String text = beforeStackTrace(message);
    return text.length() <= MAX_CHARS ? text : text.substring(0, MAX_CHARS) + "... (cut at "
        + MAX_CHARS + " characters)";
  }

  /** The message up to its first line that belongs to a stack trace, trailing blanks dropped. */
  static String beforeStackTrace(String message) {
    StringBuilder kept = new StringBuilder();
    for (String line : message.split("\n", -1)) {
      if (STACK_TRACE_LINE.matcher(line).lookingAt()) {
        break;
      }
      kept.append(line).append('\n');
    }
    return kept.toString().stripTrailing();
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
