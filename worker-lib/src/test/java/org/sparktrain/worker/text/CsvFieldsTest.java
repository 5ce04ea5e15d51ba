package org.sparktrain.worker.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CsvFieldsTest {
  @Test
  void quotedFieldsKeepCommasAndDoubledQuotes() {
    assertThat(CsvFields.split("\"red, blue\",1")).containsExactly("red, blue", "1");
    assertThat(CsvFields.split("\"she said \"\"hi\"\"\",0")).containsExactly("she said \"hi\"",
        "0");
    assertThat(CsvFields.split("plain,,3")).containsExactly("plain", "", "3");
    assertThat(CsvFields.split("")).containsExactly("");
  }

  @Test
  void aQuoteInsideAnUnquotedFieldIsText() {
    assertThat(CsvFields.split("5\" tall,1")).containsExactly("5\" tall", "1");
  }

  @Test
  void anOpenQuoteIsNotARecord() {
    assertThat(CsvFields.split("\"never closed,1")).isNull();
  }
}
