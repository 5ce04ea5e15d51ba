package org.sparktrain.worker.backend;

import java.util.Locale;
import java.util.function.Supplier;
import org.bytedeco.javacpp.Pointer;

/**
 * Turns JavaCPP's out-of-memory errors into a message that names the limit and the Spark setting
 * to raise. ND4J keeps all array data off the Java heap, in memory JavaCPP counts against
 * {@code org.bytedeco.javacpp.maxbytes}, which sparktrain derives from Spark's executor memory
 * settings (JavaCPP's resident-size limit, {@code maxphysicalbytes}, is off unless a user set it:
 * {@link ResidentSizeCheck}).
 */
public final class NativeMemory {
  private NativeMemory() {}

  /** Runs {@code work}, turning JavaCPP's out-of-memory errors into {@link #explain}. */
  public static <T> T guard(String where, Supplier<T> work) {
    try {
      return work.get();
    } catch (OutOfMemoryError | RuntimeException e) {
      if (isOffHeapLimit(e)) {
        throw explain(e, where);
      }
      throw e;
    }
  }

  /** Whether {@code e} is JavaCPP refusing an allocation over its limits. */
  public static boolean isOffHeapLimit(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String m = String.valueOf(t.getMessage());
      if (t instanceof OutOfMemoryError && (m.contains("maxBytes") || m.contains("maxPhysicalBytes")
          || m.contains("Physical memory usage is too high") || m.contains("Cannot allocate"))) {
        return true;
      }
    }
    return false;
  }

  /** An error saying which limit was hit, how large it is, and what to raise. */
  public static OffHeapLimitException explain(Throwable e, String where) {
    return new OffHeapLimitException(String.format(Locale.ROOT,
        "%s ran out of ND4J off-heap memory: %s. This JVM allows %s off-heap "
            + "(org.bytedeco.javacpp.maxbytes)%s; sparktrain derives the limit from "
            + "spark.executor.memory and spark.executor.memoryOverhead. Raise "
            + "spark.executor.memoryOverhead (or lower train.batchSize or the model size).",
        where, e.getMessage(), mib(Pointer.maxBytes()),
        residentLimit(Pointer.maxPhysicalBytes())));
  }

  private static String residentLimit(long maxPhysicalBytes) {
    return maxPhysicalBytes > 0
        ? " and " + mib(maxPhysicalBytes) + " resident in all (maxphysicalbytes)" : "";
  }

  public static String mib(long bytes) {
    return String.format(Locale.ROOT, "%,d MiB", bytes >> 20);
  }

  /**
   * Thrown instead of JavaCPP's bare OutOfMemoryError. It has no cause on purpose: error
   * reporting shows the innermost message, and this one is the message a user needs (the
   * original is quoted in it).
   */
  public static final class OffHeapLimitException extends RuntimeException {
    OffHeapLimitException(String message) {
      super(message);
    }
  }
}
