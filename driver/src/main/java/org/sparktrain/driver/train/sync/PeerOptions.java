package org.sparktrain.driver.train.sync;

import java.io.Serializable;
import org.apache.spark.SparkConf;

/**
 * How the workers of a collective run reach each other, from the Spark configuration.
 *
 * @param timeoutMs how long a worker waits for a peer's connection or next message
 * @param handOff workers in one JVM exchange frames in memory instead of over loopback TCP
 */
record PeerOptions(long timeoutMs, boolean handOff) implements Serializable {
  /** How long a worker waits for a peer by default. */
  static final long DEFAULT_TIMEOUT_S = 600;
  static final String TIMEOUT_KEY = "spark.sparktrain.sync.peerTimeoutSeconds";
  static final String HAND_OFF_KEY = "spark.sparktrain.sync.sameJvmHandOff";

  static PeerOptions from(SparkConf conf) {
    return new PeerOptions(conf.getLong(TIMEOUT_KEY, DEFAULT_TIMEOUT_S) * 1000,
        conf.getBoolean(HAND_OFF_KEY, true));
  }
}
