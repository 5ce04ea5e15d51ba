package org.sparktrain.worker.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class EpochScheduleTest {
  @Test
  void roundsCoverEveryStepOfEveryEpoch() {
    EpochSchedule s = new EpochSchedule(100, 8, 5, 1);
    assertThat(s.stepsPerEpoch()).isEqualTo(13);
    assertThat(s.roundsPerEpoch()).isEqualTo(3);
    assertThat(s.plan(2)).isEqualTo(new EpochSchedule.RoundPlan(2, 0, 2, 10, 3, 10));
    assertThat(s.plan(3)).isEqualTo(new EpochSchedule.RoundPlan(3, 1, 0, 0, 5, 13));
  }

  @Test
  void lastBatchTakesTheRemainderOfALargerShard() {
    EpochSchedule s = new EpochSchedule(100, 8, 5, 1);
    assertThat(s.batchEnd(12, 100)).isEqualTo(100);
    assertThat(s.batchEnd(12, 101)).isEqualTo(101);
    assertThat(s.batchEnd(3, 101)).isEqualTo(32);
  }

  @Test
  void permutationIsDeterministicPerEpochAndPartition() {
    EpochSchedule s = new EpochSchedule(10, 2, 1, 42);
    int[] a = s.permutation(3, 1, 50);
    assertThat(s.permutation(3, 1, 50)).containsExactly(a);
    assertThat(s.permutation(4, 1, 50)).isNotEqualTo(a);
    assertThat(s.permutation(3, 0, 50)).isNotEqualTo(a);
    int[] sorted = a.clone();
    Arrays.sort(sorted);
    for (int i = 0; i < sorted.length; i++) {
      assertThat(sorted[i]).isEqualTo(i);
    }
  }

  @Test
  void emptyShardIsRefusedWithAHint() {
    assertThatThrownBy(() -> new EpochSchedule(0, 2, 1, 1))
        .hasMessageContaining("use fewer train.workers or more data");
  }
}
