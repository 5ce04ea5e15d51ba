package org.sparktrain.worker.train;

import org.nd4j.linalg.factory.Nd4j;

/**
 * Caps ND4J's OpenMP and BLAS threads. Several Spark tasks share one executor's cores; if each
 * starts one thread per core they oversubscribe the CPU and all run slower.
 */
public final class ThreadLimits {
  private static volatile int applied = -1;

  private ThreadLimits() {}

  public static void apply(int threads) {
    if (threads < 1 || threads == applied) {
      return;
    }
    synchronized (ThreadLimits.class) {
      Nd4j.getEnvironment().setMaxThreads(threads);
      Nd4j.getEnvironment().setMaxMasterThreads(threads);
      Nd4j.factory().blas().setMaxThreads(threads);
      applied = threads;
    }
  }
}
