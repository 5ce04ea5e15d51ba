package org.sparktrain.driver.cluster;

import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.output.ClusterPeak;
import org.sparktrain.worker.backend.PeakGemm;

/**
 * Before training: the peak of the machines the workers run on, measured by each executor JVM
 * once (PeakGemm caches it) in one small job, or by this JVM in local mode. A run that cannot
 * measure still trains: its summary then has no utilization.
 */
public final class PeakCheck {
  private static final Logger LOG = LoggerFactory.getLogger(PeakCheck.class);

  private PeakCheck() {}

  /** The measured peak, or null when measuring failed. */
  public static ClusterPeak run(JavaSparkContext sc, int workers) {
    try {
      ClusterPeak peak = ClusterPeak.of(SparkSetup.isLocalThreads(sc.master())
          ? List.of(new ClusterPeak.Host(host(), PeakGemm.measured()))
          : onExecutors(sc, workers));
      LOG.info("measured peak (sgemm {}x{}): {} GFLOP/s on all cores of {} host(s), {} GFLOP/s "
          + "per core", PeakGemm.SIZE, PeakGemm.SIZE, round(peak.allCoresGflops()),
          peak.hosts().size(), round(peak.perCoreGflops()));
      return peak;
    } catch (RuntimeException | LinkageError e) {
      LOG.warn("could not measure the machines' peak ({}); the run reports no utilization",
          e.toString());
      return null;
    }
  }

  private static List<ClusterPeak.Host> onExecutors(JavaSparkContext sc, int workers) {
    sc.setJobDescription("peak FLOP/s check");
    try {
      return sc.parallelize(IntStream.range(0, workers).boxed().toList(), workers)
          .map(i -> new ClusterPeak.Host(host(), PeakGemm.measured())).collect();
    } finally {
      sc.setJobDescription(null);
    }
  }

  /** The host Spark knows this JVM by. */
  private static String host() {
    return SparkEnv.get().blockManager().blockManagerId().host();
  }

  private static String round(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
