package org.sparktrain.dl4j;

/**
 * DL4J's repartitioning policy. Accepted for source compatibility and ignored: sparktrain always
 * deals the examples round-robin into exactly one shard per worker (sizes differ by at most one).
 */
public enum Repartition {
  Never, Always, NumPartitionsWorkersDiffers
}
