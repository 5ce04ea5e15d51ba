package org.sparktrain.worker.privacy;

/**
 * An {@code (epsilon, delta)}-DP guarantee as the RDP accountant found it.
 *
 * @param epsilon the privacy loss bound, the smallest over the orders tried (may be infinite)
 * @param order the Rényi order that gave it; one at either end of the order list means the
 *     list may be too short to find the true minimum
 */
public record Epsilon(double epsilon, double order) {}
