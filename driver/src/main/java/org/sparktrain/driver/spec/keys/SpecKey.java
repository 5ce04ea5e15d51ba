package org.sparktrain.driver.spec.keys;

import java.util.List;

/**
 * One key of the job spec, as users see it: where it is, what it holds, and what it means.
 *
 * @param path the dotted key path, e.g. {@code train.optimizer.learningRate}
 * @param type what the key holds
 * @param defaultValue the value taken when the key is absent; null when there is none or when it
 *     depends on other keys (the doc then says how)
 * @param min the least value (of the key, or of each item of a list); null for no bound
 * @param minExclusive whether {@code min} itself is refused
 * @param max the largest value (of the key, or of each item of a list); null for no bound
 * @param maxItems lists: the most items allowed; 0 otherwise
 * @param allowed the values allowed, for choices; empty otherwise
 * @param since the sparktrain version that introduced the key
 * @param doc one line saying what the key does
 */
public record SpecKey(String path, Type type, Object defaultValue, Number min,
    boolean minExclusive, Number max, int maxItems, List<String> allowed, String since,
    String doc) {

  /** What a key holds. */
  public enum Type {
    /** A mapping of further keys. */
    SECTION("section"),
    INTEGER("integer"),
    NUMBER("number"),
    BOOLEAN("boolean"),
    STRING("string"),
    /** One of {@link SpecKey#allowed()}. */
    CHOICE("choice"),
    /** A column given by number (negative counts from the end) or by name. */
    COLUMN("integer or name"),
    INTEGER_LIST("list of integers"),
    STRING_LIST("list of names"),
    /** A mapping of free names to single values (a reader's options). */
    STRING_MAP("mapping of names to values");

    private final String label;

    Type(String label) {
      this.label = label;
    }

    /** The type as the key reference writes it. */
    public String label() {
      return label;
    }
  }

  public SpecKey {
    allowed = List.copyOf(allowed);
  }

  /** The last part of the path: the name as it is written inside its section. */
  public String name() {
    return path.substring(path.lastIndexOf('.') + 1);
  }

  /** The enclosing section's path; empty for a top-level section. */
  public String parent() {
    int dot = path.lastIndexOf('.');
    return dot < 0 ? "" : path.substring(0, dot);
  }

  /** The type with its bounds or choices, e.g. {@code integer in [1, 1000000]}. */
  public String describeType() {
    return switch (type) {
      case CHOICE -> String.join(" | ", allowed);
      case INTEGER, NUMBER -> type.label() + bounds();
      case INTEGER_LIST -> "list of 1 to " + maxItems + " integers" + bounds();
      case STRING_LIST -> "list of 1 to " + maxItems + " names";
      default -> type.label();
    };
  }

  private String bounds() {
    if (min == null && max == null) {
      return "";
    }
    if (max == null) {
      return (minExclusive ? " > " : " >= ") + format(min);
    }
    return " in " + (minExclusive ? "(" : "[") + format(min) + ", " + format(max) + "]";
  }

  /** A number as a reader expects it: 1000000 not 1.0E6, 1e-08 as 1.0E-8. */
  static String format(Object value) {
    if (value instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
      return String.valueOf(d.longValue());
    }
    return String.valueOf(value);
  }
}
