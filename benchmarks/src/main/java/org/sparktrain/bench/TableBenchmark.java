package org.sparktrain.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.hadoop.conf.Configuration;
import org.nd4j.linalg.factory.Nd4j;
import org.sparktrain.driver.data.DataPreparation;
import org.sparktrain.driver.data.PreparedData;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.driver.run.PredictJob;
import org.sparktrain.driver.run.TablePredictJob;
import org.sparktrain.driver.run.TrainJob;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.cluster.SparkSetup;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.train.ThreadLimits;

/**
 * Tables against files, on MNIST (issue #11's benchmark), in one local[2] Spark:
 *
 * <ol>
 *   <li>Reading and preparing (read, parse, split, normalize, shard) the same rows from Parquet
 *       (an array column, two files), CSV and IDX: rows/s and bytes on disk, beside the physical limit of
 *       reading those bytes with one thread.
 *   <li>Batch inference with the 784-256-256-10 MLP: {@code predict} of the Parquet table on
 *       the executors (read, encode, score, write) against {@code predict} of the same rows as
 *       CSV in one JVM (read, parse, score, write), and against one JVM scoring the rows
 *       already in memory, on one ND4J thread and on ND4J's default threads, beside the limit
 *       of two one-thread scorers at once.
 * </ol>
 *
 * Repetitions are interleaved; medians are printed as markdown rows.
 */
public final class TableBenchmark {
  private static final String USAGE = "TableBenchmark --mnist DIR [--rows 60000] [--reps 3]";
  private static final int BATCH = 1024;

  private TableBenchmark() {}

