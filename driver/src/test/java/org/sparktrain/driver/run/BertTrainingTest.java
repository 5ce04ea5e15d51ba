package org.sparktrain.driver.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.testing.SharedSpark;
import org.sparktrain.driver.output.RoundMetrics;

/** A masked-language model through the whole engine on local[2]. */
class BertTrainingTest {
  @TempDir
  Path dir;

  @Test
  void aShortDistributedRunLowersTheMaskedLossAndBeatsTheMostFrequentTokenBaseline()
      throws IOException {
    StringBuilder sb = new StringBuilder();
    String[] words = {"red fox ", "blue sky ", "green sea ", "gold sun "};
    for (int p = 0; p < 300; p++) {
      for (int w = 0; w < 6; w++) {
        sb.append(words[(p + w * 3) % words.length]);
      }
      sb.append("\n\n");
    }
    Path corpus = Files.writeString(dir.resolve("corpus.txt"), sb.toString());
    TrainJob.Result result = TrainJob.run(SharedSpark.context(), JobSpecParser.parse("""
        data: {uri: '%s', format: text, tokenizer: char, documents: paragraph,
               split: {train: 0.9, validation: 0.1}}
        model: {name: bert, blockSize: 16, layers: 1, width: 32, heads: 2}
        train: {epochs: 6, batchSize: 16, workers: 2, averagingFrequency: 4,
                optimizer: {name: adam, learningRate: 0.003}, threadsPerWorker: 1}
        eval: {validateEveryRounds: 8}
        output: {dir: '%s'}
        """.formatted(corpus, dir.resolve("run")), null), false);

    List<RoundMetrics> validated = result.model().history().stream()
        .filter(m -> m.validation() != null).toList();
    Map<String, Double> first = validated.get(0).validation();
    Map<String, Double> last = validated.get(validated.size() - 1).validation();
    assertThat(last.get("maskedLoss")).isLessThan(first.get("maskedLoss"));
    // Every validation masks the same positions: the baseline does not move.
    assertThat(last.get("mostFrequentTokenAccuracy"))
        .isEqualTo(first.get("mostFrequentTokenAccuracy"));
    assertThat(last.get("maskedTokens")).isEqualTo(first.get("maskedTokens")).isPositive();
    // The model must beat always guessing the most frequent character, not merely learn its
    // frequency: 6 epochs reach 0.41 against the baseline's 0.21 (at learning rate 0.01 it
    // stayed at the baseline, which the old bound of [0, 1] let pass).
    assertThat(last.get("maskedAccuracy"))
        .isGreaterThan(1.5 * last.get("mostFrequentTokenAccuracy"));

    ModelBundle saved = ModelBundle.load(dir.resolve("run/model").toString(),
        new Configuration());
    assertThat(saved.tokenizerJson()).isNotNull();
    assertThatThrownBy(() -> new TextGenerator(saved)).hasMessageContaining("gpt");
  }
}
