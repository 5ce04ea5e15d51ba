package org.sparktrain.driver.explain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparktrain.driver.cli.SparktrainMain;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.driver.run.TrainJob;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.testing.SharedSpark;
import org.sparktrain.driver.testing.TestData;
import org.sparktrain.worker.model.transformer.TransformerBlock;

/**
 * explain --text on a tiny gpt and a tiny bert-classifier: the attention recomputed outside
 * DL4J is the blocks' own (the same graph reproduces each block's output), a gpt's heads never
 * look ahead, every row of every map is a distribution, and a classifier's token attributions
 * add up with its prediction.
 */
class TextExplainTest {
  private static final JavaSparkContext SC = SharedSpark.context();
  private static final Configuration CONF = new Configuration();
  @TempDir
  static Path dir;
  private static String gpt;
  private static String classifier;

  @BeforeAll
  static void trainTwoTextModels() throws IOException {
    StringBuilder corpus = new StringBuilder();
    String[] sentences = {"the cat sat on the mat. ", "the dog ran in the park. "};
    for (int p = 0; p < 60; p++) {
      corpus.append(sentences[p % 2]).append(sentences[(p + 1) % 2]).append("\n\n");
    }
    Path corpusFile = Files.writeString(dir.resolve("corpus.txt"), corpus.toString());
    TrainJob.run(SC, JobSpecParser.parse("""
        data: {uri: '%s', format: text, tokenizer: char, documents: paragraph,
               split: {train: 0.9, validation: 0.1}}
        model: {name: gpt, blockSize: 16, layers: 2, width: 16, heads: 2}
        train: {epochs: 1, batchSize: 16, workers: 2, threadsPerWorker: 1,
                optimizer: {name: adam, learningRate: 0.01}}
        output: {dir: '%s'}
        """.formatted(corpusFile, dir.resolve("gpt")), null), false);
    gpt = dir.resolve("gpt/model").toString();

    StringBuilder labelled = new StringBuilder("text,label\n");
    for (int i = 0; i < 160; i++) {
      labelled.append(i % 2 == 0 ? "the cat and the dog" : "rain and wind and snow")
          .append(',').append(i % 2).append('\n');
    }
    Path csv = TestData.write(dir, "labelled.csv", labelled.toString());
    TrainJob.run(SC, JobSpecParser.parse("""
        data: {uri: '%s', format: csv, header: true, textColumn: 0, labelColumn: 1,
               numClasses: 2, tokenizer: char, split: {train: 0.8, validation: 0.1, test: 0.1}}
        model: {name: bert-classifier, blockSize: 24, layers: 1, width: 16, heads: 2}
        train: {epochs: 3, batchSize: 16, workers: 2, threadsPerWorker: 1,
                optimizer: {name: adam, learningRate: 0.003}}
        output: {dir: '%s'}
        """.formatted(csv, dir.resolve("classifier")), null), false);
    classifier = dir.resolve("classifier/model").toString();
  }

  @Test
  void aStandaloneGraphOfTheBlockReproducesDl4jsOutput() throws IOException {
    MultiLayerNetwork net = ModelBundle.load(gpt, CONF).network().layers();
    INDArray ids = Nd4j.createFromArray(new float[] {3, 4, 5, 6, 7, 8, 9, 10, 3, 4, 5, 6, 7, 8,
        9, 10}).reshape(1, 1, 16);
    List<INDArray> activations = net.feedForward(ids, false);
    int blocks = 0;
    for (int i = 0; i < net.getnLayers(); i++) {
      if (net.getLayer(i).conf().getLayer() instanceof TransformerBlock block) {
        INDArray ours = AttentionMaps.output(block, net.getLayer(i).paramTable(),
            activations.get(i), null);
        assertThat(ours.dup('c').reshape(-1).toDoubleVector()).containsExactly(
            activations.get(i + 1).dup('c').reshape(-1).toDoubleVector(), within(1e-5));
        blocks++;
      }
    }
    assertThat(blocks).isEqualTo(2);
  }

  @Test
  @SuppressWarnings("unchecked")
  void gptHeadsAreCausalDistributions() throws IOException {
    Map<String, Object> out = TextExplainJob.run(gpt, "the cat sat", dir.resolve("gpt-explained")
        .toString(), CONF);
    List<String> tokens = (List<String>) out.get("tokens");
    assertThat(tokens).hasSize(11).startsWith("t", "h", "e", " ");
    List<Map<String, Object>> heads = (List<Map<String, Object>>) out.get("attention");
    assertThat(heads).hasSize(4); // 2 layers x 2 heads
    for (Map<String, Object> h : heads) {
      List<Double> w = (List<Double>) h.get("weights");
      assertThat(w).hasSize(11 * 11);
      for (int q = 0; q < 11; q++) {
        double sum = 0;
        for (int k = 0; k < 11; k++) {
          double v = w.get(q * 11 + k);
          if (k > q) {
            assertThat(v).as("layer %s head %s looks ahead", h.get("layer"), h.get("head"))
                .isEqualTo(0.0);
          }
          sum += v;
        }
        assertThat(sum).isCloseTo(1.0, within(1e-5));
      }
    }
    assertThat(dir.resolve("gpt-explained/explain.html")).exists();
    assertThat(Files.readString(dir.resolve("gpt-explained/explain.json"))).contains("attention");
  }

  @Test
  void theCommandLineExplainsATextAndRefusesATextWithData() {
    Path out = dir.resolve("cli-explained");
    assertThat(SparktrainMain.execute("explain", "--model", gpt,
        "--text", "the dog", "--output", out.toString())).isZero();
    assertThat(out.resolve("explain.json")).exists();
    assertThat(out.resolve("explain.html")).exists();
    assertThat(SparktrainMain.execute("explain", "--model", gpt,
        "--text", "x", "--data", "rows.csv", "--output", out.toString())).isEqualTo(2);
  }

  @Test
  @SuppressWarnings("unchecked")
  void aClassifiersTokensAreAttributedByOcclusion() throws IOException {
    Map<String, Object> out = TextExplainJob.run(classifier, "the cat and the dog",
        dir.resolve("classifier-explained").toString(), CONF);
    assertThat((List<String>) out.get("tokens")).startsWith("[CLS]", "t").hasSize(20);
    assertThat(out.get("predicted")).isEqualTo(0);
    double[] p = (double[]) out.get("probabilities");
    assertThat(p[0] + p[1]).isCloseTo(1.0, within(1e-5));
    List<Map<String, Object>> tokens = (List<Map<String, Object>>) out.get("tokenAttributions");
    assertThat(tokens).hasSize(19);
    // Bidirectional heads: the rows still sum to 1, and later tokens are seen.
    List<Map<String, Object>> heads = (List<Map<String, Object>>) out.get("attention");
    List<Double> w = (List<Double>) heads.get(0).get("weights");
    double ahead = 0;
    for (int k = 1; k < 20; k++) {
      ahead += w.get(k);
    }
    assertThat(ahead).isGreaterThan(0);

    assertThatThrownBy(() -> TextExplainJob.run(dir.resolve("nowhere").toString(), "x",
        dir.resolve("x").toString(), CONF)).isInstanceOf(IOException.class);
  }
}
