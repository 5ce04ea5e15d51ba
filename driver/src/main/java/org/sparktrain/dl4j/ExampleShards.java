package org.sparktrain.dl4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.driver.data.Features;
import org.sparktrain.driver.data.PreparedData;
import org.sparktrain.driver.data.RecordCounts;
import org.sparktrain.worker.data.DropReason;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.data.Normalizer;
import org.sparktrain.worker.train.NativeArrays;
import org.sparktrain.worker.train.Task;
import scala.Tuple2;

/**
 * A DL4J program's {@code JavaRDD<DataSet>} as the engine's training data: every example, in
 * RDD order (DataSets in partition order, rows in order), dealt round-robin into one cached
 * block per worker, its features and labels flattened as they are. Nothing is normalized and no
 * label is turned into a class: DL4J programs prepare their DataSets themselves.
 *
 * @param featureShape one example's feature shape
 * @param labelShape one example's label shape
 */
record ExampleShards(PreparedData data, long[] featureShape, long[] labelShape) {

  static ExampleShards of(JavaSparkContext sc, JavaRDD<DataSet> dataSets, int workers,
      String caller) {
    List<DataSet> first = dataSets.filter(ds -> !ds.isEmpty()).take(1);
    if (first.isEmpty()) {
      throw new IllegalArgumentException(caller + ": the training RDD has no examples");
    }
    if (first.get(0).getLabels() == null) {
      throw Refusal.of(caller + " on DataSets without labels (unsupervised pretraining)",
          "pretrain locally (MultiLayerNetwork.pretrain), then fit labeled DataSets here");
    }
    long[] featureShape = perExample(first.get(0).getFeatures());
    long[] labelShape = perExample(first.get(0).getLabels());
    JavaRDD<Tuple2<float[], float[]>> examples = dataSets.flatMap(ds -> examples(ds,
        featureShape, labelShape, caller).iterator());
    // HashPartitioner on a non-negative Long key below 2^31 is key % parts: round-robin.
    JavaRDD<ExampleBlock> blocks = examples.zipWithIndex()
        .mapToPair(t -> new Tuple2<>(t._2(), t._1()))
        .partitionBy(new HashPartitioner(workers))
        .mapPartitionsWithIndex((partition, it) -> {
          List<Tuple2<Long, Tuple2<float[], float[]>>> rows = new ArrayList<>();
          it.forEachRemaining(rows::add);
          rows.sort(Comparator.comparingLong(Tuple2::_1));
          return List.of(pack(partition, rows, featureShape, labelShape)).iterator();
        }, true);
    blocks.persist(StorageLevel.MEMORY_ONLY());
    int[] shardRows = blocks.map(ExampleBlock::rows).collect().stream()
        .mapToInt(Integer::intValue).toArray();
    long total = Arrays.stream(shardRows).asLongStream().sum();
    if (Arrays.stream(shardRows).min().orElse(0) == 0) {
      // Fewer examples than workers (DL4J trains such data with some workers idle): as many
      // workers as examples.
      blocks.unpersist(false);
      return of(sc, dataSets, (int) total, caller);
    }
    int width = Task.AsGiven.size(featureShape);
    RecordCounts counts = new RecordCounts(total, new long[DropReason.values().length], total,
        0, 0);
    PreparedData data = new PreparedData(blocks, sc.emptyRDD(), sc.emptyRDD(),
        Normalizer.identity(width), shardRows, counts, new Features.Numbers(width, 0));
    return new ExampleShards(data, featureShape, labelShape);
  }

  /** The workers these shards are for: one shard each. */
  int workers() {
    return data.shardRows().length;
  }

  /** The shape of one example of a batch array ({@code [n, a, b]} gives {@code [a, b]}). */
  static long[] perExample(INDArray batch) {
    long[] shape = batch.shape();
    return Arrays.copyOfRange(shape, 1, shape.length);
  }

  private static List<Tuple2<float[], float[]>> examples(DataSet ds, long[] featureShape,
      long[] labelShape, String caller) {
    if (ds.isEmpty()) {
      return List.of();
    }
    if (ds.getFeaturesMaskArray() != null || ds.getLabelsMaskArray() != null) {
      throw new UnsupportedOperationException(caller + ": DataSets with mask arrays "
          + "(variable-length sequences) are not supported by sparktrain's engine; pad the "
          + "sequences to one length without masks, or train locally with "
          + "MultiLayerNetwork.fit");
    }
    check(ds.getFeatures(), featureShape, "features", caller);
    check(ds.getLabels(), labelShape, "labels", caller);
    float[] x = NativeArrays.toFloats(ds.getFeatures().castTo(DataType.FLOAT));
    float[] y = NativeArrays.toFloats(ds.getLabels().castTo(DataType.FLOAT));
    int n = (int) ds.getFeatures().size(0);
    int xw = x.length / n;
    int yw = y.length / n;
    List<Tuple2<float[], float[]>> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(new Tuple2<>(Arrays.copyOfRange(x, i * xw, (i + 1) * xw),
          Arrays.copyOfRange(y, i * yw, (i + 1) * yw)));
    }
    return out;
  }

  private static void check(INDArray array, long[] expected, String what, String caller) {
    if (!Arrays.equals(perExample(array), expected)) {
      throw new IllegalArgumentException(caller + ": DataSets disagree on the shape of their "
          + what + ": " + Arrays.toString(array.shape()) + " after " + Arrays.toString(expected)
          + " per example; every DataSet of one RDD must have the same per-example shapes");
    }
  }

  private static ExampleBlock pack(int partition, List<Tuple2<Long, Tuple2<float[],
      float[]>>> rows, long[] featureShape, long[] labelShape) {
    int xw = Task.AsGiven.size(featureShape);
    int yw = Task.AsGiven.size(labelShape);
    float[] x = new float[rows.size() * xw];
    float[] y = new float[rows.size() * yw];
    for (int r = 0; r < rows.size(); r++) {
      System.arraycopy(rows.get(r)._2()._1(), 0, x, r * xw, xw);
      System.arraycopy(rows.get(r)._2()._2(), 0, y, r * yw, yw);
    }
    return new ExampleBlock(partition, rows.size(), xw, x, y);
  }
}
