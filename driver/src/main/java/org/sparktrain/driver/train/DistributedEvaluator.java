package org.sparktrain.driver.train;

import java.io.Serializable;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.eval.BlockEvaluator;
import org.sparktrain.worker.eval.EvalResult;
import org.sparktrain.worker.eval.LanguageModelLoss;
import org.sparktrain.worker.eval.MaskedTokenEval;
import org.sparktrain.worker.model.Network;
import org.sparktrain.worker.model.NetworkPool;
import org.sparktrain.worker.text.MaskingPolicy;
import org.sparktrain.worker.train.NativeArrays;
import org.sparktrain.worker.train.Task;
import org.sparktrain.worker.train.ThreadLimits;

/** Evaluates parameters on cached blocks, on the executors; only counts come back. */
public final class DistributedEvaluator {
  private DistributedEvaluator() {}

  /** One block's contribution to an accumulated result, computed with the loaded network. */
  @FunctionalInterface
  interface BlockFold<T> extends Serializable {
    T apply(Network net, ExampleBlock block, T acc);
  }

  /**
   * Folds every block with a pooled network holding {@code params} (broadcast once), then
   * merges the partial results: the frame every evaluation below shares.
   */
  static <T> T foldWithNetwork(JavaSparkContext sc, JavaRDD<ExampleBlock> blocks,
      float[] params, String configJson, int threadsPerWorker, T zero, BlockFold<T> fold,
      Function2<T, T, T> merge) {
    Broadcast<float[]> weights = sc.broadcast(params);
    try {
      return blocks.aggregate(zero, (acc, block) -> {
        ThreadLimits.apply(threadsPerWorker);
        Network net = NetworkPool.borrow(configJson);
        try {
          NativeArrays.copyInto(net.params(), weights.value());
          return fold.apply(net, block, acc);
        } finally {
          NetworkPool.giveBack(configJson, net);
        }
      }, merge);
    } finally {
      weights.destroy();
    }
  }

  public static EvalResult evaluate(JavaSparkContext sc, JavaRDD<ExampleBlock> blocks,
      float[] params, String configJson, boolean classification, int numClasses,
      int threadsPerWorker) {
    return evaluate(sc, blocks, params, configJson, classification, numClasses,
        threadsPerWorker, new Task.Rows(classification, classification ? numClasses : 1));
  }

  /** @param task what the rows are (token ids of a text classifier, or numbers) */
  public static EvalResult evaluate(JavaSparkContext sc, JavaRDD<ExampleBlock> blocks,
      float[] params, String configJson, boolean classification, int numClasses,
      int threadsPerWorker, Task task) {
    return foldWithNetwork(sc, blocks, params, configJson, threadsPerWorker,
        EvalResult.empty(classification, numClasses),
        (net, block, acc) -> BlockEvaluator.evaluate(net, block, acc, task),
        EvalResult::merge);
  }

  /**
   * A language model's next-token loss over token blocks: {@code {sum of -ln p, targets}}.
   */
  public static double[] languageModelLoss(JavaSparkContext sc, JavaRDD<ExampleBlock> blocks,
      float[] params, String configJson, int threadsPerWorker) {
    return foldWithNetwork(sc, blocks, params, configJson, threadsPerWorker, new double[2],
        LanguageModelLoss::accumulate, DistributedEvaluator::sum);
  }

  /**
   * A masked-language model on token blocks: {@code {sum of -ln p, correct, masked positions,
   * positions whose answer is the most frequent token}} (see MaskedTokenEval).
   */
  public static double[] maskedTokenEval(JavaSparkContext sc, JavaRDD<ExampleBlock> blocks,
      float[] params, String configJson, int threadsPerWorker, MaskingPolicy policy, long seed,
      int mostFrequentToken) {
    return foldWithNetwork(sc, blocks, params, configJson, threadsPerWorker, new double[4],
        (net, block, acc) -> MaskedTokenEval.accumulate(net, block, policy, seed,
            mostFrequentToken, acc), DistributedEvaluator::sum);
  }

  /** Element-wise sum of two partial counts (into the first). */
  private static double[] sum(double[] a, double[] b) {
    for (int i = 0; i < a.length; i++) {
      a[i] += b[i];
    }
    return a;
  }
}
