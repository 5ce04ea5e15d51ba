package org.sparktrain.driver.cli;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParseResult;

/**
 * The one line for the {@code Error}s a user's input can provoke: a structure nested deeper than
 * the thread's stack ({@link StackOverflowError}) or a size beyond the heap
 * ({@link OutOfMemoryError}). Neither is an {@code Exception}, so picocli's handler never sees
 * them; without this they ended the JVM with a thousand-line trace.
 */
final class ResourceErrors {
  /** Options whose values are what the command reads. */
  private static final Set<String> INPUT_OPTIONS = Set.of("--model", "--input", "--data",
      "--labels", "--table", "--tokens", "--folds", "--partitions");
  /** A quoted value is cut here: the line must stay one line whatever the user typed. */
  private static final int MAX_VALUE_CHARS = 120;

  private ResourceErrors() {}

  /** The stack or memory error in {@code e}'s chain (itself included), or null. */
  static VirtualMachineError find(Throwable e) {
    Set<Throwable> seen = new LinkedHashSet<>();
    for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
      if (t instanceof StackOverflowError || t instanceof OutOfMemoryError) {
        return (VirtualMachineError) t;
      }
    }
    return null;
  }

  /**
   * What ran out, what was being read (the command's inputs as given) and what to change.
   *
   * @param args the command line, to name the inputs; unparsable ones are left out
   */
  static String describe(VirtualMachineError error, String[] args) {
    String inputs = inputs(args);
    String reading = inputs.isEmpty() ? "" : " reading " + inputs;
    if (error instanceof StackOverflowError) {
      return "an input nests too deeply to read (StackOverflowError" + reading + "); a "
          + "sparktrain file nests a few levels: check that the input is the file you meant";
    }
    String what = error.getMessage() == null ? "" : ": " + bounded(error.getMessage());
    return "out of memory (OutOfMemoryError" + what + reading + "); an input or option asks for "
        + "more than this JVM holds: use smaller values, or give the driver more heap "
        + "(SPARKTRAIN_JAVA_OPTS=-Xmx8g for bin/sparktrain, --driver-memory for spark-submit)";
  }

  /** The subcommand's positional parameters and input options, e.g. "--model runs/x/model". */
  static String inputs(String[] args) {
    ParseResult parsed;
    try {
      parsed = new CommandLine(new SparktrainMain()).parseArgs(args);
    } catch (RuntimeException e) {
      return "";
    }
    while (parsed.hasSubcommand()) {
      parsed = parsed.subcommand();
    }
    List<String> named = new ArrayList<>();
    for (PositionalParamSpec p : parsed.matchedPositionals()) {
      named.add(p.paramLabel() + " " + bounded(String.valueOf(p.getValue())));
    }
    for (OptionSpec o : parsed.matchedOptions()) {
      if (INPUT_OPTIONS.contains(o.longestName())) {
        named.add(o.longestName() + " " + bounded(String.valueOf((Object) o.getValue())));
      }
    }
    return String.join(", ", named);
  }

  private static String bounded(String value) {
    String oneLine = value.replaceAll("\\s+", " ");
    return oneLine.length() <= MAX_VALUE_CHARS ? oneLine
        : oneLine.substring(0, MAX_VALUE_CHARS) + "...";
  }
}
