package org.sparktrain.driver.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.data.DataPreparation;
import org.sparktrain.driver.data.PreparedData;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.testing.SharedSpark;
import org.sparktrain.driver.testing.TestData;
import org.sparktrain.worker.data.ExampleBlock;

/** The claim behind crossval: the k test folds are disjoint and together hold every record. */
class CrossValidationFoldsTest {
  private final JavaSparkContext sc = SharedSpark.context();
  @TempDir
  Path dir;

  /** Each row of the blocks as text: with normalize none, the record as it was read. */
  private static List<String> rows(JavaRDD<ExampleBlock> blocks) {
    List<String> rows = new ArrayList<>();
    for (ExampleBlock b : blocks.collect()) {
      for (int r = 0; r < b.rows(); r++) {
        rows.add(Arrays.toString(Arrays.copyOfRange(b.features(), r * b.width(),
            (r + 1) * b.width())) + " -> " + b.labels()[r]);
      }
    }
    return rows;
  }

  @Test
  void theFoldsAreDisjointAndCoverEveryRecord() throws IOException {
    Path data = TestData.write(dir, "blobs.csv", TestData.blobsCsv(200, 4, 3, 13));
    JobSpec spec = JobSpecParser.parse("data: {uri: '" + data + "', numClasses: 3}\n"
        + "preprocess: {normalize: none}\nmodel: {name: mlp, hidden: [4]}\n"
        + "train: {workers: 2}\noutput: {dir: '" + dir.resolve("run") + "'}\n", null);
    int folds = 3;
    Set<String> all = new HashSet<>();
    List<String> tested = new ArrayList<>();
    for (int fold = 0; fold < folds; fold++) {
      PreparedData prepared = DataPreparation.prepare(sc, spec,
          new DataPreparation.Selection(fold, folds));
      try {
        List<String> train = rows(prepared.train());
        List<String> test = rows(prepared.test());
        assertThat(test).as("fold %d's test set", fold).isNotEmpty();
        Set<String> overlap = new HashSet<>(train);
        overlap.retainAll(test);
        assertThat(overlap).as("records in fold %d's training and test sets", fold).isEmpty();
        Set<String> both = new HashSet<>(train);
        both.addAll(test);
        if (fold == 0) {
          all.addAll(both);
        }
        assertThat(both).as("fold %d's training and test sets together", fold)
            .isEqualTo(all);
        tested.addAll(test);
      } finally {
        prepared.release();
      }
    }
    // Rows are distinct (Gaussian features): each is tested exactly once across the folds.
    assertThat(all).hasSize(200);
    assertThat(tested).hasSize(200).doesNotHaveDuplicates();
    assertThat(new HashSet<>(tested)).isEqualTo(all);
  }
}
