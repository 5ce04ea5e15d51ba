package org.sparktrain.worker.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BackendProbeTest {
  @Test
  void theDefaultBuildRunsTheCpuBackendAndSaysWhatItIs() {
    BackendInfo info = BackendProbe.require(BackendChoice.AUTO);
    assertThat(info.kind()).isEqualTo("cpu");
    assertThat(info.description()).startsWith("CPU, ").contains("BLAS").contains("instruction set");
    assertThat(info.maxBytes()).isPositive();
    assertThat(BackendProbe.require(BackendChoice.CPU)).isEqualTo(info);
  }

  @Test
  void askingForCudaOnTheCpuBuildFailsWithWhatToChange() {
    assertThatThrownBy(() -> BackendProbe.require(BackendChoice.CUDA))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("train.backend: cuda")
        .hasMessageContaining("-Pcuda")
        .hasMessageContaining("auto or cpu");
  }

  @Test
  void javaCppOutOfMemoryBecomesAdviceNamingTheSparkSetting() {
    OutOfMemoryError javacpp = new OutOfMemoryError("Cannot allocate new FloatPointer(268435456):"
        + " totalBytes = 200M, physicalBytes = 1G");
    assertThat(NativeMemory.isOffHeapLimit(javacpp)).isTrue();
    assertThatThrownBy(() -> NativeMemory.guard("training shard 1", () -> {
      throw javacpp;
    })).isInstanceOf(NativeMemory.OffHeapLimitException.class)
        .hasMessageContaining("training shard 1 ran out of ND4J off-heap memory")
        .hasMessageContaining("Cannot allocate new FloatPointer")
        .hasMessageContaining("spark.executor.memoryOverhead")
        .hasNoCause();
    // Anything else passes through untouched.
    IllegalStateException other = new IllegalStateException("unrelated");
    assertThatThrownBy(() -> NativeMemory.guard("x", () -> {
      throw other;
    })).isSameAs(other);
  }
}
