package org.sparktrain.worker.model;

import java.io.IOException;
import java.util.Locale;
import org.bytedeco.javacpp.Pointer;

/**
 * Whether this JVM can load a model of a given {@link ModelSize}, asked before any of it is read,
 * inflated or built. A model file is small when its weights are zeros, yet its configuration may
 * claim half a billion parameters: without this check the claim alone sized the buffers (a
 * 4.3 MB zip took 4.9 GB and ended in an {@code OutOfMemoryError}).
 *
 * <p>Loading holds the model's floats about twice on each side: on the heap the file's inflated
 * entries and the copy handed to DL4J, off-heap the array read and the network it becomes. Both
 * must fit this JVM's limits: the heap ({@code -Xmx}) and ND4J's off-heap limit
 * ({@code org.bytedeco.javacpp.maxbytes}).
 */
public final class ModelMemory {
  /** Parameters travel as one float[], so no more than Java can index. */
  public static final long MAX_PARAMS = Integer.MAX_VALUE - 8;
  /** Copies of the model's floats that loading holds at once, on the heap and off it. */
  static final int LOAD_COPIES = 2;
  private static final long MIB = 1 << 20;

  private ModelMemory() {}

  /**
   * The checks for the configuration a file carries: {@link #checkLoad(ModelSize, String)} on
   * the size it defines.
   *
   * @param source the file's name, for messages
   */
  public static void checkLoad(String configuration, String source) throws IOException {
    ModelSize size;
    try {
      size = ModelSize.of(NetworkConfig.fromJson(configuration));
    } catch (RuntimeException e) {
      throw new IOException(source + ": its configuration is not a network configuration "
          + "sparktrain can read: " + firstLine(e));
    }
    checkLoad(size, source);
  }

  /**
   * Throws, naming {@code source}, when the model has more parameters than {@link #MAX_PARAMS}
   * or loading it needs more heap or off-heap memory than this JVM may use.
   */
  public static void checkLoad(ModelSize size, String source) throws IOException {
    if (size.params() > MAX_PARAMS) {
      throw new IOException(String.format(Locale.ROOT, "%s: its configuration defines %,d "
          + "parameters; at most %,d are supported", source, size.params(), MAX_PARAMS));
    }
    long need = size.floatBytes() > Long.MAX_VALUE / LOAD_COPIES ? Long.MAX_VALUE
        : size.floatBytes() * LOAD_COPIES;
    long heap = Runtime.getRuntime().maxMemory();
    long offHeap = Pointer.maxBytes();
    if (need > heap || (offHeap > 0 && need > offHeap)) {
      throw new IOException(String.format(Locale.ROOT, "%s: its configuration defines %,d "
          + "parameters and %,d optimizer state values (%,d MiB as floats); loading them needs "
          + "about %,d MiB of heap and as much ND4J off-heap memory, but this JVM may use %,d "
          + "MiB of heap (-Xmx) and %,d MiB off-heap (org.bytedeco.javacpp.maxbytes). If the "
          + "file is genuine, run with more memory (bin/sparktrain reads SPARKTRAIN_JAVA_OPTS, "
          + "e.g. -Xmx%dg); a file that claims more than it holds is not a model", source,
          size.params(), size.stateValues(), size.floatBytes() / MIB, mib(need), heap / MIB,
          offHeap / MIB, need / (1L << 30) + 1));
    }
  }

  private static long mib(long bytes) {
    return bytes == Long.MAX_VALUE ? bytes : bytes / MIB;
  }

  private static String firstLine(RuntimeException e) {
    String m = String.valueOf(e.getMessage());
    return m.lines().findFirst().orElse(m);
  }
}
