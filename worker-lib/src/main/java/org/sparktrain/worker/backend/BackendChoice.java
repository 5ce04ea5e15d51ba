package org.sparktrain.worker.backend;

import java.util.Locale;

/** The ND4J backend a job spec asks for ({@code train.backend}). */
public enum BackendChoice {
  /** Whatever backend the build ships (nd4j-native, or nd4j-cuda with -Pcuda). */
  AUTO,
  CPU,
  CUDA;

  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }
}
