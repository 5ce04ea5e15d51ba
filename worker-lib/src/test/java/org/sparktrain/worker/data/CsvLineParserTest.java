package org.sparktrain.worker.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CsvLineParserTest {
  private final CsvLineParser parser = new CsvLineParser(4, -1, LabelRule.classes(3));

  @Test
  void parsesFeaturesAndLastColumnLabel() {
    ParsedRecord r = parser.parse("1.5, 2,-3e1,2", 0, 7);
    assertThat(r.isOk()).isTrue();
    assertThat(r.features()).containsExactly(1.5f, 2f, -30f);
    assertThat(r.label()).isEqualTo(2.0);
    assertThat(r.line()).isEqualTo(7);
  }

  @Test
  void labelColumnMayBeFirst() {
    ParsedRecord r = new CsvLineParser(3, 0, LabelRule.classes(2)).parse("1,5,6", 0, 1);
    assertThat(r.features()).containsExactly(5f, 6f);
    assertThat(r.label()).isEqualTo(1.0);
  }

  @Test
  void wrongColumnCount() {
    ParsedRecord r = parser.parse("1,2,1", 0, 3);
    assertThat(r.dropReason()).isEqualTo(DropReason.WRONG_COLUMN_COUNT);
    assertThat(r.detail()).isEqualTo("expected 4 columns, found 3");
  }

  @Test
  void unparsableNumber() {
    ParsedRecord r = parser.parse("1,abc,3,1", 0, 3);
    assertThat(r.dropReason()).isEqualTo(DropReason.UNPARSABLE_NUMBER);
    assertThat(r.detail()).contains("column 2").contains("'abc'");
  }

  @Test
  void nanAndInfinity() {
    assertThat(parser.parse("1,NaN,3,1", 0, 1).dropReason()).isEqualTo(DropReason.NON_FINITE);
    assertThat(parser.parse("1,2,Infinity,1", 0, 1).dropReason())
        .isEqualTo(DropReason.NON_FINITE);
    assertThat(parser.parse("1,2,3,-Infinity", 0, 1).dropReason())
        .isEqualTo(DropReason.NON_FINITE);
  }

  @Test
  void labelOutOfRange() {
    assertThat(parser.parse("1,2,3,3", 0, 1).detail())
        .isEqualTo("label 3 is not an integer class in [0, 3)");
    assertThat(parser.parse("1,2,3,-1", 0, 1).dropReason())
        .isEqualTo(DropReason.LABEL_OUT_OF_RANGE);
    assertThat(parser.parse("1,2,3,1.5", 0, 1).dropReason())
        .isEqualTo(DropReason.LABEL_OUT_OF_RANGE);
  }

  @Test
  void regressionAcceptsAnyFiniteLabel() {
    CsvLineParser p = new CsvLineParser(2, -1, LabelRule.regression());
    assertThat(p.parse("1,-7.25", 0, 1).label()).isEqualTo(-7.25);
  }

  @Test
  void labelColumnOutsideColumnsIsRejected() {
    assertThatThrownBy(() -> new CsvLineParser(3, 5, LabelRule.classes(2)))
        .hasMessageContaining("labelColumn 5 is outside the 3 columns");
  }

  @Test
  void fieldsAreSplitTheRfc4180Way_aQuotedNumberIsANumber() {
    ParsedRecord r = parser.parse("\"1.5\",2,\" -3e1\",\"2\"", 0, 4);
    assertThat(r.isOk()).isTrue();
    assertThat(r.features()).containsExactly(1.5f, 2f, -30f);
    assertThat(r.label()).isEqualTo(2.0);
  }

  @Test
  void aCommaInsideQuotesIsPartOfItsField() {
    ParsedRecord r = parser.parse("\"1,5\",2,3,1", 0, 9);
    assertThat(r.dropReason()).isEqualTo(DropReason.UNPARSABLE_NUMBER);
    assertThat(r.detail()).isEqualTo("column 1 is not a number: '1,5'");
    assertThat(r.line()).isEqualTo(9);
  }

  @Test
  void aQuoteLeftOpenIsABadRecordNamingItsColumn() {
    ParsedRecord r = parser.parse("1,2,\"3,1", 0, 5);
    assertThat(r.dropReason()).isEqualTo(DropReason.WRONG_COLUMN_COUNT);
    assertThat(r.detail()).isEqualTo("expected 4 columns, found 3");
    ParsedRecord open = parser.parse("1,2,3,\"1", 0, 6);
    assertThat(open.dropReason()).isEqualTo(DropReason.UNPARSABLE_NUMBER);
    assertThat(open.detail()).isEqualTo("column 4 opens a quote that is never closed");
    assertThat(open.line()).isEqualTo(6);
  }
}
