package org.sparktrain.worker.sync;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SyncPrecisionTest {
  @Test
  void roundsToTheNearestBfloat16TiesToEven() {
    // 1 + 2^-8 lies halfway between 1 and the next bfloat16 (1 + 2^-7): ties go to even (1).
    assertThat(SyncPrecision.round(1f + 0x1p-8f)).isEqualTo(1f);
    // 1 + 3 * 2^-8 lies halfway between 1 + 2^-7 (odd) and 1 + 2^-6 (even): up.
    assertThat(SyncPrecision.round(1f + 3 * 0x1p-8f)).isEqualTo(1f + 0x1p-6f);
    assertThat(SyncPrecision.round(1f + 0x1p-8f + 0x1p-20f)).isEqualTo(1f + 0x1p-7f);
    assertThat(SyncPrecision.round(-3.14159f)).isEqualTo(-3.140625f);
    assertThat(Float.floatToRawIntBits(SyncPrecision.round(0.1f)) & 0xffff).isZero();
    assertThat(SyncPrecision.round(Float.NaN)).isNaN();
    assertThat(SyncPrecision.round(Float.NEGATIVE_INFINITY)).isEqualTo(Float.NEGATIVE_INFINITY);
    float once = SyncPrecision.round(123.456f);
    assertThat(SyncPrecision.round(once)).isEqualTo(once);
  }

  @Test
  void bfloat16SendsRoundedChangesAndKeepsTheMasterCopyInFloat32() {
    float[] before = {1000f, 0.5f};
    float[] after = {1000.1234f, 0.5001f};
    SyncPrecision bf16 = SyncPrecision.BFLOAT16;
    float[] change = bf16.contribution(after, before);
    assertThat(change[0]).isEqualTo(SyncPrecision.round(1000.1234f - 1000f));
    // The change keeps 8 significant bits of itself, far more of the value than bfloat16 of the
    // value would keep (1000.1234 in bfloat16 is 1000).
    float[] applied = bf16.apply(before, change);
    assertThat(Math.abs(applied[0] - after[0])).isLessThan(0.001f);
    assertThat(Math.abs(applied[1] - after[1])).isLessThan(1e-6f);
    assertThat(SyncPrecision.FLOAT32.contribution(after, before)).isSameAs(after);
    assertThat(SyncPrecision.FLOAT32.apply(before, after)).isSameAs(after);
  }
}
