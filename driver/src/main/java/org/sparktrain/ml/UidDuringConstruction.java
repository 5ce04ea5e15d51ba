package org.sparktrain.ml;

/**
 * Spark ML's Scala base classes create their params (featuresCol, ...) in their constructors,
 * naming them by {@code uid()}. A Java subclass's fields are not set yet at that point, so its
 * {@code uid()} would answer null and every param would belong to "null". The subclass stashes
 * its uid here in an argument of its own {@code this(...)} call, which runs before the Scala
 * constructors, and {@code uid()} answers from here until the field is set.
 */
final class UidDuringConstruction {
  private static final ThreadLocal<String> PENDING = new ThreadLocal<>();

  private UidDuringConstruction() {}

  static String stash(String uid) {
    PENDING.set(uid);
    return uid;
  }

  /** The subclass's field when set, else the uid being constructed on this thread. */
  static String uid(String field) {
    return field != null ? field : PENDING.get();
  }

  static void done() {
    PENDING.remove();
  }
}
