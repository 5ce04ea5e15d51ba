package org.sparktrain.driver.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.sparktrain.driver.spec.keys.SpecKey;
import org.sparktrain.driver.spec.keys.SpecKeys;

/**
 * One mapping of a YAML job spec, read with typed getters that validate as they go. Every key
 * read is remembered; {@link #finish()} rejects the keys nobody asked for, so a typo such as
 * {@code train.epoch} fails instead of being silently ignored.
 */
final class SpecNode {
  /** The most of one user value that a message quotes. */
  static final int MAX_QUOTED_CHARS = 200;
  /** The most of one mistake that a message keeps, whatever its sentence quotes. */
  private static final int MAX_MISTAKE_CHARS = 1000;
  private final String path;
  private final Map<String, Object> values;
  private final Set<String> known = new LinkedHashSet<>();
  /** Every mistake found so far in the whole spec, shared by all its nodes. */
  private final List<String> problems;
  /** The path of every key the parser asked for so far, shared by all nodes of the spec. */
  private final Set<String> asked;

  private SpecNode(String path, Map<String, Object> values, List<String> problems,
      Set<String> asked) {
    this.path = path;
    this.values = values;
    this.problems = problems;
    this.asked = asked;
    // YAML allows any key ({1: x}, {[a]: b}); a spec's keys are names.
    for (Object key : values.keySet()) {
      if (!(key instanceof String)) {
        problems.add((path.isEmpty() ? "the job spec" : path) + ": the key "
            + describe(key) + " is not allowed (keys are names such as epochs)");
      }
    }
  }

  /**
   * Reads with {@code strict}; a mistake it throws is recorded and {@code fallback} stands in, so
   * that reading goes on and one run of the parser reports every mistake of the spec.
   */
  private <T> T lenient(Supplier<T> strict, T fallback) {
    try {
      return strict.get();
    } catch (SpecException e) {
      problems.add(e.getMessage());
      return fallback;
    }
  }

  /**
   * Reads one part of the spec whose own checks may throw (a check written by hand, or one
   * across keys). Its mistake is recorded and null stands in, so that the other parts are still
   * read and their mistakes reported in the same message.
   */
  <T> T recording(Supplier<T> part) {
    return lenient(part, null);
  }

  /** Records a mistake found by a check across keys, to be reported with all the others. */
  void record(String mistake) {
    problems.add(mistake);
  }

  /**
   * Throws the mistakes found so far, with {@code last} (a check across keys that failed
   * after them) at the end; returns normally when there are none and {@code last} is null.
   */
  void throwProblems(RuntimeException last) {
    List<String> all = new ArrayList<>(problems);
    if (last instanceof SpecException && !(last instanceof Mistakes)) {
      all.add(last.getMessage());
    } else if (last != null && all.isEmpty()) {
      throw last;
    }
    // A check that quoted a user's value whole still gives a message of bounded size.
    all.replaceAll(m -> m.length() <= MAX_MISTAKE_CHARS ? m
        : m.substring(0, MAX_MISTAKE_CHARS) + "... (cut)");
    // Otherwise a failure after recorded mistakes follows from a stand-in value: they explain it.
    if (all.size() == 1) {
      throw new Mistakes(all.get(0));
    }
    if (!all.isEmpty()) {
      throw new Mistakes("the job spec has " + all.size() + " mistakes:\n  - "
          + String.join("\n  - ", all));
    }
  }

  /** The spec's mistakes, all of them, as one message. */
  static final class Mistakes extends SpecException {
    Mistakes(String message) {
      super(message);
    }
  }

  @SuppressWarnings("unchecked")
  static SpecNode root(Object parsed) {
    if (!(parsed instanceof Map<?, ?> map)) {
      throw new SpecException("the job spec must be a YAML mapping with sections data, "
          + "preprocess, model, train, eval, output; got " + describe(parsed));
    }
    return new SpecNode("", (Map<String, Object>) map, new ArrayList<>(),
        new LinkedHashSet<>());
  }

  /**
   * Marks {@code key} as one this section has (so {@link #finish()} accepts it). Only keys
   * declared in {@link SpecKeys} can be read: a key read here but missing there would be
   * accepted but missing from the schema and the key reference.
   */
  private void ask(String key) {
    String keyPath = pathOf(key);
    if (!SpecKeys.declares(keyPath)) {
      throw new IllegalStateException("spec key " + keyPath + " is read by the parser but not "
          + "declared in SpecKeys");
    }
    known.add(key);
    asked.add(keyPath);
  }

