package org.sparktrain.driver.cluster;

import java.util.Arrays;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.driver.monitor.SparktrainMetricsPlugin;
import org.sparktrain.driver.train.NativeKernelsPlugin;
import org.sparktrain.driver.train.SparkNativeKernels;

/** The Spark settings sparktrain needs, applied on top of whatever spark-submit passed. */
public final class SparkSetup {
  /**
   * Registers every wire type. Named, not referenced: Spark loads it by name, and the serde
   * package depends on this one's types, not the other way round (KryoRegistrationTest checks
   * the name).
   */
  public static final String KRYO_REGISTRATOR = "org.sparktrain.driver.serde.SparktrainKryoRegistrator";

  public static final String DEFAULT_MASTER = "local[*]";
  public static final String G1_REGION_FLAG = "-XX:G1HeapRegionSize=32m";
  static final String SERIAL_FILTER_PROPERTY = "jdk.serialFilter";

  private SparkSetup() {}

  /**
   * @param master a master URL from the command line, or null to keep spark-submit's (or run
   *     {@value #DEFAULT_MASTER} when there is none)
   */
  public static SparkConf conf(String master, String appName) {
    return conf(master, appName, new SparkConf());
  }

  /** Applies sparktrain's settings on top of {@code conf} (which it changes and returns). */
  public static SparkConf conf(String master, String appName, SparkConf conf) {
    conf.setAppName(appName);
    if (master != null) {
      conf.setMaster(master);
    } else if (!conf.contains("spark.master")) {
      conf.setMaster(DEFAULT_MASTER);
    }
    conf.set("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
    // Not spark.kryo.registrationRequired: in a user's own session it would make Spark ML's
    // classes fail (VectorUDT, the aggregators of LogisticRegression and random forests, the
    // streaming memory sink), which our registrator cannot list. The command line and the tests
    // turn it on (strictKryo) so that anything sparktrain ships unregistered fails loudly.
    conf.set("spark.kryo.registrator", KRYO_REGISTRATOR);
    // Parameters plus Adam state of a mid-size model exceed Kryo's 64 MB default buffer.
    conf.setIfMissing("spark.kryoserializer.buffer.max", "1g");
    // Parameters are float arrays: Kryo's unsafe streams copy them in bulk instead of one float
    // at a time, and random floats do not compress, so compressing broadcasts only costs time.
    conf.setIfMissing("spark.kryo.unsafe", "true");
    conf.setIfMissing("spark.kryoserializer.buffer", "4m");
    conf.setIfMissing("spark.broadcast.compress", "false");
    // Each round allocates parameter-sized arrays of several MB; with G1's default region size
    // they are "humongous" objects that trigger extra collections (measured: sync time per round
    // 64-78 ms -> 47-51 ms on the MNIST MLP). bin/sparktrain passes the same flag to the driver.
    appendExecutorOption(conf, "-XX:G1HeapRegionSize=", G1_REGION_FLAG);
    passSerialFilterToExecutors(conf, System.getProperty(SERIAL_FILTER_PROPERTY));
    // ND4J's arrays live off-heap: keep them within spark.executor.memoryOverhead (see
    // OffHeapLimits). In local[N] mode the executors are this JVM, whose limits bin/sparktrain
    // or the notebook chose.
    if (!isLocalThreads(conf.get("spark.master"))) {
      OffHeapLimits.derive(conf).applyTo(conf);
    }
    enableDeltaLakeIfPresent(conf);
    addPlugin(conf, SparktrainMetricsPlugin.class.getName());
    addPlugin(conf, NativeKernelsPlugin.class.getName());
    // The driver's own ND4J (and in local[N] the workers') loads after this: choose its kernels
    // now, from this configuration, while nothing has loaded them.
    SparkNativeKernels.choose(conf);
    // Worker results are a few MB; returning them directly saves a block-manager round trip.
    conf.setIfMissing("spark.task.maxDirectResultSize", "64m");
    // Our own progress line replaces Spark's console progress bar.
    conf.setIfMissing("spark.ui.showConsoleProgress", "false");
    if (conf.get("spark.master").startsWith("local")) {
      conf.setIfMissing("spark.driver.host", "127.0.0.1");
      conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
      conf.setIfMissing("spark.ui.enabled", "false");
    }
    return conf;
  }

  /**
   * Adds one of sparktrain's plugins next to any the user configured: training metrics through
   * Spark's metrics system (SparktrainMetricsPlugin), the executors' native kernels
   * (NativeKernelsPlugin).
   */
  static void addPlugin(SparkConf conf, String plugin) {
    String current = conf.get("spark.plugins", "").trim();
    if (!Arrays.asList(current.split("\\s*,\\s*")).contains(plugin)) {
      conf.set("spark.plugins", current.isEmpty() ? plugin : current + "," + plugin);
    }
  }

  /**
   * With Delta Lake's jar on the classpath (a user's {@code --packages io.delta:...}), the two
   * settings Delta documents, unless already set, so {@code format: delta} just works.
   */
  static void enableDeltaLakeIfPresent(SparkConf conf) {
    try {
      Class.forName("io.delta.sql.DeltaSparkSessionExtension", false,
          SparkSetup.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      return;
    }
    conf.setIfMissing("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension");
    conf.setIfMissing("spark.sql.catalog.spark_catalog",
        "org.apache.spark.sql.delta.catalog.DeltaCatalog");
  }

  /**
   * bin/sparktrain gives the driver JVM the Java deserialization filter of conf/java-serial-filter;
   * executors that a cluster manager starts (a standalone Worker for {@code --master spark://...})
   * would have none. They get the driver's, unless their options name a filter already
   * (deploy/submit.sh's, or the user's own).
   */
  static void passSerialFilterToExecutors(SparkConf conf, String filter) {
    if (filter != null && !filter.isBlank() && !filter.contains(" ")) {
      String option = "-D" + SERIAL_FILTER_PROPERTY + "=";
      appendExecutorOption(conf, option, option + filter);
    }
  }

  /** Adds {@code option} to the executors' JVM options unless one with its prefix is there. */
  private static void appendExecutorOption(SparkConf conf, String prefix, String option) {
    String current = conf.get("spark.executor.extraJavaOptions", "");
    if (!current.contains(prefix)) {
      conf.set("spark.executor.extraJavaOptions", (current + " " + option).trim());
    }
  }

  /** local / local[N] / local[N,F]: tasks run inside the driver JVM (not local-cluster). */
  public static boolean isLocalThreads(String master) {
    return master.equals("local") || master.startsWith("local[");
  }

  /**
   * Requires every class Kryo serializes to be registered: for sparktrain's own sessions (the
   * command line, the tests), where only sparktrain's classes travel and a missing
   * registration must fail loudly rather than cost bytes. A user's session keeps Spark's
   * default (see {@link #conf(String, String, SparkConf)}).
   */
  public static SparkConf strictKryo(SparkConf conf) {
    return conf.set("spark.kryo.registrationRequired", "true");
  }

  /** A context for sparktrain's own commands: its settings with strict Kryo. */
  public static JavaSparkContext start(String master, String appName) {
    return start(strictKryo(conf(master, appName)));
  }

  /** A context for a notebook user, who may run Spark ML of its own beside sparktrain. */
  public static JavaSparkContext startShared(String master, String appName) {
    return start(conf(master, appName));
  }

  private static JavaSparkContext start(SparkConf conf) {
    JavaSparkContext sc = new JavaSparkContext(conf);
    sc.setLogLevel("WARN");
    return sc;
  }

  /**
   * ND4J threads per task when the spec says 0 (auto): in local[N] the N task slots share this
   * machine's cores; on a cluster each task gets {@code spark.task.cpus} cores.
   */
  public static int autoThreadsPerWorker(JavaSparkContext sc, int workers) {
    String master = sc.master();
    if (isLocalThreads(master)) {
      int cores = Runtime.getRuntime().availableProcessors();
      return Math.max(1, cores / Math.max(1, Math.min(localSlots(master), workers)));
    }
    return sc.getConf().getInt("spark.task.cpus", 1);
  }

  /**
   * Whether Spark's non-daemon barrier timer runs in this JVM: on Spark 3.5 the first use of
   * {@code BarrierTaskContext.get()}, {@code barrier()} or {@code allGather} starts it for good,
   * so the JVM cannot end by returning from main. sparktrain's own barrier tasks no longer touch
   * it (see CollectiveTask); other code in the same JVM still may.
   */
  public static boolean barrierTimerRunsHere() {
    return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> !t.isDaemon()
        && t.getName().startsWith("Barrier task timer"));
  }

  /** Task slots of a local / local[N] / local[*] / local[N,F] master. */
  public static int localSlots(String master) {
    if (master.equals("local")) {
      return 1;
    }
    String inside = master.substring("local[".length(), master.indexOf(']'));
    String slots = inside.split(",")[0].trim();
    return slots.equals("*") ? Runtime.getRuntime().availableProcessors()
        : Integer.parseInt(slots);
  }
}
