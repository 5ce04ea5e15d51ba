package org.sparktrain.worker.text;

import org.sparktrain.worker.data.SeedMixer;

/**
 * Assigns whole documents to training or validation, so no document's text is in both (a split
 * by block would put the two halves of one paragraph on either side and flatter validation
 * loss). The assignment is a pure function of (seed, document id): stable across runs, machines,
 * Spark partitionings and listing orders, and a new document does not move the others.
 *
 * @param validationFraction expected share of documents in validation, in [0, 1]
 */
public record DocumentSplit(long seed, double validationFraction) {
  /**
   * Seed stream of this draw, distinct from the others derived from the job seed (1 epoch order,
   * 2 dropout, 3 record split, 4 cross-validation folds, 12 masking, 13 augmentation).
   */
  private static final long STREAM = 11;

  public DocumentSplit {
    if (!(validationFraction >= 0 && validationFraction <= 1)) {
      throw new IllegalArgumentException("validationFraction must be in [0, 1], got "
          + validationFraction);
    }
  }

  /** True for a validation document; {@code documentId} is e.g. its path or URI. */
  public boolean isValidation(String documentId) {
    return SeedMixer.uniform(seed, STREAM, fnv1a64(documentId)) < validationFraction;
  }

  public boolean isTraining(String documentId) {
    return !isValidation(documentId);
  }

  /** FNV-1a over the UTF-16 units: specified here, unlike a JVM's identity hash. */
  static long fnv1a64(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    return h;
  }
}
