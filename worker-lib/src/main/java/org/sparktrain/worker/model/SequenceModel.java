package org.sparktrain.worker.model;

/** A model over fixed-length token sequences (the transformers). */
public interface SequenceModel {
  /** Tokens per sequence, T. */
  int blockSize();
}
