package org.sparktrain.worker.data;

/**
 * One input record after parsing: either a usable example or a rejected one with its reason.
 *
 * <p>{@code fileIndex} and {@code line} (1-based, or the record number for binary formats) locate
 * the record in the input; they also seed the deterministic train/validation/test split, so the
 * split does not depend on how Spark partitions the data.
 */
public record ParsedRecord(
    int fileIndex, long line, float[] features, double label, DropReason dropReason, String detail) {

  public static ParsedRecord ok(int fileIndex, long line, float[] features, double label) {
    return new ParsedRecord(fileIndex, line, features, label, null, null);
  }

  public static ParsedRecord bad(int fileIndex, long line, DropReason reason, String detail) {
    return new ParsedRecord(fileIndex, line, null, Double.NaN, reason, detail);
  }

  public boolean isOk() {
    return dropReason == null;
  }
}
