package org.sparktrain.driver.train;

/**
 * What one worker of a collective run returns to the driver: the snapshot pieces the driver
 * needs at the boundary, and per-round figures (one entry per round of the run). Every worker
 * knows the round totals (examples, loss, slowest compute) from the reduce-scatter; only its own
 * timings and bytes are its alone.
 *
 * @param params the averaged parameters after the last round (rank 0 only; empty otherwise)
 * @param state rank 0: the averaged optimizer state; without state averaging every worker's
 *     own state; empty for a stateless optimizer
 */
public record StretchResult(int partition, float[] params, float[] state, long[] examples,
    double[] meanLoss, long[] maxComputeNanos, long[] wallNanos, long[] averageNanos,
    long[] bytesSent) {}
