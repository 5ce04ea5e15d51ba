package org.sparktrain.worker.model.transformer;

import java.util.Random;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.sparktrain.worker.train.ThreadLimits;

/**
 * Training throughput of the character GPT that sizes the Moby Dick quality run: a measurement,
 * not a test. Run with
 * {@code mvn -pl worker-lib test -Dtest=GptThroughputBenchmark -Dsparktrain.bench=true}.
 */
@EnabledIfSystemProperty(named = "sparktrain.bench", matches = "true")
class GptThroughputBenchmark {
  private static final TransformerShape SHAPE = new TransformerShape(80, 128, 4, 128, 4);
  private static final int BATCH = 32;
  private static final int WARMUP_STEPS = 3;
  private static final int TIMED_STEPS = 10;

  @Test
  void tokensPerSecond() {
    for (int threads : new int[] {1, 2}) {
      ThreadLimits.apply(threads);
      MultiLayerNetwork gpt = new MultiLayerNetwork(
          TransformerNetworks.gpt(SHAPE, new Adam(1e-3), 1));
      gpt.init();
      DataSet batch = randomBatch();
      for (int i = 0; i < WARMUP_STEPS; i++) {
        gpt.fit(batch);
      }
      long start = System.nanoTime();
      for (int i = 0; i < TIMED_STEPS; i++) {
        gpt.fit(batch);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf("GPT %s, batch %d, %d ND4J threads: %.2f s/step, %.0f tokens/s%n",
          SHAPE, BATCH, threads, seconds / TIMED_STEPS,
          (double) BATCH * SHAPE.blockSize() * TIMED_STEPS / seconds);
    }
  }

  private static DataSet randomBatch() {
    Random random = new Random(1);
    INDArray input = Nd4j.create(DataType.FLOAT, BATCH, 1, SHAPE.blockSize());
    INDArray labels = Nd4j.create(DataType.FLOAT, BATCH, 1, SHAPE.blockSize());
    for (int b = 0; b < BATCH; b++) {
      for (int t = 0; t < SHAPE.blockSize(); t++) {
        input.putScalar(new long[] {b, 0, t}, random.nextInt(SHAPE.vocabSize()));
        labels.putScalar(new long[] {b, 0, t}, random.nextInt(SHAPE.vocabSize()));
      }
    }
    return new DataSet(input, labels);
  }
}
