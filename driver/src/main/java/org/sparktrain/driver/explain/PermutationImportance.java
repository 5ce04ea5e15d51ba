package org.sparktrain.driver.explain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparktrain.driver.run.TaskNetwork;
import org.sparktrain.driver.cluster.SparkSetup;
import org.sparktrain.worker.model.Network;
import org.sparktrain.worker.train.NativeArrays;

/**
 * Permutation feature importance (Breiman 2001; Fisher, Rudin and Dominici 2019): how much a
 * model's score drops when one input column's values are shuffled across rows, breaking its
 * link to the label while keeping its distribution. Each column is shuffled {@code repeats}
 * times; the mean drop comes with a 95% confidence interval from those repeats.
 *
 * <p>The score is accuracy for a classifier and the mean squared error for a regressor (a
 * drop is then the increase of the error). Each shuffle's seed is derived from the run's seed,
 * the column and the repeat alone, so the result is the same however columns are spread over
 * tasks: {@link #onExecutors} (one task per group of columns, each executor restoring the
 * network once per task) and {@link #inOneJvm} agree exactly.
 */
public final class PermutationImportance {
  private static final int BATCH = 1024;

  /**
   * @param drops the score's drop for each repeat
   */
  public record Column(String name, double mean, double ciLow, double ciHigh, double[] drops) {}

  public record Result(String score, double baseline, int repeats, long seed,
      List<Column> columns) {}

  private PermutationImportance() {}

  /** Spreads the columns over {@code tasks} Spark tasks. */
  public static Result onExecutors(JavaSparkContext sc, Network network, boolean classification,
      ExplainData data, int repeats, long seed, int tasks) {
    double baseline = score(network, data.features(), data.labels(), classification);
    Broadcast<float[]> weights = sc.broadcast(NativeArrays.toFloats(network.params()));
    Broadcast<float[][]> features = sc.broadcast(data.features());
    Broadcast<double[]> labels = sc.broadcast(data.labels());
    String configJson = network.config().toJson();
    List<int[]> groups = data.groups();
    List<Integer> indexes = new ArrayList<>();
    for (int g = 0; g < groups.size(); g++) {
      indexes.add(g);
    }
    int threads = SparkSetup.autoThreadsPerWorker(sc, Math.max(1, tasks));
    try {
      List<double[]> rows = sc.parallelize(indexes, Math.max(1, Math.min(tasks, indexes.size())))
          .mapPartitions(it -> {
            Network net = TaskNetwork.borrow(configJson, weights.value(), threads);
            List<double[]> out = new ArrayList<>();
            while (it.hasNext()) {
              int g = it.next();
              double[] drops = drops(net, features.value(), labels.value(), classification,
                  groups.get(g), g, repeats, seed, baseline);
              double[] row = new double[drops.length + 1];
              row[0] = g;
              System.arraycopy(drops, 0, row, 1, drops.length);
              out.add(row);
            }
            return out.iterator();
          }).collect();
      double[][] byGroup = new double[groups.size()][];
      for (double[] row : rows) {
        byGroup[(int) row[0]] = Arrays.copyOfRange(row, 1, row.length);
      }
      return result(data, classification, baseline, repeats, seed, byGroup);
    } finally {
      weights.destroy();
      features.destroy();
      labels.destroy();
    }
  }

  /** The same, column after column on this JVM (the baseline the benchmark compares with). */
  public static Result inOneJvm(Network network, boolean classification, ExplainData data,
      int repeats, long seed) {
    double baseline = score(network, data.features(), data.labels(), classification);
    double[][] byGroup = new double[data.groups().size()][];
    for (int g = 0; g < byGroup.length; g++) {
      byGroup[g] = drops(network, data.features(), data.labels(), classification,
          data.groups().get(g), g, repeats, seed, baseline);
    }
    return result(data, classification, baseline, repeats, seed, byGroup);
  }

  private static Result result(ExplainData data, boolean classification, double baseline,
      int repeats, long seed, double[][] byGroup) {
    List<Column> columns = new ArrayList<>();
    for (int g = 0; g < byGroup.length; g++) {
      double[] d = byGroup[g];
      double mean = Arrays.stream(d).average().orElse(Double.NaN);
      double half = d.length < 2 ? Double.NaN
          : StudentT.quantile975(d.length - 1) * Math.sqrt(variance(d, mean) / d.length);
      columns.add(new Column(data.groupNames().get(g), mean, mean - half, mean + half, d));
    }
    return new Result(classification ? "accuracy" : "mse", baseline, repeats, seed, columns);
  }

  /** A column group's drops, one per repeat; the shuffle depends on seed, group and repeat. */
  static double[] drops(Network net, float[][] x, double[] y, boolean classification,
      int[] slots, int group, int repeats, long seed, double baseline) {
    double[] drops = new double[repeats];
    float[][] shuffled = new float[x.length][];
    for (int r = 0; r < repeats; r++) {
      SplittableRandom random = new SplittableRandom(mix(seed, group, r));
      int[] order = new int[x.length];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      for (int i = order.length - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      for (int i = 0; i < x.length; i++) {
        float[] row = x[i].clone();
        for (int s : slots) {
          row[s] = x[order[i]][s];
        }
        shuffled[i] = row;
      }
      double score = score(net, shuffled, y, classification);
      drops[r] = classification ? baseline - score : score - baseline;
    }
    return drops;
  }

  /** Accuracy (classifier) or mean squared error (regressor) over all rows. */
  static double score(Network net, float[][] x, double[] y, boolean classification) {
    double total = 0;
    for (int from = 0; from < x.length; from += BATCH) {
      int n = Math.min(BATCH, x.length - from);
      float[][] batch = Arrays.copyOfRange(x, from, from + n);
      INDArray out = net.output(Nd4j.create(batch));
      if (classification) {
        INDArray predicted = out.argMax(1);
        for (int i = 0; i < n; i++) {
          total += predicted.getInt(i) == (int) y[from + i] ? 1 : 0;
        }
      } else {
        for (int i = 0; i < n; i++) {
          double e = out.getDouble(i, 0) - y[from + i];
          total += e * e;
        }
      }
    }
    return total / x.length;
  }

  private static long mix(long seed, int group, int repeat) {
    long z = seed + 0x9E3779B97F4A7C15L * (group + 1) + 0xBF58476D1CE4E5B9L * (repeat + 1);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static double variance(double[] d, double mean) {
    double s = 0;
    for (double v : d) {
      s += (v - mean) * (v - mean);
    }
    return s / (d.length - 1);
  }
}
