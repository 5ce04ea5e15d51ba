package org.sparktrain.driver.train;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.sparktrain.worker.train.NativeArrays;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.eval.BlockEvaluator;
import org.sparktrain.worker.eval.LanguageModelLoss;
import org.sparktrain.worker.eval.MaskedTokenEval;
import org.sparktrain.worker.text.MaskingPolicy;
import org.sparktrain.worker.eval.EvalResult;
import org.sparktrain.worker.train.NetworkPool;
import org.sparktrain.worker.train.ThreadLimits;

/** Evaluates parameters on cached blocks, on the executors; only counts come back. */
public final class DistributedEvaluator {
  private DistributedEvaluator() {}

  public static EvalResult evaluate(JavaSparkContext sc, JavaRDD<ExampleBlock> blocks,
      float[] params, String configJson, boolean classification, int numClasses,
      int threadsPerWorker) {
    Broadcast<float[]> weights = sc.broadcast(params);
    try {
      return blocks.aggregate(EvalResult.empty(classification, numClasses), (acc, block) -> {
        ThreadLimits.apply(threadsPerWorker);
        MultiLayerNetwork net = NetworkPool.borrow(configJson);
        try {
          NativeArrays.copyInto(net.params(), weights.value());
          return BlockEvaluator.evaluate(net, block, acc);
        } finally {
          NetworkPool.giveBack(configJson, net);
        }
      }, EvalResult::merge);
    } finally {
      weights.destroy();
    }
  }

  /**
   * A language model's next-token loss over token blocks: {@code {sum of -ln p, targets}}.
   */
  public static double[] languageModelLoss(JavaSparkContext sc, JavaRDD<ExampleBlock> blocks,
      float[] params, String configJson, int threadsPerWorker) {
    Broadcast<float[]> weights = sc.broadcast(params);
    try {
      return blocks.aggregate(new double[2], (acc, block) -> {
        ThreadLimits.apply(threadsPerWorker);
        MultiLayerNetwork net = NetworkPool.borrow(configJson);
        try {
          NativeArrays.copyInto(net.params(), weights.value());
          return LanguageModelLoss.accumulate(net, block, acc);
        } finally {
          NetworkPool.giveBack(configJson, net);
        }
      }, (a, b) -> new double[] {a[0] + b[0], a[1] + b[1]});
    } finally {
      weights.destroy();
    }
  }

  /**
   * A masked-language model on token blocks: {@code {sum of -ln p, correct, masked positions,
   * positions whose answer is the most frequent token}} (see MaskedTokenEval).
   */
  public static double[] maskedTokenEval(JavaSparkContext sc, JavaRDD<ExampleBlock> blocks,
      float[] params, String configJson, int threadsPerWorker, MaskingPolicy policy, long seed,
      int mostFrequentToken) {
    Broadcast<float[]> weights = sc.broadcast(params);
    try {
      return blocks.aggregate(new double[4], (acc, block) -> {
        ThreadLimits.apply(threadsPerWorker);
        MultiLayerNetwork net = NetworkPool.borrow(configJson);
        try {
          NativeArrays.copyInto(net.params(), weights.value());
          return MaskedTokenEval.accumulate(net, block, policy, seed, mostFrequentToken, acc);
        } finally {
          NetworkPool.giveBack(configJson, net);
        }
      }, (a, b) -> new double[] {a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]});
    } finally {
      weights.destroy();
    }
  }
}