  public static void main(String[] argv) throws Exception {
    BenchArgs args = BenchArgs.parse(argv, Set.of("mnist", "rows", "reps"), USAGE);
    if (!args.has("mnist")) {
      BenchArgs.fail("--mnist is required", USAGE);
    }
    Path mnist = Path.of(args.string("mnist", null));
    int rows = args.integer("rows", 60_000, 100, USAGE);
    int reps = args.integer("reps", 3, 1, USAGE);
    Path work = Files.createTempDirectory("table-bench");
    try (JavaSparkContext sc = SparkSetup.start("local[2]", "table-benchmark")) {
      SparkSession spark = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
      ExampleBlock block = Mnist.read(mnist, Mnist.TRAIN_IMAGES, Mnist.TRAIN_LABELS, rows);
      Path[] idx = Mnist.truncatedTrainCopy(mnist, rows,
          Files.createDirectories(work.resolve("idx-dir")));
      Path csv = writeCsv(block, work.resolve("mnist.csv"));
      Path parquet = work.resolve("mnist.parquet");
      writeParquet(spark, block, parquet);
      String idxData = "{uri: '" + idx[0] + "', format: idx, labelsUri: '" + idx[1] + "'";
      String csvData = "{uri: '" + csv + "'";
      String parquetData = "{uri: '" + parquet + "', format: parquet, labelColumn: label";
      String[] names = {"parquet", "csv", "idx"};
      String[] data = {parquetData, csvData, idxData};
      long[] bytes = {size(parquet), size(csv), size(idx[0]) + size(idx[1])};
      double[][] prepare = new double[3][reps];
      double[][] rawRead = new double[3][reps];
      for (int rep = 0; rep < reps; rep++) {
        for (int f = 0; f < 3; f++) {
          prepare[f][rep] = prepareSeconds(sc, data[f]);
          rawRead[f][rep] = readSeconds(f == 0 ? parquet : f == 1 ? csv : idx[0],
              f == 2 ? idx[1] : null);
          System.err.printf(Locale.ROOT, "[table] rep %d %s: prepare %.2f s, raw read %.3f s%n",
              rep + 1, names[f], prepare[f][rep], rawRead[f][rep]);
        }
      }
      System.out.println("| source | bytes on disk | prepare s | rows/s | vs csv | raw read s |");
      System.out.println("|---|---|---|---|---|---|");
      double csvRate = rows / median(prepare[1]);
      for (int f = 0; f < 3; f++) {
        double rate = rows / median(prepare[f]);
        System.out.printf(Locale.ROOT, "| %s | %,d | %.2f | %,.0f | %.2fx | %.3f |%n", names[f],
            bytes[f], median(prepare[f]), rate, rate / csvRate, median(rawRead[f]));
      }

      // A model to score with: one epoch on the table (its weights do not change the cost).
      Path run = work.resolve("run");
      TrainJob.run(sc, JobSpecParser.parse("data: " + parquetData + ", numClasses: 10}\n"
          + "preprocess: {normalize: scale}\nmodel: {name: mlp, hidden: [256, 256]}\n"
          + "train: {epochs: 1, batchSize: 32, workers: 2}\noutput: {dir: '" + run + "'}\n",
          null), false);
      String model = run.resolve("model").toString();
      // The same network trained on the CSV rows: what `sparktrain predict` of CSV (one JVM,
      // read, score in minibatches, write) runs.
      Path csvRun = work.resolve("csv-run");
      TrainJob.run(sc, JobSpecParser.parse("data: " + csvData + ", numClasses: 10}\n"
          + "preprocess: {normalize: scale}\nmodel: {name: mlp, hidden: [256, 256]}\n"
          + "train: {epochs: 1, batchSize: 32, workers: 2}\noutput: {dir: '" + csvRun + "'}\n",
          null), false);
      String csvModel = csvRun.resolve("model").toString();
      ModelBundle bundle = ModelBundle.load(model, new Configuration());
      List<float[]> inMemory = new ArrayList<>();
      for (int r = 0; r < block.rows(); r++) {
        float[] x = Arrays.copyOfRange(block.features(), r * 784, (r + 1) * 784);
        for (int i = 0; i < x.length; i++) {
          x[i] *= 255f;
        }
        inMemory.add(x);
      }
      JobSpec.Table source = new JobSpec.Table("parquet", Map.of(), null, null,
          List.of(), null, null, 0);
      double[] distributed = new double[reps];
      double[] oneThread = new double[reps];
      double[] defaultThreads = new double[reps];
      double[] twoAtOnce = new double[reps];
      double[] predictCsv = new double[reps];
      int defaultNd4jThreads = Nd4j.getEnvironment().maxThreads();
      for (int rep = 0; rep < reps; rep++) {
        long t0 = System.nanoTime();
        TablePredictJob.run(sc, model, source, parquet.toUri().toString(),
            work.resolve("predictions-" + rep).toString(), "parquet", false);
        distributed[rep] = (System.nanoTime() - t0) / 1e9;
        ThreadLimits.apply(defaultNd4jThreads);
        t0 = System.nanoTime();
        PredictJob.run(csvModel, csv.toString(), work.resolve("predictions-" + rep + ".csv")
            .toString(), 784, false, false, new Configuration());
        predictCsv[rep] = (System.nanoTime() - t0) / 1e9;
        ThreadLimits.apply(1);
        oneThread[rep] = scoreSeconds(model, bundle, inMemory, 1);
        twoAtOnce[rep] = scoreSeconds(model, bundle, inMemory, 2);
        ThreadLimits.apply(defaultNd4jThreads);
        defaultThreads[rep] = scoreSeconds(model, bundle, inMemory, 1);
        System.err.printf(Locale.ROOT, "[table] rep %d predict: distributed %.2f s, one JVM "
            + "1 thread %.2f s, default threads %.2f s, two 1-thread scorers %.2f s, predict "
            + "of CSV in one JVM %.2f s%n", rep + 1, distributed[rep], oneThread[rep],
            defaultThreads[rep], twoAtOnce[rep], predictCsv[rep]);
      }
      double d = rows / median(distributed);
      double one = rows / median(oneThread);
      double def = rows / median(defaultThreads);
      double limit = rows / median(twoAtOnce);
      double csvPredict = rows / median(predictCsv);
      System.out.println();
      System.out.println("| predict | rows/s | vs predict of CSV in one JVM | vs one JVM, "
          + "1 thread | vs one JVM, " + defaultNd4jThreads + " threads |");
      System.out.println("|---|---|---|---|---|");
      System.out.printf(Locale.ROOT, "| distributed (local[2], read+encode+score+write) | %,.0f "
          + "| %.2fx | %.2fx | %.2fx |%n", d, d / csvPredict, d / one, d / def);
      System.out.printf(Locale.ROOT, "| predict of CSV in one JVM (read+parse+score+write) | "
          + "%,.0f | 1.00x | %.2fx | %.2fx |%n", csvPredict, csvPredict / one, csvPredict / def);
      System.out.printf(Locale.ROOT, "| one JVM, 1 thread (in memory, score only) | %,.0f | "
          + "%.2fx | 1.00x | %.2fx |%n", one, one / csvPredict, one / def);
      System.out.printf(Locale.ROOT, "| one JVM, %d threads (in memory, score only) | %,.0f | "
          + "%.2fx | %.2fx | 1.00x |%n", defaultNd4jThreads, def, def / csvPredict, def / one);
      System.out.printf(Locale.ROOT, "| limit: two 1-thread scorers at once | %,.0f | %.2fx | "
          + "%.2fx | %.2fx |%n", limit, limit / csvPredict, limit / one, limit / def);
    } finally {
      try (var paths = Files.walk(work)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    System.exit(0);
  }

  private static double prepareSeconds(JavaSparkContext sc, String data) throws IOException {
    JobSpec spec = JobSpecParser.parse("data: " + data + ", numClasses: 10}\n"
        + "preprocess: {normalize: scale}\nmodel: {name: mlp}\ntrain: {workers: 2}\n", null);
    long t0 = System.nanoTime();
    PreparedData prepared = DataPreparation.prepare(sc, spec,
        DataPreparation.Selection.SPEC_SPLIT);
    double s = (System.nanoTime() - t0) / 1e9;
    prepared.release();
    return s;
  }

  /** Scores the rows in minibatches on {@code threads} threads, each taking a share. */
  private static double scoreSeconds(String model, ModelBundle bundle, List<float[]> rows,
      int threads) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      long t0 = System.nanoTime();
      List<Future<?>> parts = new ArrayList<>();
      int share = (rows.size() + threads - 1) / threads;
      for (int t = 0; t < threads; t++) {
        int from = t * share;
        int to = Math.min(rows.size(), from + share);
        // Each thread its own network: DL4J networks are not safe to share between threads.
        ModelBundle own = threads == 1 ? bundle : ModelBundle.load(model, new Configuration());
        parts.add(pool.submit(() -> {
          for (int b = from; b < to; b += BATCH) {
            List<float[]> batch = new ArrayList<>();
            for (float[] x : rows.subList(b, Math.min(to, b + BATCH))) {
              batch.add(x.clone());
            }
            PredictJob.outputs(own, batch);
          }
          return null;
        }));
      }
      for (Future<?> f : parts) {
        f.get();
      }
      return (System.nanoTime() - t0) / 1e9;
    } finally {
      pool.shutdownNow();
    }
  }

