package org.sparktrain.worker.data;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LibSvmLineParserTest {
  private final LibSvmLineParser parser = new LibSvmLineParser(4, LabelRule.classes(2));

  @Test
  void sparseFeaturesDefaultToZero() {
    ParsedRecord r = parser.parse("1 1:0.5 4:2", 0, 1);
    assertThat(r.features()).containsExactly(0.5f, 0f, 0f, 2f);
    assertThat(r.label()).isEqualTo(1.0);
  }

  @Test
  void eachBadRecordKind() {
    assertThat(parser.parse("x 1:1", 0, 1).dropReason()).isEqualTo(DropReason.UNPARSABLE_NUMBER);
    assertThat(parser.parse("1 1:y", 0, 1).dropReason()).isEqualTo(DropReason.UNPARSABLE_NUMBER);
    assertThat(parser.parse("1 nocolon", 0, 1).dropReason())
        .isEqualTo(DropReason.UNPARSABLE_NUMBER);
    assertThat(parser.parse("1 1:NaN", 0, 1).dropReason()).isEqualTo(DropReason.NON_FINITE);
    assertThat(parser.parse("NaN 1:1", 0, 1).dropReason()).isEqualTo(DropReason.NON_FINITE);
    assertThat(parser.parse("2 1:1", 0, 1).dropReason())
        .isEqualTo(DropReason.LABEL_OUT_OF_RANGE);
    ParsedRecord outside = parser.parse("1 5:1", 0, 1);
    assertThat(outside.dropReason()).isEqualTo(DropReason.FEATURE_INDEX_OUT_OF_RANGE);
    assertThat(outside.detail()).contains("feature index 5 is outside 1..4");
    assertThat(parser.parse("   ", 0, 1).dropReason()).isEqualTo(DropReason.WRONG_COLUMN_COUNT);
  }
}
