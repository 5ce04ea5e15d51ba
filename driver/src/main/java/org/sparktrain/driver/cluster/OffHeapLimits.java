package org.sparktrain.driver.cluster;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.sparktrain.worker.backend.ResidentSizeCheck;

/**
 * ND4J's off-heap limits for executors, derived from Spark's memory settings.
 *
 * <p>ND4J keeps every array outside the Java heap, in memory JavaCPP allocates and counts. By
 * default JavaCPP allows as much off-heap memory as the heap is large (and twice that in all),
 * so an executor sized by {@code spark.executor.memory} can grow to about twice its size: on
 * YARN or Kubernetes the container is then killed with no word of why. Spark's room for native
 * memory is {@code spark.executor.memoryOverhead}; the limits below keep ND4J inside it, so an
 * oversized model fails with a message naming that setting instead.
 *
 * <p>JavaCPP's second limit, on the process's resident size, is turned off on executors: its
 * check costs a system call under a JVM-wide lock on every native allocation
 * ({@link ResidentSizeCheck}).
 *
 * @param maxBytes {@code org.bytedeco.javacpp.maxbytes}: the overhead less a reserve for the
 *     JVM's own native memory (metaspace, thread stacks, code cache, Netty buffers)
 */
public record OffHeapLimits(long maxBytes, long executorMemoryBytes, long overheadBytes) {
  static final String MAX_BYTES = "org.bytedeco.javacpp.maxbytes";
  private static final long MIB = 1L << 20;
  /** Spark's own floor and default factor for spark.executor.memoryOverhead. */
  private static final long MIN_OVERHEAD = 384 * MIB;
  private static final double DEFAULT_OVERHEAD_FACTOR = 0.10;
  /** What the JVM itself needs of the overhead: a quarter, at least 128 MiB. */
  private static final long MIN_JVM_RESERVE = 128 * MIB;

  /** The limits Spark's settings in {@code conf} imply, as Spark itself sizes containers. */
  public static OffHeapLimits derive(SparkConf conf) {
    long memory = conf.getSizeAsMb("spark.executor.memory", "1g") * MIB;
    long overhead;
    if (conf.contains("spark.executor.memoryOverhead")) {
      overhead = conf.getSizeAsMb("spark.executor.memoryOverhead") * MIB;
    } else {
      double factor = conf.getDouble("spark.executor.memoryOverheadFactor",
          DEFAULT_OVERHEAD_FACTOR);
      // In whole MiB, as Spark computes it.
      overhead = Math.max(MIN_OVERHEAD, (long) (factor * (memory / MIB)) * MIB);
    }
    long reserve = Math.max(MIN_JVM_RESERVE, overhead / 4);
    long maxBytes = Math.max(64 * MIB, overhead - reserve);
    return new OffHeapLimits(maxBytes, memory, overhead);
  }

  /**
   * Adds the limit, and the resident-size check turned off, to
   * {@code spark.executor.extraJavaOptions}, each unless the user set it there already (their
   * values then win, and {@link #effectiveMaxBytes} reads the limit back).
   */
  public void applyTo(SparkConf conf) {
    String options = conf.get("spark.executor.extraJavaOptions", "");
    if (!options.contains(MAX_BYTES + "=")) {
      options = options + " -D" + MAX_BYTES + "=" + maxBytes;
    }
    if (!ResidentSizeCheck.isNamedIn(options)) {
      options = options + " " + ResidentSizeCheck.OFF;
    }
    conf.set("spark.executor.extraJavaOptions", options.trim());
  }

  /** The limit executors actually get: a user's own -D flag, or the derived one. */
  public long effectiveMaxBytes(SparkConf conf) {
    String options = conf.get("spark.executor.extraJavaOptions", "");
    Matcher m = Pattern
        .compile("-D" + Pattern.quote(MAX_BYTES) + "=(\\S+)").matcher(options);
    return m.find() ? parseJavaCppSize(m.group(1)) : maxBytes;
  }

  /** JavaCPP's size syntax: bytes, or a number with k/m/g/t (powers of 1024). */
  static long parseJavaCppSize(String s) {
    String v = s.trim().toLowerCase(Locale.ROOT);
    long unit = 1;
    char last = v.charAt(v.length() - 1);
    int exponent = "kmgt".indexOf(last);
    if (exponent >= 0) {
      unit = 1L << (10 * (exponent + 1));
      v = v.substring(0, v.length() - 1);
    }
    return (long) (Double.parseDouble(v) * unit);
  }

  public String describe() {
    return String.format(Locale.ROOT, "ND4J off-heap limit per executor %,d MiB (maxbytes), "
        + "from spark.executor.memory=%,d MiB and spark.executor.memoryOverhead=%,d MiB",
        maxBytes / MIB, executorMemoryBytes / MIB, overheadBytes / MIB);
  }
}