  private static Path writeCsv(ExampleBlock block, Path file) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file)) {
      StringBuilder sb = new StringBuilder();
      for (int r = 0; r < block.rows(); r++) {
        sb.setLength(0);
        for (int i = 0; i < 784; i++) {
          sb.append(Math.round(block.features()[r * 784 + i] * 255f)).append(',');
        }
        sb.append((int) block.labels()[r]).append('\n');
        w.write(sb.toString());
      }
    }
    return file;
  }

  private static void writeParquet(SparkSession spark, ExampleBlock block, Path dir) {
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < block.rows(); r++) {
      float[] pixels = new float[784];
      for (int i = 0; i < 784; i++) {
        pixels[i] = Math.round(block.features()[r * 784 + i] * 255f);
      }
      Float[] boxed = new Float[784];
      for (int i = 0; i < 784; i++) {
        boxed[i] = pixels[i];
      }
      rows.add(RowFactory.create(boxed, (int) block.labels()[r]));
    }
    StructType schema = DataTypes.createStructType(List.of(
        DataTypes.createStructField("pixels", DataTypes.createArrayType(DataTypes.FloatType),
            false),
        DataTypes.createStructField("label", DataTypes.IntegerType, false)));
    // Two files of consecutive rows, as tables usually come in several: one task reads each.
    spark.createDataFrame(rows, schema).coalesce(2).write().parquet(dir.toString());
  }

  private static long size(Path p) throws IOException {
    try (var paths = Files.walk(p)) {
      return paths.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }

  /** Seconds to read every byte of the files (the I/O floor of preparing them). */
  private static double readSeconds(Path first, Path second) throws IOException {
    long t0 = System.nanoTime();
    byte[] buf = new byte[1 << 20];
    for (Path root : second == null ? new Path[] {first} : new Path[] {first, second}) {
      try (var paths = Files.walk(root)) {
        for (Path f : paths.filter(Files::isRegularFile).toList()) {
          try (InputStream in = Files.newInputStream(f)) {
            while (in.read(buf) > 0) {
              // read only
            }
          }
        }
      }
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
