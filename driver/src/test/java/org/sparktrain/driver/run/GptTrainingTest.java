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
import org.sparktrain.driver.checkpoint.CheckpointStore;
import org.sparktrain.driver.cli.SparktrainMain;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.spec.SpecException;
import org.sparktrain.driver.testing.SharedSpark;
import org.sparktrain.driver.output.RoundMetrics;
import org.sparktrain.worker.text.Tokenizer;

/** A character-level GPT through the whole engine on local[2]: text in, lower loss out. */
class GptTrainingTest {
  @TempDir
  Path dir;

  /** Paragraphs of a few repeated sentences: learnable in seconds, far from uniform. */
  private Path corpus() throws IOException {
    String[] sentences = {"the whale swam in the deep sea. ", "call me ishmael, said he. ",
        "the ship sailed on and on. ", "a storm came over the sea. "};
    StringBuilder sb = new StringBuilder();
    for (int p = 0; p < 120; p++) {
      for (int s = 0; s < 4; s++) {
        sb.append(sentences[(p * 7 + s * 3) % sentences.length]);
      }
      sb.append("\n\n");
    }
    Path file = dir.resolve("corpus.txt");
    Files.writeString(file, sb.toString());
    return file;
  }

  private JobSpec spec(Path corpus, String extra) {
    return JobSpecParser.parse("""
        data: {uri: '%s', format: text, tokenizer: char, documents: paragraph,
               split: {train: 0.9, validation: 0.1}}
        model: {name: gpt, blockSize: 16, layers: 1, width: 32, heads: 2}
        train: {epochs: 3, batchSize: 16, workers: 2, averagingFrequency: 4,
                optimizer: {name: adam, learningRate: 0.01}, threadsPerWorker: 1}
        eval: {validateEveryRounds: 4}
        output: {dir: '%s'}
        %s
        """.formatted(corpus, dir.resolve("run"), extra), null);
  }

  @Test
  @SuppressWarnings("unchecked")
  void aShortDistributedRunLowersTheValidationLossAndSavesItsTokenizer() throws IOException {
    JobSpec spec = spec(corpus(), "");
    TrainJob.Result result = TrainJob.run(SharedSpark.context(), spec, false);

    List<RoundMetrics> validated = result.model().history().stream()
        .filter(m -> m.validation() != null).toList();
    assertThat(validated).hasSizeGreaterThan(2);
    double first = validated.get(0).validation().get("loss");
    double last = validated.get(validated.size() - 1).validation().get("loss");
    // ~25 distinct characters: a uniform guess costs ln 25 = 3.2 nats; these sentences repeat.
    assertThat(last).isLessThan(first).isLessThan(1.5);
    assertThat(validated.get(0).validation()).containsKeys("perplexity", "bitsPerChar");
    Map<String, Object> throughput = (Map<String, Object>) result.summary().get("throughput");
    assertThat((Double) throughput.get("tokensPerSec")).isPositive();

    ModelBundle saved = ModelBundle.load(dir.resolve("run/model").toString(),
        new Configuration());
    assertThat(saved.tokenizerJson()).isNotNull();
    Tokenizer tokenizer = Tokenizer.fromJson(saved.tokenizerJson());
    assertThat(tokenizer.decode(tokenizer.encode("the whale"))).isEqualTo("the whale");

    String text = new TextGenerator(saved).generate("the ", 40, 0.5, 5, 1);
    assertThat(text).startsWith("the ").hasSizeGreaterThanOrEqualTo(44);
    // Same seed, same text: sampling is reproducible.
    assertThat(new TextGenerator(saved).generate("the ", 40, 0.5, 5, 1)).isEqualTo(text);
    assertThatThrownBy(() -> new TextGenerator(saved).generate("the ", -1, 0.5, 5, 1))
        .hasMessageContaining("--tokens and --top-k must be 0 or more");
    assertThatThrownBy(() -> new TextGenerator(saved).generate("the ", 5, 0, 5, 1))
        .hasMessageContaining("--temperature must be above 0");
  }

  @Test
  void specMistakesAreNamed() throws IOException {
    Path corpus = corpus();
    assertThatThrownBy(() -> JobSpecParser.parse("""
        data: {uri: '%s', format: csv}
        model: {name: gpt}
        """.formatted(corpus), null)).isInstanceOf(SpecException.class)
        .hasMessageContaining("data.format").hasMessageContaining("language models");
    assertThatThrownBy(() -> JobSpecParser.parse("""
        data: {uri: '%s', format: text, split: {train: 0.8, validation: 0.1, test: 0.1}}
        model: {name: gpt}
        """.formatted(corpus), null)).hasMessageContaining("split.test");
    assertThatThrownBy(() -> JobSpecParser.parse("""
        data: {uri: '%s', format: text}
        model: {name: gpt, width: 30, heads: 4}
        """.formatted(corpus), null)).hasMessageContaining("model.heads")
        .hasMessageContaining("divide");
  }

  @Test
  void theTokenizerKeptInTheCheckpoint_exportsWithIt_andRefusesAResumeOnOtherText()
      throws IOException {
    Path corpus = corpus();
    JobSpec spec = JobSpecParser.parse("""
        data: {uri: '%s', format: text, tokenizer: char, documents: paragraph,
               split: {train: 0.9, validation: 0.1}}
        model: {name: gpt, blockSize: 8, layers: 1, width: 16, heads: 2}
        train: {epochs: 1, batchSize: 16, workers: 2, averagingFrequency: 8,
                threadsPerWorker: 1}
        output: {dir: '%s'}
        """.formatted(corpus, dir.resolve("changed")), null);
    TrainJob.run(SharedSpark.context(), spec, false);
    // The checkpoint carries the tokenizer, so it exports as a complete model: the run's own.
    Path run = dir.resolve("changed");
    long newest = new CheckpointStore(run.toUri().toString(),
        new Configuration()).list().get(0).round();
    Path exported = dir.resolve("exported.zip");
    assertThat(SparktrainMain.execute("export", "--checkpoint",
        run.resolve(String.format("checkpoints/round-%06d", newest)).toString(), "--output",
        exported.toString())).isZero();
    ModelBundle fromCheckpoint = ModelBundle.load(exported.toString(), new Configuration());
    ModelBundle fromRun = ModelBundle.load(run.resolve("model").toString(),
        new Configuration());
    assertThat(fromCheckpoint.tokenizerJson()).isNotNull().isEqualTo(fromRun.tokenizerJson());
    assertThat(fromCheckpoint.network().params().toFloatVector())
        .containsExactly(fromRun.network().params().toFloatVector());
    assertThat(new TextGenerator(fromCheckpoint).generate("the ", 20, 0.5, 5, 1))
        .isEqualTo(new TextGenerator(fromRun).generate("the ", 20, 0.5, 5, 1));

    // Same spec, same file name, other text: the numeric normalizer of a text run is the
    // identity, so only the tokenizer tells the runs apart.
    Files.writeString(corpus, Files.readString(corpus).replace("whale", "squid!"));
    assertThatThrownBy(() -> TrainJob.run(SharedSpark.context(), spec, false))
        .hasMessageContaining("the training text changed since the checkpoint");
  }
}