  /** The path of every key asked for so far in the whole spec, in the order first asked. */
  Set<String> asked() {
    return asked;
  }

  String pathOf(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  boolean has(String key) {
    ask(key);
    return values.get(key) != null;
  }

  @SuppressWarnings("unchecked")
  SpecNode section(String key) {
    ask(key);
    Object v = values.get(key);
    if (v == null) {
      return new SpecNode(pathOf(key), new LinkedHashMap<>(), problems, asked);
    }
    if (!(v instanceof Map<?, ?>)) {
      problems.add(pathOf(key) + ": expected a mapping of keys, got " + describe(v));
      return new SpecNode(pathOf(key), new LinkedHashMap<>(), problems, asked);
    }
    return new SpecNode(pathOf(key), (Map<String, Object>) v, problems, asked);
  }

  // The getters without a default take the key's default and bounds from its declaration in
  // SpecKeys: written once, and the same in the parser, the schema and the key reference.

  /** An integer with the default and bounds {@link SpecKeys} declares for it. */
  int integer(String key) {
    SpecKey k = declared(key);
    return integer(key, ((Number) k.defaultValue()).intValue(),
        k.min() == null ? Integer.MIN_VALUE : k.min().intValue(),
        k.max() == null ? Integer.MAX_VALUE : k.max().intValue());
  }

  /** A long integer with the default and bounds {@link SpecKeys} declares for it. */
  long longValue(String key) {
    SpecKey k = declared(key);
    return longValue(key, ((Number) k.defaultValue()).longValue(),
        k.min() == null ? Long.MIN_VALUE : k.min().longValue(),
        k.max() == null ? Long.MAX_VALUE : k.max().longValue());
  }

  /** A number with the default and bounds {@link SpecKeys} declares for it. */
  double number(String key) {
    SpecKey k = declared(key);
    return number(key, ((Number) k.defaultValue()).doubleValue(), k.min().doubleValue(),
        k.minExclusive(), k.max().doubleValue());
  }

  /** A boolean with the default {@link SpecKeys} declares for it. */
  boolean bool(String key) {
    return bool(key, (Boolean) declared(key).defaultValue());
  }

  /** Text with the default {@link SpecKeys} declares for it. */
  String string(String key) {
    return string(key, (String) declared(key).defaultValue());
  }

  private SpecKey declared(String key) {
    SpecKey k = SpecKeys.get(pathOf(key));
    if (k == null || k.defaultValue() == null) {
      throw new IllegalStateException("spec key " + pathOf(key) + " has no default declared "
          + "in SpecKeys; pass its default to the getter");
    }
    return k;
  }

  String requiredString(String key, String example) {
    return lenient(() -> strictRequiredString(key, example), example);
  }

  private String strictRequiredString(String key, String example) {

    String s = string(key, null);
    if (s == null || s.isBlank()) {
      throw new SpecException(pathOf(key) + " is required (for example: " + example + ")");
    }
    return s;
  }

  String string(String key, String defaultValue) {
    return lenient(() -> strictString(key, defaultValue), defaultValue);
  }

  private String strictString(String key, String defaultValue) {

    ask(key);
    Object v = values.get(key);
    if (v == null) {
      return defaultValue;
    }
    if (v instanceof Map<?, ?> || v instanceof List<?>) {
      throw new SpecException(pathOf(key) + ": expected a single value, got " + describe(v));
    }
    return v.toString();
  }

  int integer(String key, int defaultValue, int min, int max) {
    long v = longValue(key, defaultValue, min, max);
    return (int) v;
  }

  long longValue(String key, long defaultValue, long min, long max) {
    return lenient(() -> strictLong(key, defaultValue, min, max), defaultValue);
  }

  private long strictLong(String key, long defaultValue, long min, long max) {

    ask(key);
    Object v = values.get(key);
    if (v == null) {
      return defaultValue;
    }
    if (!(v instanceof Integer || v instanceof Long)) {
      throw new SpecException(pathOf(key) + ": " + describe(v) + " is not allowed (must be an "
          + "integer " + range(min, max) + ")");
    }
    long n = ((Number) v).longValue();
    if (n < min || n > max) {
      throw new SpecException(pathOf(key) + ": " + n + " is not allowed (must be an integer "
          + range(min, max) + ")");
    }
    return n;
  }

  /** A number in [min, max] (or (min, max] when {@code minExclusive}). */
  double number(String key, double defaultValue, double min, boolean minExclusive, double max) {
    return lenient(() -> strictNumber(key, defaultValue, min, minExclusive, max),
        defaultValue);
  }

  private double strictNumber(String key, double defaultValue, double min,
      boolean minExclusive, double max) {

    ask(key);
    Object v = values.get(key);
    if (v == null) {
      return defaultValue;
    }
    if (!(v instanceof Number)) {
      throw new SpecException(pathOf(key) + ": " + describe(v) + " is not allowed (must be a "
          + "number in " + (minExclusive ? "(" : "[") + min + ", " + max + "])");
    }
    double d = ((Number) v).doubleValue();
    if (!Double.isFinite(d) || d < min || (minExclusive && d == min) || d > max) {
      throw new SpecException(pathOf(key) + ": " + d + " is not allowed (must be a number in "
          + (minExclusive ? "(" : "[") + min + ", " + max + "])");
    }
    return d;
  }

  boolean bool(String key, boolean defaultValue) {
    return lenient(() -> strictBool(key, defaultValue), defaultValue);
  }

  private boolean strictBool(String key, boolean defaultValue) {

    ask(key);
    Object v = values.get(key);
    if (v == null) {
      return defaultValue;
    }
    if (!(v instanceof Boolean b)) {
      throw new SpecException(pathOf(key) + ": " + describe(v)
          + " is not allowed (must be true or false)");
    }
    return b;
  }

  <E extends Enum<E>> E choice(String key, E defaultValue, Class<E> type) {
    return lenient(() -> strictChoice(key, defaultValue, type), defaultValue);
  }

  private <E extends Enum<E>> E strictChoice(String key, E defaultValue, Class<E> type) {

    String s = string(key, null);
    if (s == null) {
      return defaultValue;
    }
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(s)) {
        return e;
      }
    }
    List<String> allowed = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      allowed.add(e.name().toLowerCase(Locale.ROOT));
    }
    throw new SpecException(pathOf(key) + ": " + describe(s) + " is not allowed (must be one of "
        + String.join(", ", allowed) + ")");
  }

  /** A list of 1 to {@code maxLength} integers, each in [min, max]. */
  int[] intList(String key, int[] defaultValue, int min, int max, int maxLength) {
    return lenient(() -> strictIntList(key, defaultValue, min, max, maxLength), defaultValue);
  }

  private int[] strictIntList(String key, int[] defaultValue, int min, int max, int maxLength) {

    ask(key);
    Object v = values.get(key);
    if (v == null) {
      return defaultValue;
    }
    if (!(v instanceof List<?> list) || list.isEmpty() || list.size() > maxLength) {
      throw new SpecException(pathOf(key) + ": " + describe(v) + " is not allowed (must be a "
          + "list of 1 to " + maxLength + " integers in [" + min + ", " + max
          + "], e.g. [128, 64])");
    }
    int[] out = new int[list.size()];
    for (int i = 0; i < out.length; i++) {
      Object e = list.get(i);
      if (!(e instanceof Integer n) || n < min || n > max) {
        throw new SpecException(pathOf(key) + "[" + i + "]: " + describe(e)
            + " is not allowed (must be an integer in [" + min + ", " + max + "])");
      }
      out[i] = n;
    }
    return out;
  }

  /** Whether the key holds text (not a number, list or mapping): e.g. a column given by name. */
  boolean isText(String key) {
    return values.get(key) instanceof String;
  }

  /** A list of 1 to {@code maxLength} non-blank names; null when the key is absent. */
  List<String> stringList(String key, int maxLength) {
    return lenient(() -> strictStringList(key, maxLength), null);
  }

  private List<String> strictStringList(String key, int maxLength) {

    ask(key);
    Object v = values.get(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof List<?> list) || list.isEmpty() || list.size() > maxLength) {
      throw new SpecException(pathOf(key) + ": " + describe(v) + " is not allowed (must be a "
          + "list of 1 to " + maxLength + " names, e.g. [bill_length_mm, island])");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      Object e = list.get(i);
      if (e == null || e instanceof Map<?, ?> || e instanceof List<?>
          || e.toString().isBlank()) {
        throw new SpecException(pathOf(key) + "[" + i + "]: " + describe(e)
            + " is not allowed (must be a column name)");
      }
      if (out.contains(e.toString())) {
        throw new SpecException(pathOf(key) + "[" + i + "]: '" + e + "' is listed twice");
      }
      out.add(e.toString());
    }
    return out;
  }

  /** A mapping of names to single values (reader options), as strings; empty when absent. */
  Map<String, String> stringMap(String key) {
    return lenient(() -> strictStringMap(key), new LinkedHashMap<>());
  }

  private Map<String, String> strictStringMap(String key) {

    ask(key);
    Object v = values.get(key);
    Map<String, String> out = new LinkedHashMap<>();
    if (v == null) {
      return out;
    }
    if (!(v instanceof Map<?, ?> map)) {
      throw new SpecException(pathOf(key) + ": expected a mapping of names to values, got "
          + describe(v));
    }
    for (Map.Entry<?, ?> e : map.entrySet()) {
      Object value = e.getValue();
      if (value == null || value instanceof Map<?, ?> || value instanceof List<?>) {
        throw new SpecException(pathOf(key) + "." + e.getKey() + ": " + describe(value)
            + " is not allowed (must be a single value)");
      }
      out.put(String.valueOf(e.getKey()), value.toString());
    }
    return out;
  }

  /** Records every key that no getter asked for. Call after reading everything. */
  void finish() {
    for (Object key : values.keySet()) {
      if (!known.contains(key)) {
        String where = path.isEmpty() ? "at the top level" : "in section '" + path + "'";
        problems.add("unknown key '" + pathOf(String.valueOf(key)) + "' " + where
            + " (allowed: " + String.join(", ", known) + ")");
      }
    }
  }

  private static String range(long min, long max) {
    if (max == Long.MAX_VALUE || max == Integer.MAX_VALUE) {
      return ">= " + min;
    }
    return "in [" + min + ", " + max + "]";
  }

  /**
   * A user's value as a message quotes it: at most {@link #MAX_QUOTED_CHARS} characters of it,
   * never the whole of a long value nor the expansion of a list built from aliases.
   */
  static String describe(Object v) {
    if (v == null) {
      return "nothing";
    }
    if (v instanceof String s) {
      return "'" + bounded(s) + "'";
    }
    if (v instanceof Map<?, ?>) {
      return "a mapping";
    }
    if (v instanceof List<?>) {
      StringBuilder out = new StringBuilder("a list ");
      if (!appendBounded(v, out, out.length() + MAX_QUOTED_CHARS)) {
        out.append("...");
      }
      return out.toString();
    }
    return bounded(v.toString());
  }

  /** {@code text}, or its first {@link #MAX_QUOTED_CHARS} characters and its length. */
  static String bounded(String text) {
    return text.length() <= MAX_QUOTED_CHARS ? text
        : text.substring(0, MAX_QUOTED_CHARS) + "... (" + text.length() + " characters)";
  }

  /**
   * Appends {@code v} as {@code toString} would write it, but stops at {@code limit}
   * characters; false when it stopped. Each level writes a character before going deeper, so
   * the limit bounds the depth too.
   */
  private static boolean appendBounded(Object v, StringBuilder out, int limit) {
    if (out.length() >= limit) {
      return false;
    }
    if (v instanceof List<?> list) {
      out.append('[');
      String separator = "";
      for (Object e : list) {
        out.append(separator);
        separator = ", ";
        if (!appendBounded(e, out, limit)) {
          return false;
        }
      }
      out.append(']');
    } else if (v instanceof Map<?, ?> map) {
      out.append('{');
      String separator = "";
      for (Map.Entry<?, ?> e : map.entrySet()) {
        out.append(separator);
        separator = ", ";
        if (!appendBounded(e.getKey(), out, limit) || !appendBounded("=", out, limit)
            || !appendBounded(e.getValue(), out, limit)) {
          return false;
        }
      }
      out.append('}');
    } else {
      String text = String.valueOf(v);
      int room = limit - out.length();
      if (text.length() > room) {
        out.append(text, 0, room);
        return false;
      }
      out.append(text);
    }
    return out.length() <= limit;
  }
}
