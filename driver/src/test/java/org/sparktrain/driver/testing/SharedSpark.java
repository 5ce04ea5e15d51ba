package org.sparktrain.driver.testing;

import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.driver.cluster.SparkSetup;

/**
 * One local[2] SparkContext per test JVM, with the production settings (Kryo with
 * registrationRequired), so every Spark test also proves that what it ships is registered.
 */
public final class SharedSpark {
  private static JavaSparkContext context;

  private SharedSpark() {}

  public static synchronized JavaSparkContext context() {
    if (context == null) {
      context = SparkSetup.start("local[2]", "sparktrain-tests");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> context.stop()));
    }
    return context;
  }
}
