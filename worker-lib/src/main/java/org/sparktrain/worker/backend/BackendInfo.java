package org.sparktrain.worker.backend;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ND4J backend one JVM runs, as recorded in summary.json and the report.
 *
 * @param kind "cpu" or "cuda"
 * @param description human-readable: BLAS, instruction set and cores, or GPU names and memory
 * @param maxBytes JavaCPP's off-heap limit in this JVM ({@code org.bytedeco.javacpp.maxbytes})
 * @param maxPhysicalBytes JavaCPP's limit on the whole process's resident memory; 0 when its
 *     check is off, as sparktrain runs it ({@link ResidentSizeCheck})
 * @param nativeKernels the build of ND4J's CPU kernels this JVM loaded and why
 *     ({@link NativeKernels}); null on the CUDA backend, which has no such choice
 * @param jvm which JVM this is: "driver" or Spark's executor id ({@link #inJvm})
 */
public record BackendInfo(String kind, String description, long maxBytes, long maxPhysicalBytes,
    NativeChoice nativeKernels, String jvm) implements Serializable {

  /** The same, said of the JVM named {@code jvm}. */
  public BackendInfo inJvm(String jvm) {
    return new BackendInfo(kind, description, maxBytes, maxPhysicalBytes, nativeKernels, jvm);
  }

  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("jvm", jvm);
    m.put("kind", kind);
    m.put("description", description);
    m.put("offHeapLimitBytes", maxBytes);
    m.put("physicalLimitBytes", maxPhysicalBytes);
    if (nativeKernels != null) {
      m.put("nativeKernels", nativeKernels.toMap());
    }
    return m;
  }

  /** "256 MiB off-heap", and the resident-size limit where its check is on. */
  public String limits() {
    return NativeMemory.mib(maxBytes) + " off-heap" + (maxPhysicalBytes > 0
        ? ", " + NativeMemory.mib(maxPhysicalBytes) + " resident in all" : "");
  }
}
