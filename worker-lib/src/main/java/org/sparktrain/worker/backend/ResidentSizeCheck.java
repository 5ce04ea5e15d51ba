package org.sparktrain.worker.backend;

/**
 * JavaCPP's check of the process's resident size, which sparktrain turns off.
 *
 * <p>With {@code org.bytedeco.javacpp.maxphysicalbytes} above zero (JavaCPP's default: maxbytes
 * plus three times the heap), every native allocation reads {@code /proc/self/statm} while it
 * holds a lock shared by the whole JVM. ND4J allocates small native buffers for nearly every
 * operation, so training threads spent a large share of their time there: on the MNIST spine
 * benchmark, turning the check off made one single-thread JVM 17% faster and two workers in one
 * JVM 35% faster (they also queue for the lock). ND4J's own arrays stay limited by
 * {@code org.bytedeco.javacpp.maxbytes}, which is a counter and costs nothing; the JVM's other
 * native memory is what the reserve in {@code spark.executor.memoryOverhead} is for.
 *
 * <p>JavaCPP reads the property once, when ND4J first loads, so {@link #turnOffUnlessSet} only
 * takes effect before that. A limit the user set (either spelling) is kept.
 */
public final class ResidentSizeCheck {
  /** The property JavaCPP reads; it also accepts {@link #PROPERTY_CAMEL_CASE}. */
  public static final String PROPERTY = "org.bytedeco.javacpp.maxphysicalbytes";
  public static final String PROPERTY_CAMEL_CASE = "org.bytedeco.javacpp.maxPhysicalBytes";
  /** The JVM option that turns the check off. */
  public static final String OFF = "-D" + PROPERTY + "=0";

  private ResidentSizeCheck() {}

  /** Turns the check off in this JVM unless a limit was chosen; call before ND4J loads. */
  public static void turnOffUnlessSet() {
    if (!isChosen(System.getProperty(PROPERTY))
        && !isChosen(System.getProperty(PROPERTY_CAMEL_CASE))) {
      System.setProperty(PROPERTY, "0");
    }
  }

  /** Whether JVM options (a Spark {@code extraJavaOptions} string) already name a limit. */
  public static boolean isNamedIn(String javaOptions) {
    return javaOptions.contains("-D" + PROPERTY + "=")
        || javaOptions.contains("-D" + PROPERTY_CAMEL_CASE + "=");
  }

  private static boolean isChosen(String value) {
    return value != null && !value.isBlank();
  }
}
