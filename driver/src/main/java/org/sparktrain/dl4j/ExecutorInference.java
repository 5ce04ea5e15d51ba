package org.sparktrain.dl4j;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.commons.lang3.SerializationUtils;
import org.apache.spark.api.java.JavaDoubleRDD;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.evaluation.IEvaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sparktrain.driver.run.TaskNetwork;
import org.sparktrain.worker.model.Network;
import org.sparktrain.worker.train.NativeArrays;
import scala.Tuple2;

/**
 * What the DL4J Spark classes compute with a trained network on the executors: evaluations,
 * scores and outputs. Each task borrows its executor's copy of the network, set to the broadcast
 * parameters, and works on its partition where it is; only results travel (evaluations merged,
 * score sums added), never examples.
 */
final class ExecutorInference {
  /** ND4J threads per scoring task: tasks share their executor's cores. */
  private static final int THREADS_PER_TASK = 1;

  private final JavaSparkContext sc;
  private final String configurationJson;
  private final Network network;

  ExecutorInference(JavaSparkContext sc, String configurationJson, Network network) {
    this.sc = sc;
    this.configurationJson = configurationJson;
    this.network = network;
  }

  /** Work a task does with its copy of the network on its partition. */
  private interface OnPartition<I, O> extends Serializable {
    Iterator<O> apply(Network net, Iterator<I> items) throws Exception;
  }

  private <I, O> JavaRDD<O> onExecutors(JavaRDD<I> data, OnPartition<I, O> work,
      List<Broadcast<float[]>> toDestroy) {
    Broadcast<float[]> params = sc.broadcast(NativeArrays.toFloats(network.params()));
    toDestroy.add(params);
    String json = configurationJson;
    return data.mapPartitions(items -> work.apply(TaskNetwork.borrow(json, params.value(),
        THREADS_PER_TASK), items));
  }

  private static void destroy(List<Broadcast<float[]>> broadcasts) {
    broadcasts.forEach(b -> b.destroy());
  }

  /** DataSets cut into minibatches of at most {@code batchSize} examples. */
  private static List<DataSet> minibatches(DataSet ds, int batchSize) {
    return ds.numExamples() <= batchSize ? List.of(ds) : ds.batchBy(batchSize);
  }

  /** The evaluations, each filled on every example of {@code data}, merged. */
  @SafeVarargs
  final <T extends IEvaluation> T[] evaluate(JavaRDD<DataSet> data, int batchSize,
      T... empty) {
    List<Broadcast<float[]>> broadcasts = new ArrayList<>();
    try {
      byte[] merged = onExecutors(data, (Network net, Iterator<DataSet> sets) -> {
        T[] evaluations = SerializationUtils.clone(empty);
        while (sets.hasNext()) {
          for (DataSet batch : minibatches(sets.next(), batchSize)) {
            INDArray out = net.output(batch.getFeatures());
            for (T e : evaluations) {
              e.eval(batch.getLabels(), out);
            }
          }
        }
        return List.of(SerializationUtils.serialize(evaluations)).iterator();
      }, broadcasts).reduce(ExecutorInference::mergeEvaluations);
      return SerializationUtils.deserialize(merged);
    } finally {
      destroy(broadcasts);
    }
  }

