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

  @Test
  void countIsTheNumberOfFieldsSplitFinds() {
    for (String line : new String[] {"", "a", "1,2,3", ",,", "\"a,b\",c", "\"a\"\"b,c\",1",
        "\"\",\"\"", "5\" tall,1", "\"x\"y,z", "a,\"b\"\"\",c"}) {
      assertThat(CsvFields.count(line)).as(line).isEqualTo(CsvFields.split(line).size());
    }
  }

  @Test
  void aQuoteLeftOpenRunsToTheEndOfTheLineWhenCounted() {
    assertThat(CsvFields.count("1,\"2,3")).isEqualTo(2);
  }
}
