package org.sparktrain.ml;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.BinaryAttribute;
import org.apache.spark.ml.attribute.NominalAttribute;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The classes a classifier trains: numClasses is what the label column's nominal metadata
 * says (StringIndexer's, with the classes' names), else the largest label + 1, as in Spark ML.
 * Without metadata, labels with gaps ({0, 5} making a 6-class model whose classes 1-4 never
 * occur) are refused unless the user allows them: such a model's probabilities spread over
 * classes that do not exist, and a binary evaluator reads it as nonsense.
 *
 * @param count the model's classes
 * @param names their names in index order, empty when the metadata has none
 */
record LabelClasses(int count, String[] names) {
  private static final Logger LOG = LoggerFactory.getLogger(LabelClasses.class);
  /** Spark ML's own cap on the classes of a classifier without label metadata. */
  static final int MAX_CLASSES = 1_000_000;
  /** Classes named in a message at most. */
  private static final int SHOWN = 20;

  static LabelClasses of(Dataset<?> dataset, String labelCol, boolean allowGaps,
      String estimator) {
    Attribute attribute = Attribute.fromStructField(dataset.schema().apply(labelCol));
    if (attribute instanceof NominalAttribute nominal && nominal.getNumValues().isDefined()) {
      String[] names = nominal.values().isDefined() ? nominal.values().get() : new String[0];
      return new LabelClasses((Integer) nominal.getNumValues().get(), names);
    }
    if (attribute instanceof BinaryAttribute binary) {
      return new LabelClasses(2, binary.values().isDefined() ? binary.values().get()
          : new String[0]);
    }
    return seen(dataset, labelCol, allowGaps, estimator);
  }

  /** From the distinct labels of the data: each a class index, largest + 1 classes. */
  private static LabelClasses seen(Dataset<?> dataset, String labelCol, boolean allowGaps,
      String estimator) {
    List<Row> distinct = dataset.select(functions.col(labelCol).cast("double"))
        .where(functions.col(labelCol).isNotNull()).distinct().limit(MAX_CLASSES + 1)
        .collectAsList();
    TreeSet<Double> labels = new TreeSet<>();
    for (Row r : distinct) {
      double label = r.getDouble(0);
      if (label < 0 || label != Math.rint(label) || label >= MAX_CLASSES) {
        throw new IllegalArgumentException(estimator + ": label column \"" + labelCol
            + "\" holds " + label + "; a class label must be an integer in [0, "
            + (MAX_CLASSES - 1) + "] (index text labels with StringIndexer)");
      }
      labels.add(label);
    }
    if (labels.isEmpty()) {
      throw new IllegalArgumentException(estimator + ": label column \"" + labelCol
          + "\" has no value to train on");
    }
    int count = (int) (double) labels.last() + 1;
    if (labels.size() < count) {
      String message = estimator + ": the labels seen are " + show(labels) + ", so classes "
          + show(missing(labels, count)) + " have no example, yet the model would have "
          + count + " classes (numClasses = the largest label + 1 when the label column has "
          + "no nominal metadata)";
      if (!allowGaps) {
        throw new IllegalArgumentException(message + ". Index the labels with StringIndexer "
            + "to make them 0.." + (labels.size() - 1) + ", or setAllowLabelGaps(true) to "
            + "train " + count + " classes anyway");
      }
      LOG.warn("{}; allowLabelGaps is on, so it trains them", message);
    }
    return new LabelClasses(count, new String[0]);
  }

  private static List<Double> missing(TreeSet<Double> labels, int count) {
    List<Double> missing = new ArrayList<>();
    for (int k = 0; k < count && missing.size() <= SHOWN; k++) {
      if (!labels.contains((double) k)) {
        missing.add((double) k);
      }
    }
    return missing;
  }

  /** Up to {@link #SHOWN} classes as integers, "{0, 5}", with "..." past that. */
  private static String show(Collection<Double> classes) {
    StringBuilder text = new StringBuilder("{");
    int shown = 0;
    for (double c : classes) {
      if (shown == SHOWN) {
        text.append(", ...");
        break;
      }
      text.append(shown++ == 0 ? "" : ", ").append((long) c);
    }
    return text.append('}').toString();
  }
}
