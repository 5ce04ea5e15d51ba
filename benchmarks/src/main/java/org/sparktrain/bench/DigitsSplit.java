package org.sparktrain.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The shared digits table split for held-out accuracy: every sixth row (300 rows) is held out,
 * the rest is trained on; the same split in every benchmark that reports digits accuracy.
 */
record DigitsSplit(Path train, Path test) {

  /** Writes {@code work/digits-train.csv} and {@code work/digits-test.csv}. */
  static DigitsSplit write(Path data, Path work) throws IOException {
    Path train = work.resolve("digits-train.csv");
    Path test = work.resolve("digits-test.csv");
    try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(
        Files.newInputStream(data.resolve("tabular/digits.csv.gz"))), StandardCharsets.UTF_8))) {
      List<String> trainLines = new ArrayList<>();
      List<String> testLines = new ArrayList<>();
      int i = 0;
      for (String line = in.readLine(); line != null; line = in.readLine(), i++) {
        (i % 6 == 5 ? testLines : trainLines).add(line);
      }
      Files.write(train, trainLines);
      Files.write(test, testLines);
    }
    return new DigitsSplit(train, test);
  }
}
