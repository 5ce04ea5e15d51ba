package org.sparktrain.driver.cluster;

import java.util.Locale;
import org.apache.spark.SparkConf;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.SpecException;

/**
 * Refuses, before the first round, a run whose results Spark would refuse mid-run, saying which
 * setting to raise. With {@code train.sync: driver} every round collects every worker's
 * parameters and optimizer state on the driver, and Spark aborts a job whose results exceed
 * {@code spark.driver.maxResultSize} (1 GiB by default); with {@code collective} the driver
 * collects one snapshot per stretch. Each result, and the snapshot the driver sends, is also one
 * Kryo object, which must fit {@code spark.kryoserializer.buffer.max}.
 */
public final class ResultSizePreCheck {
  /** Per result: Kryo's and Spark's framing around the float arrays. */
  private static final long OVERHEAD_BYTES = 64 * 1024;

  private ResultSizePreCheck() {}

  /**
   * @param snapshotBytes the parameters and optimizer state one worker returns (what a
   *     snapshot with one state holds)
   */
  public static void check(SparkConf conf, JobSpec.SyncMode mode, int workers,
      long snapshotBytes) {
    long perResult = snapshotBytes + OVERHEAD_BYTES;
    long kryoMax = conf.getSizeAsBytes("spark.kryoserializer.buffer.max", "64m");
    if (perResult > kryoMax) {
      throw new SpecException(String.format(Locale.ROOT, "one worker's parameters and optimizer "
          + "state take %s, above spark.kryoserializer.buffer.max (%s): raise it to at least "
          + "%s (it may be at most 2047m), e.g. --conf spark.kryoserializer.buffer.max=%dm",
          mib(perResult), mib(kryoMax), mib(perResult), perResult / (1 << 20) + 1));
    }
    long maxResult = conf.getSizeAsBytes("spark.driver.maxResultSize", "1g");
    long collected = mode == JobSpec.SyncMode.DRIVER ? workers * perResult : perResult;
    if (maxResult > 0 && collected > maxResult) {
      String what = mode == JobSpec.SyncMode.DRIVER
          ? "with train.sync: driver every round collects " + workers + " workers' parameters "
              + "and optimizer state on the driver"
          : "every collective stretch returns the snapshot to the driver";
      throw new SpecException(String.format(Locale.ROOT, "%s, %s, above "
          + "spark.driver.maxResultSize (%s): raise it to at least %s (e.g. --conf "
          + "spark.driver.maxResultSize=%dm, or 0 for no limit)%s", what, mib(collected),
          mib(maxResult), mib(collected), collected / (1 << 20) + 1,
          mode == JobSpec.SyncMode.DRIVER
              ? ", or use train.sync: collective, which collects one snapshot per stretch" : ""));
    }
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.0f MiB", bytes / (double) (1 << 20));
  }
}
