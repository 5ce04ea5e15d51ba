package org.sparktrain.worker.data;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Normalized examples packed row-major into one float array: a training shard (one per worker) or
 * an evaluation block. Packing once lets every round slice minibatches without per-record objects.
 *
 * @param labels class index (classification) or target value (regression) per row
 * @param softTargets a teacher's softened class probabilities, {@code rows x classes} row-major,
 *     when the block is a distilled student's shard; else null
 */
public record ExampleBlock(int partition, int rows, int width, float[] features, float[] labels,
    float[] softTargets) {

  /** A block without soft targets. */
  public ExampleBlock(int partition, int rows, int width, float[] features, float[] labels) {
    this(partition, rows, width, features, labels, null);
  }

  /** The same rows with a teacher's soft targets beside them. */
  public ExampleBlock withSoftTargets(float[] targets) {
    if (targets.length % Math.max(rows, 1) != 0) {
      throw new IllegalArgumentException(targets.length + " soft targets do not divide into "
          + rows + " rows");
    }
    return new ExampleBlock(partition, rows, width, features, labels, targets);
  }

  public static ExampleBlock pack(int partition, List<float[]> rows, List<Float> labels) {
    int width = rows.isEmpty() ? 0 : rows.get(0).length;
    float[] packed = new float[rows.size() * width];
    float[] y = new float[rows.size()];
    for (int r = 0; r < rows.size(); r++) {
      System.arraycopy(rows.get(r), 0, packed, r * width, width);
      y[r] = labels.get(r);
    }
    return new ExampleBlock(partition, rows.size(), width, packed, y);
  }

  /** Splits a stream of (features, label) records into blocks of at most {@code maxRows}. */
  public static List<ExampleBlock> chunk(int partition, Iterator<ParsedRecord> records,
      Normalizer normalizer, int maxRows) {
    List<ExampleBlock> blocks = new ArrayList<>();
    List<float[]> rows = new ArrayList<>();
    List<Float> labels = new ArrayList<>();
    while (records.hasNext()) {
      ParsedRecord r = records.next();
      rows.add(normalizer.apply(r.features().clone()));
      labels.add((float) r.label());
      if (rows.size() == maxRows) {
        blocks.add(pack(partition, rows, labels));
        rows.clear();
        labels.clear();
      }
    }
    if (!rows.isEmpty()) {
      blocks.add(pack(partition, rows, labels));
    }
    return blocks;
  }
}