  /** Evaluations of a graph's single output on MultiDataSets (several inputs allowed). */
  @SafeVarargs
  final <T extends IEvaluation> T[] evaluateMultiDataSets(JavaRDD<MultiDataSet> data,
      T... empty) {
    List<Broadcast<float[]>> broadcasts = new ArrayList<>();
    try {
      byte[] merged = onExecutors(data, (Network net, Iterator<MultiDataSet> sets) -> {
        T[] evaluations = SerializationUtils.clone(empty);
        while (sets.hasNext()) {
          MultiDataSet mds = sets.next();
          INDArray out = net.graph().output(false, mds.getFeatures())[0];
          for (T e : evaluations) {
            e.eval(mds.getLabels(0), out);
          }
        }
        return List.of(SerializationUtils.serialize(evaluations)).iterator();
      }, broadcasts).reduce(ExecutorInference::mergeEvaluations);
      return SerializationUtils.deserialize(merged);
    } finally {
      destroy(broadcasts);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static byte[] mergeEvaluations(byte[] a, byte[] b) {
    IEvaluation[] left = SerializationUtils.deserialize(a);
    IEvaluation[] right = SerializationUtils.deserialize(b);
    for (int i = 0; i < left.length; i++) {
      left[i].merge(right[i]);
    }
    return SerializationUtils.serialize(left);
  }

  /** DL4J's score (loss with regularization) summed over every example, and the count. */
  double[] scoreSum(JavaRDD<DataSet> data, int batchSize) {
    List<Broadcast<float[]>> broadcasts = new ArrayList<>();
    try {
      return onExecutors(data, (Network net, Iterator<DataSet> sets) -> {
        double[] countAndSum = new double[2];
        while (sets.hasNext()) {
          for (DataSet batch : minibatches(sets.next(), batchSize)) {
            double score = net.isGraph() ? net.graph().score(batch, false)
                : net.layers().score(batch, false);
            countAndSum[0] += batch.numExamples();
            countAndSum[1] += score * batch.numExamples();
          }
        }
        return List.of(countAndSum).iterator();
      }, broadcasts).reduce(ExecutorInference::add);
    } finally {
      destroy(broadcasts);
    }
  }

  /** {@link #scoreSum} for a graph's MultiDataSets (any number of inputs and outputs). */
  double[] scoreSumMultiDataSets(JavaRDD<MultiDataSet> data) {
    List<Broadcast<float[]>> broadcasts = new ArrayList<>();
    try {
      return onExecutors(data, (Network net, Iterator<MultiDataSet> sets) -> {
        double[] countAndSum = new double[2];
        while (sets.hasNext()) {
          MultiDataSet mds = sets.next();
          long n = mds.getFeatures(0).size(0);
          countAndSum[0] += n;
          countAndSum[1] += net.graph().score(mds, false) * n;
        }
        return List.of(countAndSum).iterator();
      }, broadcasts).reduce(ExecutorInference::add);
    } finally {
      destroy(broadcasts);
    }
  }

  private static double[] add(double[] a, double[] b) {
    return new double[] {a[0] + b[0], a[1] + b[1]};
  }

  /**
   * Each example's score, in RDD order. Lazy, as DL4J's: the parameters are broadcast now and
   * stay until the JVM's broadcast cleaner drops them.
   */
  JavaDoubleRDD scoreExamples(JavaRDD<DataSet> data, boolean includeRegularization,
      int batchSize) {
    return onExecutors(data, (Network net, Iterator<DataSet> sets) -> {
      List<Double> scores = new ArrayList<>();
      while (sets.hasNext()) {
        for (DataSet batch : minibatches(sets.next(), batchSize)) {
          addAll(scores, net.isGraph() ? net.graph().scoreExamples(batch, includeRegularization)
              : net.layers().scoreExamples(batch, includeRegularization));
        }
      }
      return scores.iterator();
    }, new ArrayList<>()).mapToDouble(Double::doubleValue);
  }

  /** Each MultiDataSet example's score (a graph; any number of inputs and outputs). */
  JavaDoubleRDD scoreExamplesMultiDataSets(JavaRDD<MultiDataSet> data,
      boolean includeRegularization) {
    return onExecutors(data, (Network net, Iterator<MultiDataSet> sets) -> {
      List<Double> scores = new ArrayList<>();
      while (sets.hasNext()) {
        addAll(scores, net.graph().scoreExamples(sets.next(), includeRegularization));
      }
      return scores.iterator();
    }, new ArrayList<>()).mapToDouble(Double::doubleValue);
  }

  private static void addAll(List<Double> into, INDArray perExample) {
    for (double d : perExample.toDoubleVector()) {
      into.add(d);
    }
  }

  /** The score of each keyed single-example DataSet (DL4J's keyed {@code scoreExamples}). */
  <K> JavaPairRDD<K, Double> scoreExamples(JavaPairRDD<K, DataSet> data,
      boolean includeRegularization) {
    JavaRDD<Tuple2<K, Double>> scored = onExecutors(data.rdd().toJavaRDD(),
        (Network net, Iterator<Tuple2<K, DataSet>> items) -> {
          List<Tuple2<K, Double>> out = new ArrayList<>();
          while (items.hasNext()) {
            Tuple2<K, DataSet> item = items.next();
            INDArray s = net.isGraph()
                ? net.graph().scoreExamples(item._2(), includeRegularization)
                : net.layers().scoreExamples(item._2(), includeRegularization);
            out.add(new Tuple2<>(item._1(), s.getDouble(0)));
          }
          return out.iterator();
        }, new ArrayList<>());
    // mapToPair, not fromJavaRDD: its pair RDD carries Tuple2's class tag, which collect needs.
    return scored.mapToPair(t -> t);
  }

  /**
   * The network's output for each keyed features array, {@code batchSize} arrays stacked per
   * forward pass (each array is one or more examples, as in DL4J).
   */
  <K> JavaPairRDD<K, INDArray> feedForwardWithKey(JavaPairRDD<K, INDArray> features,
      int batchSize) {
    JavaRDD<Tuple2<K, INDArray>> outputs = onExecutors(features.rdd().toJavaRDD(),
        (Network net, Iterator<Tuple2<K, INDArray>> items) -> {
          List<Tuple2<K, INDArray>> out = new ArrayList<>();
          List<Tuple2<K, INDArray>> batch = new ArrayList<>();
          while (items.hasNext()) {
            batch.add(items.next());
            if (batch.size() == batchSize || !items.hasNext()) {
              forward(net, batch, out);
              batch.clear();
            }
          }
          return out.iterator();
        }, new ArrayList<>());
    return outputs.mapToPair(t -> t);
  }

  /** A graph's outputs for each keyed array of inputs (one forward pass per key). */
  <K> JavaPairRDD<K, INDArray[]> feedForwardGraphWithKey(JavaPairRDD<K, INDArray[]> features) {
    JavaRDD<Tuple2<K, INDArray[]>> outputs = onExecutors(features.rdd().toJavaRDD(),
        (Network net, Iterator<Tuple2<K, INDArray[]>> items) -> {
          List<Tuple2<K, INDArray[]>> out = new ArrayList<>();
          while (items.hasNext()) {
            Tuple2<K, INDArray[]> item = items.next();
            out.add(new Tuple2<>(item._1(), net.graph().output(false, item._2())));
          }
          return out.iterator();
        }, new ArrayList<>());
    return outputs.mapToPair(t -> t);
  }

  private static <K> void forward(Network net, List<Tuple2<K, INDArray>> batch,
      List<Tuple2<K, INDArray>> out) {
    INDArray[] inputs = batch.stream().map(Tuple2::_2).toArray(INDArray[]::new);
    INDArray output = net.output(Nd4j.concat(0, inputs));
    long row = 0;
    for (Tuple2<K, INDArray> item : batch) {
      long n = item._2().size(0);
      out.add(new Tuple2<>(item._1(), output.get(
          NDArrayIndex.interval(row, row + n)).dup()));
      row += n;
    }
  }
}
