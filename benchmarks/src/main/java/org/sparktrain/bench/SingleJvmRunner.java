package org.sparktrain.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparktrain.worker.backend.NativeBuild;
import org.sparktrain.worker.backend.NativeKernels;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.model.MlpConfig;
import org.sparktrain.worker.optim.OptimizerConfig;
import org.sparktrain.worker.train.EpochSchedule;
import org.sparktrain.worker.train.MinibatchAssembler;


/**
 * Spine benchmark system (a): plain single-JVM DL4J. MNIST (pixels / 255), MLP 784-256-256-10
 * ReLU built by worker-lib's {@link MlpConfig}, Adam 1e-3, {@code MultiLayerNetwork.fit} on
 * minibatches of 32 in a seeded shuffle per epoch. Warm-up epochs untimed, each timed epoch on the
 * wall clock (minibatch assembly included), then test accuracy on the 10k test set. Prints one
 * JSON line on stdout; logs go to stderr.
 */
public final class SingleJvmRunner {
  private static final String WHO = "single-jvm";
  static final String USAGE = "usage: SingleJvmRunner --mnist DIR [--limit N] [--warmup-epochs 1]"
      + " [--timed-epochs 3] [--batch 32] [--seed 42]";

  private SingleJvmRunner() {}

  public static void main(String[] argv) throws Exception {
    BenchArgs args = BenchArgs.parse(argv,
        Set.of("mnist", "limit", "warmup-epochs", "timed-epochs", "batch", "seed"), USAGE);
    if (!args.has("mnist")) {
      BenchArgs.fail("--mnist DIR is required", USAGE);
    }
    Path mnist = Path.of(args.string("mnist", null));
    int limit = args.integer("limit", 0, 0, USAGE);
    int warmup = args.integer("warmup-epochs", 1, 0, USAGE);
    int timed = args.integer("timed-epochs", 3, 1, USAGE);
    int batch = args.integer("batch", 32, 1, USAGE);
    long seed = args.longValue("seed", 42, USAGE);

    ExampleBlock train = Mnist.read(mnist, Mnist.TRAIN_IMAGES, Mnist.TRAIN_LABELS, limit);
    ExampleBlock test = Mnist.read(mnist, Mnist.TEST_IMAGES, Mnist.TEST_LABELS, 0);
    int n = train.rows();
    BenchJson.log(WHO, "train examples " + n + ", test examples " + test.rows());

    MultiLayerNetwork net = new MlpConfig(new int[] {256, 256}, Activation.RELU, 0.0, false)
        .build(train.width(), Mnist.CLASSES, new OptimizerConfig(OptimizerConfig.Kind.ADAM, 1e-3,
            0.9, 0.9, 0.999, 1e-8), seed).newNetwork().layers();
    MinibatchAssembler assembler = new MinibatchAssembler(true, Mnist.CLASSES);
    // Only the seeded shuffle is used: the same permutation code sparktrain's workers use.
    EpochSchedule shuffle = new EpochSchedule(n, batch, 1, seed);

    double[] epochSeconds = new double[timed];
    double cpuAtStart = Double.NaN;
    long timedStart = 0;
    for (int e = 0; e < warmup + timed; e++) {
      if (e == warmup) {
        cpuAtStart = BenchJson.processCpuSeconds();
        timedStart = System.nanoTime();
      }
      long t0 = System.nanoTime();
      int[] order = shuffle.permutation(e, 0, n);
      for (int from = 0; from < n; from += batch) {
        DataSet ds = assembler.assemble(train, order, from, Math.min(from + batch, n));
        net.fit(ds);
      }
      double s = (System.nanoTime() - t0) / 1e9;
      if (e >= warmup) {
        epochSeconds[e - warmup] = s;
      }
      BenchJson.log(WHO, String.format(Locale.ROOT, "%s epoch %d: %.2f s (%.0f ex/s), score %.4f",
          e < warmup ? "warm-up" : "timed", e + 1, s, n / s, net.score()));
    }
    double timedWall = (System.nanoTime() - timedStart) / 1e9;
    double cpuCores = (BenchJson.processCpuSeconds() - cpuAtStart) / timedWall;

    Evaluation eval = new Evaluation(Mnist.CLASSES);
    for (int from = 0; from < test.rows(); from += 1000) {
      DataSet ds = assembler.assemble(test, null, from, Math.min(from + 1000, test.rows()));
      INDArray out = net.output(ds.getFeatures(), false);
      eval.eval(ds.getLabels(), out);
    }

    double sum = 0;
    List<Double> epochs = new ArrayList<>();
    double[] rates = new double[timed];
    for (int i = 0; i < timed; i++) {
      sum += epochSeconds[i];
      epochs.add(BenchJson.round(epochSeconds[i], 3));
      rates[i] = n / epochSeconds[i];
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("system", "single-jvm");
    json.put("batch", batch);
    json.put("trainExamples", n);
    json.put("testExamples", test.rows());
    json.put("warmupEpochs", warmup);
    json.put("timedEpochs", timed);
    json.put("epochSeconds", epochs);
    json.put("examplesPerSec", BenchJson.round((double) n * timed / sum, 1));
    json.put("medianEpochExamplesPerSec", BenchJson.round(BenchJson.median(rates), 1));
    json.put("testAccuracy", BenchJson.round(eval.accuracy(), 4));
    json.put("cpuCoresTimed", BenchJson.round(cpuCores, 2));
    json.put("nd4jThreads", Nd4j.getEnvironment().maxMasterThreads());
    json.put("availableProcessors", Runtime.getRuntime().availableProcessors());
    json.put("nativeKernels", NativeKernels.loadedBuild().map(NativeBuild::key).orElse("?"));
    System.out.println(BenchJson.line(json));
  }
}
