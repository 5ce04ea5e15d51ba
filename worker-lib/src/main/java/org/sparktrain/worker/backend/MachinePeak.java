package org.sparktrain.worker.backend;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one JVM measured its machine's single-precision matrix multiply to do: the peak a
 * training run's achieved FLOP rate is held against.
 *
 * @param cores the threads of the all-cores measurement (the JVM's available processors)
 * @param perCoreGflops one thread's best GFLOP/s
 * @param allCoresGflops best GFLOP/s with {@code cores} threads
 * @param measureSeconds what measuring cost this JVM, once
 */
public record MachinePeak(int cores, double perCoreGflops, double allCoresGflops,
    double measureSeconds) implements Serializable {

  /**
   * The machine's peak: the all-cores figure, or one core's where that came out higher (other
   * processes took cores while the all-cores multiply ran; all cores do at least what one does).
   */
  public double peakGflops() {
    return Math.max(allCoresGflops, perCoreGflops);
  }

  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cores", cores);
    m.put("perCoreGflopsPerSec", perCoreGflops);
    m.put("allCoresGflopsPerSec", allCoresGflops);
    m.put("measureSeconds", measureSeconds);
    return m;
  }
}
