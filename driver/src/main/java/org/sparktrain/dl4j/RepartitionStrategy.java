package org.sparktrain.dl4j;

/**
 * DL4J's way of balancing partitions. Accepted for source compatibility and ignored: see
 * {@link Repartition}.
 */
public enum RepartitionStrategy {
  SparkDefault, Balanced, ApproximateBalanced
}
