package org.sparktrain.driver.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.testing.SharedSpark;
import org.sparktrain.worker.text.Tokenizer;

/**
 * predict for text models over a table's text column, on the executors: a gpt's per-text
 * log-likelihood and a bert-classifier's classes equal one JVM's, row for row.
 */
class TextPredictTest {
  @TempDir
  static Path dir;
  private static final JavaSparkContext SC = SharedSpark.context();
  private static final SparkSession SPARK = SparkSession.builder().sparkContext(SC.sc())
      .getOrCreate();
  private static final String[] SENTENCES = {"the cat sat on the mat. ",
      "the dog ran in the park. ", "a bird sang in the tree. ", "the sun rose over the hill. "};
  private static String gpt;
  private static String classifier;
  private static Path texts;

  @BeforeAll
  static void trainTwoTextModels() throws IOException {
    StringBuilder corpus = new StringBuilder();
    for (int p = 0; p < 80; p++) {
      corpus.append(SENTENCES[p % 4]).append(SENTENCES[(p + 1) % 4]).append("\n\n");
    }
    Path corpusFile = Files.writeString(dir.resolve("corpus.txt"), corpus.toString());
    TrainJob.run(SC, JobSpecParser.parse("""
        data: {uri: '%s', format: text, tokenizer: char, documents: paragraph,
               split: {train: 0.9, validation: 0.1}}
        model: {name: gpt, blockSize: 16, layers: 1, width: 32, heads: 2}
        train: {epochs: 3, batchSize: 16, workers: 2, averagingFrequency: 4,
                optimizer: {name: adam, learningRate: 0.01}, threadsPerWorker: 1}
        output: {dir: '%s'}
        """.formatted(corpusFile, dir.resolve("gpt")), null), false);
    gpt = dir.resolve("gpt/model").toString();

    StringBuilder labelled = new StringBuilder("text,label\n");
    for (int i = 0; i < 200; i++) {
      labelled.append(i % 2 == 0 ? "the cat and the dog" : "rain and wind and snow")
          .append(i % 3 == 0 ? " today" : "").append(',').append(i % 2).append('\n');
    }
    Path csv = Files.writeString(dir.resolve("labelled.csv"), labelled.toString());
    TrainJob.run(SC, JobSpecParser.parse("""
        data: {uri: '%s', format: csv, header: true, textColumn: 0, labelColumn: 1,
               numClasses: 2, tokenizer: char, split: {train: 0.8, validation: 0.1, test: 0.1}}
        model: {name: bert-classifier, blockSize: 24, layers: 1, width: 32, heads: 2}
        train: {epochs: 3, batchSize: 16, workers: 2, averagingFrequency: 4,
                optimizer: {name: adam, learningRate: 0.003}, threadsPerWorker: 1}
        output: {dir: '%s'}
        """.formatted(csv, dir.resolve("classifier")), null), false);
    classifier = dir.resolve("classifier/model").toString();

    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      String text = switch (i % 4) {
        case 0 -> SENTENCES[i % SENTENCES.length] + SENTENCES[(i + 1) % SENTENCES.length];
        case 1 -> "qzx vbn wkj plm " + i;
        case 2 -> i % 8 == 2 ? "the cat and the dog" : "rain and wind";
        default -> i == 3 ? null : "x";
      };
      rows.add(RowFactory.create(i, text));
    }
    texts = dir.resolve("texts.parquet");
    SPARK.createDataFrame(rows, DataTypes.createStructType(List.of(
        DataTypes.createStructField("id", DataTypes.IntegerType, false),
        DataTypes.createStructField("text", DataTypes.StringType, true))))
        .coalesce(1).write().parquet(texts.toString());
  }

  private static final JobSpec.Table PARQUET = new JobSpec.Table("parquet", Map.of(), null,
      null, List.of(), null, null, 0);

  private static List<String> textsInOrder() {
    List<String> out = new ArrayList<>();
    SPARK.read().parquet(texts.toString()).select("text").collectAsList()
        .forEach(r -> out.add(r.isNullAt(0) ? null : r.getString(0)));
    return out;
  }

  @Test
  void gptLogLikelihoodsOnTheExecutorsEqualOneJvmsAndFavourItsOwnKindOfText()
      throws IOException {
    Path out = dir.resolve("gpt-scores");
    assertThat(TextPredictJob.run(SC, gpt, PARQUET, texts.toUri().toString(), "text",
        out.toString(), "parquet", false)).isEqualTo(60);
    List<Row> written = SPARK.read().parquet(out.toString()).orderBy("row").collectAsList();
    assertThat(written.get(0).schema().fieldNames()).containsExactly("row", "tokens",
        "logLikelihood", "perplexity");

    ModelBundle bundle = ModelBundle.load(gpt, new Configuration());
    List<TextScores.Likelihood> expected = TextScores.likelihoods(bundle.network(),
        Tokenizer.fromJson(bundle.tokenizerJson()), bundle.numFeatures() - 1, textsInOrder());
    double corpusLike = 0;
    double gibberish = 0;
    for (int i = 0; i < 60; i++) {
      Row w = written.get(i);
      assertThat(w.getLong(0)).isEqualTo(i + 1);
      assertThat(w.getLong(1)).isEqualTo(expected.get(i).tokens());
      assertThat(w.getDouble(2)).isCloseTo(expected.get(i).logLikelihood(),
          Offset.offset(1e-4 * Math.max(1, expected.get(i).tokens())));
      if (i % 4 == 0) {
        corpusLike += w.getDouble(3);
      }
      if (i % 4 == 1) {
        gibberish += w.getDouble(3);
      }
    }
    // A null text and a one-character text predict no token: no perplexity.
    assertThat(written.get(3).isNullAt(3)).isTrue();
    assertThat(written.get(3).getLong(1)).isZero();
    assertThat(corpusLike / 15).as("mean perplexity of the corpus's sentences")
        .isLessThan(gibberish / 15);
  }

  @Test
  void bertClassifierClassesOnTheExecutorsEqualOneJvms() throws IOException {
    Path out = dir.resolve("classes");
    TextPredictJob.run(SC, classifier, PARQUET, texts.toUri().toString(), "text",
        out.toString(), "parquet", false);
    List<Row> written = SPARK.read().parquet(out.toString()).orderBy("row").collectAsList();
    assertThat(written.get(0).schema().fieldNames()).containsExactly("row", "prediction", "p0",
        "p1");
    ModelBundle bundle = ModelBundle.load(classifier, new Configuration());
    List<float[]> expected = TextScores.classProbabilities(bundle.network(),
        Tokenizer.fromJson(bundle.tokenizerJson()), bundle.numFeatures(), 2, textsInOrder());
    for (int i = 0; i < 60; i++) {
      Row w = written.get(i);
      assertThat(w.getDouble(1)).isEqualTo(PredictJob.predictedClass(expected.get(i)));
      assertThat(w.getDouble(2) + w.getDouble(3)).isCloseTo(1.0,
          Offset.offset(1e-5));
      assertThat(w.getDouble(2)).isCloseTo(expected.get(i)[0],
          Offset.offset(1e-5));
    }
    // The texts it was trained on: "the cat and the dog" is class 0, "rain and wind" class 1.
    assertThat(written.get(2).getDouble(1)).isEqualTo(0.0);
    assertThat(written.get(6).getDouble(1)).isEqualTo(1.0);
  }

  @Test
  void aFolderWithoutAModelIsRefusedByName() {
    assertThatThrownBy(() -> TextPredictJob.run(SC, dir.resolve("nothing").toString(),
        PARQUET, texts.toUri().toString(), "text", dir.resolve("y").toString(), "parquet",
        false)).hasMessageContaining("not a sparktrain model");
  }
}
