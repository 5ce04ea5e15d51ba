package org.sparktrain.ml;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The sparktrain models' {@code transform} in minibatches: Spark ML's own transform
 * calls the network once per row through a UDF, where one call per {@link #BATCH} rows does the
 * same arithmetic at a fraction of the cost (the network's per-call overhead dominates a single
 * row). The output columns, their order and metadata are Spark ML's ({@code transformSchema});
 * the values are {@code predictRaw}'s, {@code raw2probability}'s and
 * {@code probability2prediction}'s (thresholds included). Rows whose features are null or not
 * finite go as {@code handleInvalid} says (see {@link InvalidFeatures}).
 */
final class BatchedTransform {
  static final int BATCH = 1024;

  private BatchedTransform() {}

  /** The values a model appends to each row of a minibatch, in the output schema's order. */
  @FunctionalInterface
  interface BatchScorer extends Serializable {
    Object[][] score(List<Vector> features);
  }

  /**
   * How a model scores: its output schema, its scorer, and what it gives a row that
   * {@code handleInvalid = keep} lets through.
   *
   * @param owner the model, for messages
   * @param kept the values added to a kept invalid row (NaN, as Spark ML gives)
   */
  record Scoring(String owner, StructType out, String featuresCol, InvalidFeatures invalid,
      Object[] kept, BatchScorer scorer) implements Serializable {}

  static Dataset<Row> apply(SparktrainClassificationModel model, Dataset<?> dataset) {
    StructType out = model.transformSchema(dataset.schema(), true);
    // What each added column holds, in the output schema's order.
    String[] added = Arrays.copyOfRange(out.fieldNames(), dataset.schema().size(), out.size());
    String raw = model.getRawPredictionCol();
    String probability = model.getProbabilityCol();
    char[] kinds = new char[added.length];
    Object[] kept = new Object[added.length];
    double[] nans = new double[model.numClasses()];
    Arrays.fill(nans, Double.NaN);
    for (int i = 0; i < added.length; i++) {
      kinds[i] = added[i].equals(raw) ? 'r' : added[i].equals(probability) ? 'p' : 'y';
      kept[i] = kinds[i] == 'y' ? (Object) Double.NaN : Vectors.dense(nans);
    }
    return apply(dataset, new Scoring("model " + model.uid(), out, model.getFeaturesCol(),
        InvalidFeatures.of(model.getHandleInvalid()), kept, rows -> {
          Vector[] raws = model.predictRaw(rows);
          Object[][] values = new Object[raws.length][kinds.length];
          for (int i = 0; i < raws.length; i++) {
            Vector p = model.raw2probability(raws[i]);
            for (int k = 0; k < kinds.length; k++) {
              values[i][k] = switch (kinds[k]) {
                case 'r' -> raws[i];
                case 'p' -> p;
                default -> model.probability2prediction(p);
              };
            }
          }
          return values;
        }));
  }

  /**
   * {@code dataset} with {@code scoring.out()}'s added columns; every column carries the
   * metadata {@code out} gives it (the input columns' own, Spark ML's on the added ones), which
   * a row-encoded mapPartitions alone would drop.
   */
  static Dataset<Row> apply(Dataset<?> dataset, Scoring scoring) {
    int featuresIndex = dataset.schema().fieldIndex(scoring.featuresCol());
    StructType out = scoring.out();
    Dataset<Row> scored = dataset.toDF().mapPartitions((MapPartitionsFunction<Row, Row>) rows ->
        new Scored(scoring, rows, featuresIndex), Encoders.row(out));
    Column[] withMetadata = new Column[out.size()];
    for (int i = 0; i < out.size(); i++) {
      StructField field = out.fields()[i];
      withMetadata[i] = scored.col(quoted(field.name())).as(field.name(), field.metadata());
    }
    return scored.select(withMetadata);
  }

  /** A column name as a reference to exactly that column (dots and backticks included). */
  private static String quoted(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  /** A partition's rows with the model's columns appended, a minibatch at a time. */
  private static final class Scored implements Iterator<Row> {
    private final Scoring scoring;
    private final Iterator<Row> rows;
    private final int featuresIndex;
    private final int partition;
    private long position;
    private Iterator<Row> current = Collections.emptyIterator();

    Scored(Scoring scoring, Iterator<Row> rows, int featuresIndex) {
      this.scoring = scoring;
      this.rows = rows;
      this.featuresIndex = featuresIndex;
      TaskContext task = TaskContext.get();
      this.partition = task == null ? 0 : task.partitionId();
    }

    @Override
    public boolean hasNext() {
      // A minibatch of only skipped rows is empty: read on.
      while (!current.hasNext() && rows.hasNext()) {
        current = next(BATCH);
      }
      return current.hasNext();
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return current.next();
    }

    private Iterator<Row> next(int limit) {
      List<Row> batch = new ArrayList<>(limit);
      List<Vector> features = new ArrayList<>(limit);
      // Per row of the batch: its index among the scored rows, or -1 for a kept invalid row.
      int[] scoredIndex = new int[limit];
      while (rows.hasNext() && batch.size() < limit) {
        Row r = rows.next();
        Vector v = (Vector) r.get(featuresIndex);
        String problem = InvalidFeatures.problem(v);
        long row = position++;
        if (problem != null) {
          switch (scoring.invalid()) {
            case ERROR -> throw InvalidFeatures.error(scoring.owner(), scoring.featuresCol(),
                row, partition, problem);
            case SKIP -> {
              continue;
            }
            case KEEP -> {
              scoredIndex[batch.size()] = -1;
              batch.add(r);
              continue;
            }
            default -> throw new IllegalStateException(scoring.invalid().name());
          }
        }
        scoredIndex[batch.size()] = features.size();
        batch.add(r);
        features.add(v);
      }
      Object[][] added = features.isEmpty() ? new Object[0][]
          : scoring.scorer().score(features);
      List<Row> scored = new ArrayList<>(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        Row r = batch.get(i);
        Object[] extra = scoredIndex[i] < 0 ? scoring.kept() : added[scoredIndex[i]];
        Object[] values = new Object[r.size() + extra.length];
        for (int c = 0; c < r.size(); c++) {
          values[c] = r.get(c);
        }
        System.arraycopy(extra, 0, values, r.size(), extra.length);
        scored.add(RowFactory.create(values));
      }
      return scored.iterator();
    }
  }
}
