package org.sparktrain.worker.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class NativeArraysTest {
  @Test
  void roundTripsThroughNativeMemory() {
    float[] data = {1f, -2.5f, 3f, 4f, 5f, 6f};
    INDArray a = NativeArrays.fromFloats(data, 2, 3);
    assertThat(a.getFloat(1, 0)).isEqualTo(4f);
    assertThat(NativeArrays.toFloats(a)).containsExactly(data);
    NativeArrays.copyInto(a, new float[] {0, 0, 0, 0, 0, 7f});
    assertThat(a.getFloat(1, 2)).isEqualTo(7f);
    assertThat(NativeArrays.toFloats(Nd4j.createFromArray(9f, 8f))).containsExactly(9f, 8f);
  }

  @Test
  void copiesViewsAndOtherOrdersInRowMajorOrder() {
    INDArray a = Nd4j.createFromArray(new float[][] {{1f, 2f}, {3f, 4f}});
    assertThat(NativeArrays.toFloats(a.getRow(1))).containsExactly(3f, 4f);
    assertThat(NativeArrays.toFloats(a.getColumn(1))).containsExactly(2f, 4f);
    assertThat(NativeArrays.toFloats(a.dup('f'))).containsExactly(1f, 2f, 3f, 4f);
    assertThat(NativeArrays.toFloats(a.transpose())).containsExactly(1f, 3f, 2f, 4f);
  }

  @Test
  void refusesWritesIntoViewsAndWrongLengths() {
    INDArray a = Nd4j.createFromArray(new float[][] {{1f, 2f}, {3f, 4f}});
    assertThatThrownBy(() -> NativeArrays.copyInto(a.getRow(1), new float[2]))
        .hasMessageContaining("bulk copy needs a dense float array");
    assertThatThrownBy(() -> NativeArrays.copyInto(a.dup('f'), new float[4]))
        .hasMessageContaining("bulk copy needs a dense float array");
    assertThatThrownBy(() -> NativeArrays.copyInto(a, new float[3]))
        .hasMessageContaining("of length 3");
    assertThatThrownBy(() -> NativeArrays.toFloats(Nd4j.createFromArray(1.0, 2.0)))
        .hasMessageContaining("needs a float array, got DOUBLE");
  }
}
