package org.sparktrain.worker.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class DocumentSplitTest {
  private static List<String> ids(int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add("hdfs://nn/corpus/sotu/" + (1790 + i) + ".txt.gz");
    }
    return ids;
  }

  @Test
  void everyDocumentIsInExactlyOnePartAndTheShareIsClose() {
    DocumentSplit split = new DocumentSplit(42, 0.1);
    List<String> train = new ArrayList<>();
    List<String> validation = new ArrayList<>();
    for (String id : ids(10_000)) {
      (split.isValidation(id) ? validation : train).add(id);
      assertThat(split.isTraining(id)).isNotEqualTo(split.isValidation(id));
    }
    assertThat(train).doesNotContainAnyElementsOf(validation);
    assertThat(train.size() + validation.size()).isEqualTo(10_000);
    assertThat(validation.size()).isBetween(900, 1100);
  }

  @Test
  void assignmentDependsOnlyOnSeedAndId() {
    DocumentSplit a = new DocumentSplit(42, 0.2);
    DocumentSplit b = new DocumentSplit(42, 0.2);
    DocumentSplit otherSeed = new DocumentSplit(43, 0.2);
    int differ = 0;
    for (String id : ids(1_000)) {
      assertThat(b.isValidation(id)).isEqualTo(a.isValidation(id));
      differ += a.isValidation(id) != otherSeed.isValidation(id) ? 1 : 0;
    }
    assertThat(differ).isGreaterThan(100);
    // The ids' order does not matter: the same id in a reversed listing lands the same way.
    List<String> reversed = new ArrayList<>(ids(1_000));
    Collections.reverse(reversed);
    for (String id : reversed) {
      assertThat(b.isValidation(id)).isEqualTo(a.isValidation(id));
    }
  }

  @Test
  void fractionsZeroAndOneAreAllTrainingAndAllValidation() {
    for (String id : ids(200)) {
      assertThat(new DocumentSplit(1, 0).isValidation(id)).isFalse();
      assertThat(new DocumentSplit(1, 1).isValidation(id)).isTrue();
    }
    assertThatThrownBy(() -> new DocumentSplit(1, 1.5))
        .hasMessageContaining("validationFraction must be in [0, 1], got 1.5");
  }
}
