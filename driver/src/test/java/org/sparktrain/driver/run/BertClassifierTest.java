package org.sparktrain.driver.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.data.DataPreparation;
import org.sparktrain.driver.data.PreparedData;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.testing.SharedSpark;
import org.sparktrain.driver.train.TrainingLoop;

/** BERT fine-tuning: a [CLS] classifier trained from a labelled CSV of texts on local[2]. */
class BertClassifierTest {
  private static final String[] ANIMALS = {"the cat sat", "a dog ran", "my bird sang"};
  private static final String[] WEATHER = {"rain fell", "snow came", "wind blew"};
  private static final String[] FILLER = {"today", "at noon", "again", "by the door",
      "slowly", "once more"};

  @TempDir
  Path dir;

  @Test
  @SuppressWarnings("unchecked")
  void aClassifierLearnsLabelledTextsAndCountsBadRecords() throws IOException {
    Path csv = labelledCsv();
    TrainJob.Result result = TrainJob.run(SharedSpark.context(), JobSpecParser.parse(
        spec(csv, "", dir.resolve("run")), null), false);

    Map<String, Object> test = (Map<String, Object>) result.summary().get("test");
    assertThat((Double) test.get("accuracy")).isGreaterThan(0.9);
    Map<String, Object> records = (Map<String, Object>) result.summary().get("records");
    Map<String, Object> reasons = (Map<String, Object>) records.get("droppedByReason");
    // One line with one column and one with an unclosed quote; one label outside 0..1.
    assertThat(reasons.get("wrongColumnCount")).isEqualTo(2L);
    assertThat(reasons.get("labelOutOfRange")).isEqualTo(1L);
    assertThat(records.get("kept")).isEqualTo(300L);
    ModelBundle saved = ModelBundle.load(dir.resolve("run/model").toString(),
        new Configuration());
    assertThat(saved.tokenizerJson()).isNotNull();
    assertThatThrownBy(() -> saved.requireNumericInput("predict"))
        .hasMessageContaining("bert-classifier model, whose inputs are texts");
  }

  @Test
  void aCsvWithoutALabelColumnIsRefusedNamingFileAndLine() throws IOException {
    Path csv = Files.writeString(dir.resolve("one-column.csv"), "text\nonly text here\n");
    JobSpec spec = JobSpecParser.parse(spec(csv, "", dir.resolve("one")), null);
    assertThatThrownBy(() -> DataPreparation.prepare(SharedSpark.context(), spec,
        DataPreparation.Selection.SPEC_SPLIT))
        .hasMessageContaining("one-column.csv line 2: the first record has 1 column")
        .hasMessageContaining("data.textColumn, data.labelColumn");
  }

  @Test
  void aPretrainedBertGivesTheClassifierItsEncoderWeights() throws IOException {
    Path corpus = Files.createDirectory(dir.resolve("corpus"));
    Files.writeString(corpus.resolve("texts.txt"), String.join("\n\n", texts(200, 9)));
    TrainJob.Result pretrained = TrainJob.run(SharedSpark.context(), JobSpecParser.parse("""
        data: {uri: '%s', format: text, tokenizer: char, documents: paragraph,
               split: {train: 0.9, validation: 0.1}}
        model: {name: bert, blockSize: 24, layers: 1, width: 32, heads: 2}
        train: {epochs: 1, batchSize: 16, workers: 2, averagingFrequency: 4,
                optimizer: {name: adam, learningRate: 0.01}, threadsPerWorker: 1}
        output: {dir: '%s'}
        """.formatted(corpus, dir.resolve("bert")), null), false);
    float[] bert = pretrained.model().network().params().toFloatVector();
    long encoder = bert.length - pretrained.model().network().layers()
        .getLayer(pretrained.model().network().layers().getnLayers() - 1).numParams();

    JobSpec spec = JobSpecParser.parse(spec(labelledCsv(), "pretrained: '"
        + dir.resolve("bert/model") + "', ", dir.resolve("tuned")), null);
    PreparedData data = DataPreparation.prepare(SharedSpark.context(), spec,
        DataPreparation.Selection.SPEC_SPLIT);
    float[] start = new TrainingLoop(SharedSpark.context(), spec, data).initialSnapshot()
        .params();
    assertThat(Arrays.copyOf(start, (int) encoder)).containsExactly(
        Arrays.copyOf(bert, (int) encoder));
    // The tokenizer is the pretrained model's, not one trained on the CSV.
    assertThat(data.tokenizerJson()).isEqualTo(pretrained.bundle().tokenizerJson());
    data.release();

    JobSpec wider = JobSpecParser.parse(spec(labelledCsv(), "pretrained: '"
        + dir.resolve("bert/model") + "', ", dir.resolve("wider")).replace("width: 32",
        "width: 48"), null);
    PreparedData again = DataPreparation.prepare(SharedSpark.context(), wider,
        DataPreparation.Selection.SPEC_SPLIT);
    assertThatThrownBy(() -> new TrainingLoop(SharedSpark.context(), wider, again))
        .hasMessageContaining("model.pretrained: layer 0")
        .hasMessageContaining("must equal the pretrained model's");
    again.release();
  }

  private static String spec(Path csv, String pretrained, Path out) {
    return """
        data: {uri: '%s', format: csv, header: true, textColumn: 0, labelColumn: 1,
               numClasses: 2, tokenizer: char, split: {train: 0.7, validation: 0.1, test: 0.2}}
        model: {name: bert-classifier, %sblockSize: 24, layers: 1, width: 32, heads: 2}
        train: {epochs: 4, batchSize: 16, workers: 2, averagingFrequency: 4,
                optimizer: {name: adam, learningRate: 0.003}, threadsPerWorker: 1}
        output: {dir: '%s'}
        """.formatted(csv, pretrained, out);
  }

  /** 300 labelled texts (quoted, with commas) and three bad lines. */
  private Path labelledCsv() throws IOException {
    StringBuilder sb = new StringBuilder("text,label\n");
    String[] texts = texts(300, 5);
    for (int i = 0; i < texts.length; i++) {
      sb.append('"').append(texts[i].replace("\"", "\"\"")).append("\",").append(i % 2)
          .append('\n');
      if (i == 10) {
        sb.append("a line with one column\n");
        sb.append("\"a quote left open,1\n");
        sb.append("\"the cat sat\",7\n");
      }
    }
    return Files.writeString(dir.resolve("labelled-" + System.nanoTime() + ".csv"),
        sb.toString());
  }

  /** Text i is about animals for even i, about weather for odd i; filler around it. */
  private static String[] texts(int n, long seed) {
    Random r = new Random(seed);
    String[] out = new String[n];
    for (int i = 0; i < n; i++) {
      String[] topic = i % 2 == 0 ? ANIMALS : WEATHER;
      String filler = FILLER[r.nextInt(FILLER.length)];
      String subject = topic[r.nextInt(topic.length)];
      out[i] = r.nextBoolean() ? subject + ", " + filler : filler + ", \"" + subject + "\"";
    }
    return out;
  }
}
