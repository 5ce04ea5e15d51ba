package org.sparktrain.dl4j;

/**
 * DL4J's choice of how a training RDD reaches the workers (export to files, or used directly).
 * Accepted for source compatibility and ignored: sparktrain always packs the examples into one
 * cached block per worker once per {@code fit}.
 */
public enum RDDTrainingApproach {
  Export, Direct
}
