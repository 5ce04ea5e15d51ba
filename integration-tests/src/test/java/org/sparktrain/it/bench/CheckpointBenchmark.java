package org.sparktrain.it.bench;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.driver.checkpoint.CheckpointContent;
import org.sparktrain.driver.checkpoint.CheckpointStore;
import org.sparktrain.driver.output.Json;
import org.sparktrain.driver.run.TrainJob;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.output.RoundMetrics;
import org.sparktrain.driver.cluster.SparkSetup;
import org.sparktrain.it.fixtures.S3Server;
import org.sparktrain.it.fixtures.SharedHdfs;
import org.sparktrain.worker.data.Normalizer;
import org.sparktrain.worker.train.ModelSnapshot;

/**
 * Checkpoint benchmark (a program, not a test; run with integration-tests/run-checkpoint-bench.sh):
 * (1) writing a 100 MB model state as a checkpoint to HDFS and to S3 against a plain FileSystem
 * write of the same bytes; (2) training throughput with a checkpoint every round against none.
 * Medians of several interleaved runs; prints a Markdown table and writes JSON.
 */
public final class CheckpointBenchmark {
  private static final int STATE_FLOATS = 25_000_000; // 100 MB of float32

  private CheckpointBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path mnist = Path.of(args.length > 0 ? args[0] : "../../shared/data/mnist");
    int reps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path out = Path.of(args.length > 2 ? args[2] : "../benchmarks/results/checkpoint.json");
    Map<String, Object> doc = new LinkedHashMap<>();
    StringBuilder md = new StringBuilder("## Checkpoint benchmark\n\n");

    SharedHdfs hdfs = SharedHdfs.shared();
    S3Server s3 = S3Server.shared();
    Configuration conf = s3.hadoopConf(new Configuration(hdfs.configuration()));
    CheckpointContent state = bigState();
    md.append("### Writing a 100 MB model state (params 1/3, Adam state 2/3)\n\n")
        .append("| target | checkpoint MB/s | plain copy MB/s | ratio |\n|---|---:|---:|---:|\n");
    for (String[] target : new String[][] {{"hdfs", hdfs.uri() + "/bench"}, {"file", "file:/tmp/ckbench"},
        {"s3", s3.s3aRoot() + "/bench"}}) {
      // Warm-up: JIT and the file-system clients' first connections are not what we measure.
      new CheckpointStore(target[1] + "/warmup/run", conf).write(state);
      plainWrite(target[1] + "/warmup/plain.bin", conf);
      List<Double> ckpt = new ArrayList<>();
      List<Double> plain = new ArrayList<>();
      for (int rep = 0; rep < reps; rep++) {
        String root = target[1] + "/rep" + rep;
        // Which goes first alternates: the one after another write shares the store with its
        // background work (an HDFS DataNode's flushes, the page cache's write-back).
        for (int turn = 0; turn < 2; turn++) {
          boolean checkpointTurn = (turn + rep) % 2 == 0;
          long t0 = System.nanoTime();
          if (checkpointTurn) {
            new CheckpointStore(root + "/run", conf).write(state);
          } else {
            plainWrite(root + "/plain.bin", conf);
          }
          (checkpointTurn ? ckpt : plain).add(100.0 / ((System.nanoTime() - t0) / 1e9));
        }
        FileSystem.get(new org.apache.hadoop.fs.Path(root).toUri(), conf)
            .delete(new org.apache.hadoop.fs.Path(root), true);
      }
      double c = median(ckpt);
      double p = median(plain);
      doc.put(target[0] + "WriteMBps", Map.of("checkpoint", ckpt, "plainCopy", plain));
      md.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.2fx |%n", target[0], c, p,
          c / p));
      System.err.printf("%s: checkpoint %s MB/s, plain %s MB/s%n", target[0], ckpt, plain);
    }

    md.append("\n### Training with a checkpoint every round (MNIST MLP 784-256-256-10, Adam, "
        + "2 workers, H=5, 1 epoch, checkpoints on HDFS)\n\n")
        .append("| checkpoints | ex/s (median) | ratio |\n|---|---:|---:|\n");
    List<Double> none = new ArrayList<>();
    List<Double> every = new ArrayList<>();
    try (JavaSparkContext sc = new JavaSparkContext(s3.sparkConf(
        SparkSetup.conf("local[2]", "checkpoint-bench")))) {
      for (int rep = 0; rep < reps; rep++) {
        for (boolean checkpoints : new boolean[] {false, true}) {
          String run = hdfs.uri() + "/bench-train/" + rep + (checkpoints ? "-every" : "-none");
          JobSpec spec = mnistSpec(mnist, run, checkpoints);
          TrainJob.Result r = TrainJob.run(sc, spec, false);
          double exs = r.model().examplesPerSec();
          (checkpoints ? every : none).add(exs);
          System.err.printf("rep %d checkpoints=%s: %.0f ex/s %s%n", rep, checkpoints, exs,
              r.summary().get("checkpoints"));
        }
      }
    }
    doc.put("trainingExamplesPerSec", Map.of("none", none, "everyRound", every));
    md.append(String.format(Locale.ROOT, "| none | %.0f | 1.00x |%n| every round | %.0f | "
        + "%.3fx |%n", median(none), median(every), median(every) / median(none)));
    md.append("\nMedians of ").append(reps).append(" interleaved runs.\n");
    doc.put("markdown", md.toString());
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, Json.pretty(doc));
    Files.writeString(out.resolveSibling("checkpoint.md"), md.toString());
    System.out.println(md);
    System.exit(0);
  }

  private static JobSpec mnistSpec(Path mnist, String run, boolean checkpoints) {
    String m = mnist.toAbsolutePath().toString();
    return JobSpecParser.parse("""
        data: {uri: '%s/train-images-idx3-ubyte.gz', labelsUri: '%s/train-labels-idx1-ubyte.gz',
               format: idx, numClasses: 10, split: {train: 1.0, validation: 0, test: 0}}
        preprocess: {normalize: scale}
        model: {name: mlp, hidden: [256, 256]}
        train: {epochs: 1, batchSize: 32, workers: 2, averagingFrequency: 5}
        checkpoint: %s
        output: {dir: '%s'}
        """.formatted(m, m, checkpoints ? "{everyRounds: 1, keepLast: 2}"
        : "{everyEpoch: false, everyRounds: 0}", run), null);
  }

  private static CheckpointContent bigState() {
    Random r = new Random(1);
    float[] params = new float[STATE_FLOATS / 3];
    float[] state = new float[STATE_FLOATS - params.length];
    for (int i = 0; i < params.length; i++) {
      params[i] = (float) r.nextGaussian();
    }
    for (int i = 0; i < state.length; i++) {
      state[i] = (float) r.nextGaussian();
    }
    return new CheckpointContent(1, new ModelSnapshot(params, new float[][] {state}, 1, 0), "{}",
        Normalizer.identity(1), "data: {uri: x}\n", List.<RoundMetrics>of(), 0, 0, 0);
  }

  private static void plainWrite(String uri, Configuration conf) throws Exception {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(uri);
    byte[] chunk = new byte[1 << 20];
    ByteBuffer.wrap(chunk).asFloatBuffer().put(new float[chunk.length / 4]);
    try (OutputStream o = p.getFileSystem(conf).create(p, true)) {
      for (int i = 0; i < 100; i++) {
        o.write(chunk);
      }
    }
  }

  private static double median(List<Double> v) {
    double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(a);
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }
}
