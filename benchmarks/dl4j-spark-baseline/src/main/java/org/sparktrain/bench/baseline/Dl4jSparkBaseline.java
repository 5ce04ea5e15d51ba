package org.sparktrain.bench.baseline;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Baseline (c): DL4J's own Spark trainer (dl4j-spark 1.0.0-M2, {@link ParameterAveragingTrainingMaster})
 * on MNIST with an MLP 784-256-256-10, Adam 1e-3, local[W]. Runs warm-up epochs untimed, times each
 * further epoch (wall clock around one {@code fit} call), evaluates on the 10k test set on the driver,
 * and prints / appends one JSON line.
 */
public final class Dl4jSparkBaseline {

    private static final int PIXELS = 28 * 28;
    private static final int CLASSES = 10;

    private Dl4jSparkBaseline() {
    }

    /** Parsed command line. */
    static final class Options {
        Path mnist;
        int averagingFrequency = 5;
        int workers = 2;
        int batch = 32;
        int warmupEpochs = 1;
        int timedEpochs = 3;
        long seed = 42;
        int limit = -1;
        Path output;
        RDDTrainingApproach approach = RDDTrainingApproach.Export;
        boolean kryo;
        Path exportParent;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String v = null;
                int eq = a.indexOf('=');
                if (a.startsWith("--") && eq > 0) {
                    v = a.substring(eq + 1);
                    a = a.substring(0, eq);
                }
                if (a.equals("--help") || a.equals("-h")) {
                    usage(null);
                }
                if (a.equals("--kryo")) {
                    o.kryo = true;
                    continue;
                }
                if (v == null) {
                    if (i + 1 >= args.length) {
                        usage("missing value for " + a);
                    }
                    v = args[++i];
                }
                try {
                    switch (a) {
                        case "--mnist" -> o.mnist = Path.of(v);
                        case "--averaging-frequency" -> o.averagingFrequency = Integer.parseInt(v);
                        case "--workers" -> o.workers = Integer.parseInt(v);
                        case "--batch" -> o.batch = Integer.parseInt(v);
                        case "--warmup-epochs" -> o.warmupEpochs = Integer.parseInt(v);
                        case "--timed-epochs" -> o.timedEpochs = Integer.parseInt(v);
                        case "--seed" -> o.seed = Long.parseLong(v);
                        case "--limit" -> o.limit = Integer.parseInt(v);
                        case "--output" -> o.output = Path.of(v);
                        case "--export-dir" -> o.exportParent = Path.of(v);
                        case "--approach" -> o.approach = RDDTrainingApproach.valueOf(
                                v.substring(0, 1).toUpperCase(Locale.ROOT) + v.substring(1).toLowerCase(Locale.ROOT));
                        default -> usage("unknown option " + a);
                    }
                } catch (IllegalArgumentException e) {
                    usage("bad value for " + a + ": " + v);
                }
            }
            if (o.mnist == null) {
                usage("--mnist DIR is required");
            }
            if (o.averagingFrequency < 1 || o.workers < 1 || o.batch < 1 || o.warmupEpochs < 0
                    || o.timedEpochs < 1) {
                usage("averaging-frequency, workers, batch, timed-epochs must be >= 1; warmup-epochs >= 0");
            }
            return o;
        }

        static void usage(String error) {
            if (error != null) {
                System.err.println("error: " + error);
            }
            System.err.println("usage: Dl4jSparkBaseline --mnist DIR [--averaging-frequency H(5)] [--workers W(2)]"
                    + " [--batch B(32)] [--warmup-epochs E(1)] [--timed-epochs T(3)] [--seed S(42)]"
                    + " [--limit N] [--output FILE] [--approach export|direct] [--kryo] [--export-dir PARENT]");
            System.exit(error == null ? 0 : 2);
        }
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);

        float[][] trainX = readImages(o.mnist, "train-images-idx3-ubyte", o.limit);
        int[] trainY = readLabels(o.mnist, "train-labels-idx1-ubyte", o.limit);
        float[][] testX = readImages(o.mnist, "t10k-images-idx3-ubyte", -1);
        int[] testY = readLabels(o.mnist, "t10k-labels-idx1-ubyte", -1);
        int n = Math.min(trainX.length, trainY.length);
        log("train examples " + n + ", test examples " + testX.length);

        // One DataSet of B examples per RDD element, as in DL4J's own Spark examples; the training
        // master is told so via Builder(rddDataSetNumExamples = B).
        List<DataSet> trainBatches = toBatches(trainX, trainY, n, o.batch);
        List<DataSet> testBatches = toBatches(testX, testY, testX.length, 1000);
        trainX = null; // let the arrays go; the DataSets hold copies

        SparkConf conf = new SparkConf()
                .setMaster("local[" + o.workers + "]")
                .setAppName("dl4j-spark-baseline")
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1");
        if (o.kryo) {
            // DL4J's documented Kryo setup: Spark Kryo + ND4J's registrator (INDArrays break otherwise).
            conf.set("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                    .set("spark.kryo.registrator", "org.nd4j.kryo.Nd4jRegistrator");
        }

        MultiLayerConfiguration netConf = new NeuralNetConfiguration.Builder()
                .seed(o.seed)
                .weightInit(WeightInit.XAVIER)
                .updater(new Adam(1e-3))
                .list()
                .layer(new DenseLayer.Builder().nIn(PIXELS).nOut(256).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nIn(256).nOut(256).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nIn(256).nOut(CLASSES).activation(Activation.SOFTMAX).build())
                .build();

        // Export writes the training set as serialized minibatches of B; DL4J never deletes them
        // (default place: ${hadoop.tmp.dir}/dl4j), so use a private folder and delete it at the end.
        Path exportDir = o.exportParent == null ? Files.createTempDirectory("dl4j-spark-baseline-export")
                : Files.createTempDirectory(Files.createDirectories(o.exportParent), "dl4j-spark-baseline-export");
        ParameterAveragingTrainingMaster tm = new ParameterAveragingTrainingMaster.Builder(o.batch)
                .averagingFrequency(o.averagingFrequency)
                .workerPrefetchNumBatches(2)
                .batchSizePerWorker(o.batch)
                .rddTrainingApproach(o.approach)
                .exportDirectory(exportDir.toUri().toString())
                .build();

        double[] epochSeconds = new double[o.timedEpochs];
        double accuracy;
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            sc.setLogLevel("WARN");
            SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(sc, netConf, tm);
            // Not cached by us: with Export, DL4J exports this RDD once (first fit) and reuses the
            // export for later fits of the same RDD; with Direct, DL4J persists it itself (and fails
            // on an RDD that already has a storage level).
            JavaRDD<DataSet> trainRdd = sc.parallelize(trainBatches, o.workers);

            for (int e = 0; e < o.warmupEpochs; e++) {
                long t0 = System.nanoTime();
                sparkNet.fit(trainRdd);
                log(String.format(Locale.ROOT, "warm-up epoch %d: %.2f s", e + 1, (System.nanoTime() - t0) / 1e9));
            }
            for (int e = 0; e < o.timedEpochs; e++) {
                long t0 = System.nanoTime();
                sparkNet.fit(trainRdd);
                epochSeconds[e] = (System.nanoTime() - t0) / 1e9;
                log(String.format(Locale.ROOT, "timed epoch %d: %.2f s (%.0f ex/s)", e + 1, epochSeconds[e],
                        n / epochSeconds[e]));
            }

            Evaluation eval = sparkNet.getNetwork().evaluate(new ListDataSetIterator<>(testBatches, 1000));
            accuracy = eval.accuracy();
        } finally {
            deleteRecursively(exportDir);
        }

        double sum = Arrays.stream(epochSeconds).sum();
        double examplesPerSec = (double) n * o.timedEpochs / sum;
        double[] perEpoch = Arrays.stream(epochSeconds).map(s -> n / s).sorted().toArray();
        double median = perEpoch.length % 2 == 1 ? perEpoch[perEpoch.length / 2]
                : (perEpoch[perEpoch.length / 2 - 1] + perEpoch[perEpoch.length / 2]) / 2;

        StringBuilder json = new StringBuilder();
        json.append("{\"system\":\"dl4j-spark\",\"version\":\"1.0.0-M2\"")
                .append(",\"averagingFrequency\":").append(o.averagingFrequency)
                .append(",\"workers\":").append(o.workers)
                .append(",\"batchPerWorker\":").append(o.batch)
                .append(",\"trainExamples\":").append(n)
                .append(",\"epochSeconds\":[");
        for (int i = 0; i < epochSeconds.length; i++) {
            json.append(i == 0 ? "" : ",").append(fmt(epochSeconds[i], 3));
        }
        json.append("],\"examplesPerSec\":").append(fmt(examplesPerSec, 1))
                .append(",\"medianEpochExamplesPerSec\":").append(fmt(median, 1))
                .append(",\"testAccuracy\":").append(fmt(accuracy, 4))
                .append('}');
        String line = json.toString();
        System.out.println(line);
        if (o.output != null) {
            Path parent = o.output.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(o.output, line + System.lineSeparator(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log("could not delete export folder " + dir + ": " + e);
        }
    }

    private static String fmt(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static void log(String msg) {
        System.err.println("[dl4j-spark-baseline] " + msg);
    }

    private static List<DataSet> toBatches(float[][] x, int[] y, int n, int batch) {
        List<DataSet> out = new ArrayList<>((n + batch - 1) / batch);
        for (int start = 0; start < n; start += batch) {
            int size = Math.min(batch, n - start);
            float[][] fx = new float[size][];
            float[][] fy = new float[size][CLASSES];
            for (int i = 0; i < size; i++) {
                fx[i] = x[start + i];
                fy[i][y[start + i]] = 1f;
            }
            INDArray features = Nd4j.create(fx);
            INDArray labels = Nd4j.create(fy);
            out.add(new DataSet(features, labels));
        }
        return out;
    }

    /** Opens {@code name.gz} or {@code name} in {@code dir}. */
    private static DataInputStream open(Path dir, String name) throws IOException {
        File gz = dir.resolve(name + ".gz").toFile();
        File plain = dir.resolve(name).toFile();
        InputStream in;
        if (gz.isFile()) {
            in = new GZIPInputStream(new FileInputStream(gz), 1 << 16);
        } else if (plain.isFile()) {
            in = new FileInputStream(plain);
        } else {
            throw new FileNotFoundException("neither " + gz + " nor " + plain + " exists");
        }
        return new DataInputStream(new BufferedInputStream(in, 1 << 16));
    }

    static float[][] readImages(Path dir, String name, int limit) throws IOException {
        try (DataInputStream in = open(dir, name)) {
            int magic = in.readInt();
            if (magic != 0x00000803) {
                throw new IOException(name + ": bad IDX image magic " + Integer.toHexString(magic));
            }
            int count = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            if (rows * cols != PIXELS) {
                throw new IOException(name + ": expected 28x28 images, got " + rows + "x" + cols);
            }
            int n = limit > 0 ? Math.min(limit, count) : count;
            float[][] out = new float[n][PIXELS];
            byte[] buf = new byte[PIXELS];
            for (int i = 0; i < n; i++) {
                in.readFully(buf);
                for (int p = 0; p < PIXELS; p++) {
                    out[i][p] = (buf[p] & 0xFF) / 255f;
                }
            }
            return out;
        }
    }

    static int[] readLabels(Path dir, String name, int limit) throws IOException {
        try (DataInputStream in = open(dir, name)) {
            int magic = in.readInt();
            if (magic != 0x00000801) {
                throw new IOException(name + ": bad IDX label magic " + Integer.toHexString(magic));
            }
            int count = in.readInt();
            int n = limit > 0 ? Math.min(limit, count) : count;
            byte[] buf = new byte[n];
            in.readFully(buf);
            int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                out[i] = buf[i] & 0xFF;
            }
            return out;
        }
    }
}
