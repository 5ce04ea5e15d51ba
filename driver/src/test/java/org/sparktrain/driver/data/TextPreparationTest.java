package org.sparktrain.driver.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.testing.SharedSpark;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.text.DocumentSplit;
import org.sparktrain.worker.text.Tokenizer;

/**
 * A text corpus is split by document before anything is learned from it: the tokenizer sees
 * the training documents only, and no document reaches both sides.
 */
class TextPreparationTest {
  private static final long SEED = 42;
  private static final double VALIDATION = 0.25;
  private final JavaSparkContext sc = SharedSpark.context();
  @TempDir
  Path dir;

  @Test
  void theTokenizerLearnsFromTrainingDocumentsOnlyAndNoDocumentIsOnBothSides()
      throws IOException {
    // Every validation paragraph carries a 'Q' and every training paragraph a 'Z', letters no
    // other text has; which side a paragraph lands on is the run's own seeded split.
    DocumentSplit split = new DocumentSplit(SEED, VALIDATION);
    StringBuilder corpus = new StringBuilder();
    int validationDocs = 0;
    for (int i = 0; i < 60; i++) {
      boolean validation = split.isValidation("corpus.txt#" + i);
      validationDocs += validation ? 1 : 0;
      corpus.append("the cat sat on the mat and the dog ran off ").append(validation ? 'Q' : 'Z')
          .append(" again and again\n\n");
    }
    assertThat(validationDocs).isBetween(5, 55);
    Files.writeString(dir.resolve("corpus.txt"), corpus);
    JobSpec spec = JobSpecParser.parse("""
        data: {uri: '%s', format: text, tokenizer: char, documents: paragraph,
               split: {train: 0.75, validation: 0.25}}
        model: {name: gpt, blockSize: 8, layers: 1, width: 16, heads: 2}
        train: {workers: 2, seed: %d}
        output: {dir: '%s'}
        """.formatted(dir.resolve("corpus.txt"), SEED, dir.resolve("run")), null);

    PreparedData data = DataPreparation.prepare(sc, spec, DataPreparation.Selection.SPEC_SPLIT);
    try {
      Tokenizer tokenizer = Tokenizer.fromJson(data.tokenizerJson());
      int unknown = tokenizer.specialTokens().unk();
      // 'Q' is only in validation documents: had one leaked into training, or had the
      // tokenizer been trained on the whole corpus, 'Q' would have an id of its own.
      assertThat(tokenizer.encode("Q")).containsExactly(unknown);
      int z = tokenizer.encode("Z")[0];
      assertThat(z).isNotEqualTo(unknown);

      List<Integer> trainTokens = tokens(data.train());
      List<Integer> validationTokens = tokens(data.validation());
      assertThat(trainTokens).contains(z).doesNotContain(unknown);
      assertThat(validationTokens).as("the validation side holds the Q documents")
          .contains(unknown).doesNotContain(z);
    } finally {
      data.release();
    }
  }

  private static List<Integer> tokens(JavaRDD<ExampleBlock> blocks) {
    return blocks.flatMap(b -> {
      List<Integer> ids = new ArrayList<>();
      for (float f : b.features()) {
        ids.add((int) f);
      }
      return ids.iterator();
    }).collect();
  }
}
