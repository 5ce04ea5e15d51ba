package org.sparktrain.ml;

import java.util.Locale;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;

/**
 * The models' {@code handleInvalid}: what {@code transform} does with a row whose features
 * vector is null or holds NaN or an infinity, in Spark ML's own words (VectorAssembler,
 * StringIndexer): {@code error} fails naming the row, {@code skip} drops it, {@code keep} gives
 * it NaN outputs. The network never sees such a row: fed a NaN it would answer NaN
 * probabilities, which Spark's argmax turns into a confident-looking class 0.
 */
enum InvalidFeatures {
  ERROR, SKIP, KEEP;

  static final String[] NAMES = {"error", "skip", "keep"};
  static final String DOC = "what transform does with a row whose features are null or not "
      + "finite (NaN, infinity): error (fail naming the row), skip (drop the row) or keep "
      + "(NaN outputs)";

  static InvalidFeatures of(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }

  /** Why {@code features} cannot be scored, or null when it can. */
  static String problem(Vector features) {
    if (features == null) {
      return "is null";
    }
    double[] values;
    int[] indices = null;
    if (features instanceof SparseVector sparse) {
      values = sparse.values();
      indices = sparse.indices();
    } else {
      values = ((DenseVector) features).values();
    }
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) {
        return "holds " + values[i] + " at index " + (indices == null ? i : indices[i]);
      }
    }
    return null;
  }

  /** The error for an invalid row under {@code error}, naming it and what is allowed. */
  static IllegalArgumentException error(String owner, String column, long row, int partition,
      String problem) {
    return new IllegalArgumentException(owner + ": column \"" + column + "\" of row " + row
        + " of partition " + partition + " (counting from 0) " + problem + "; handleInvalid "
        + "\"error\" allows only vectors of finite numbers. Set handleInvalid to \"skip\" to "
        + "drop such rows or \"keep\" to give them NaN predictions");
  }
}
