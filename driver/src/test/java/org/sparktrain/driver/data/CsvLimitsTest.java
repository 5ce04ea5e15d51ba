package org.sparktrain.driver.data;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.testing.SharedSpark;
import org.sparktrain.worker.data.LabelRule;

/**
 * A CSV file built to exhaust memory, a line of a hundred megabytes or a million columns, is
 * refused naming the file and the line, before the line is held whole.
 */
class CsvLimitsTest {
  private final JavaSparkContext sc = SharedSpark.context();
  @TempDir
  Path dir;

  private JobSpec.Data data(Path csv, String extra) {
    return JobSpecParser.parse("data: {uri: '" + csv + "', numClasses: 2" + extra + "}\n"
        + "model: {name: mlp}\n", null).data();
  }

  @Test
  void aMillionColumnsAreRefusedNamingTheFileAndLine() throws IOException {
    Path csv = dir.resolve("wide.csv");
    Files.writeString(csv, "\n" + "0,".repeat(1_000_000) + "1\n");
    assertThatThrownBy(() -> DatasetReader.read(sc, data(csv, ""), csv.toString(), null,
        LabelRule.classes(2)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("wide.csv: line 2 has 1000001 columns; a CSV record has at most "
            + "131072");
  }

  @Test
  void aHundredMegabyteLineIsRefusedNamingTheFileAndLine() throws IOException {
    Path csv = dir.resolve("long.csv");
    try (OutputStream out = Files.newOutputStream(csv)) {
      out.write("1,2,0\n1,2,1\n".getBytes(StandardCharsets.US_ASCII));
      byte[] digits = "1111111111".repeat(100_000).getBytes(StandardCharsets.US_ASCII);
      for (int i = 0; i < 100; i++) {
        out.write(digits);
      }
    }
    DatasetReader.Source source = DatasetReader.read(sc, data(csv, ""), csv.toString(), null,
        LabelRule.classes(2));
    assertThatThrownBy(() -> source.records().count())
        .hasStackTraceContaining("long.csv: line 3 is longer than 4194304 characters");
  }
}
