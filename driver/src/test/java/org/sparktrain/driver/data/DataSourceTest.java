package org.sparktrain.driver.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.worker.data.LabelRule;

/**
 * Each spec's data is read by the source of its format; what a source prepared says what its
 * rows are. Spark-free: choosing reads nothing.
 */
class DataSourceTest {
  private static final Path BASE = Path.of("/data/specs");

  private static JobSpec.Data data(String yaml) {
    return JobSpecParser.parse(yaml, BASE).data();
  }

  @Test
  void eachFormatHasItsSource() {
    String mlp = "model: {name: mlp, hidden: [8]}\n";
    assertThat(DataSource.of(data("data: {uri: d.csv, numClasses: 3}\n" + mlp)))
        .isInstanceOf(CsvSource.class);
    assertThat(DataSource.of(data("data: {uri: d.svm, format: libsvm, numFeatures: 4, "
        + "numClasses: 3}\n" + mlp))).isInstanceOf(LibSvmSource.class);
    assertThat(DataSource.of(data("data: {uri: i.idx, format: idx, labelsUri: l.idx, "
        + "numClasses: 10}\n" + mlp))).isInstanceOf(IdxSource.class);
    assertThat(DataSource.of(data("data: {uri: t.parquet, format: parquet, labelColumn: y, "
        + "numClasses: 3}\n" + mlp))).isInstanceOf(TableSource.class);
    assertThat(DataSource.of(data("data: {uri: book.txt, format: text, split: {train: 0.9, "
        + "validation: 0.1, test: 0}}\nmodel: {name: gpt, blockSize: 8, layers: 1, width: 8, "
        + "heads: 2}\n"))).isInstanceOf(TextPreparation.class);
  }

  @Test
  void csvOfTextsIsReadAsLabelledTexts() {
    JobSpec.Data texts = data("data: {uri: reviews.csv, numClasses: 2, textColumn: 0, "
        + "labelColumn: 1}\nmodel: {name: bert-classifier, blockSize: 8, layers: 1, width: 8, "
        + "heads: 2}\n");
    assertThat(DataSource.of(texts)).isInstanceOf(TextClassPreparation.class);
  }

  @Test
  void onlyFilesOfNumbersAreReadAsPlainRecords() {
    JobSpec.Data corpus = data("data: {uri: book.txt, format: text, split: {train: 0.9, "
        + "validation: 0.1, test: 0}}\nmodel: {name: gpt, blockSize: 8, layers: 1, width: 8, "
        + "heads: 2}\n");
    assertThatThrownBy(() -> DatasetReader.read(null, corpus, corpus.uri(), null,
        LabelRule.regression()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("format text is not read as files of numbers (file:///data/specs/book.txt)");
  }

  @Test
  void featuresSayWhatARowHolds() {
    Features texts = new Features.TokenRows("{}", 300, 24, 2);
    assertThat(texts.networkInputs()).isEqualTo(300); // token ids, one-hot over the vocabulary
    assertThat(texts.numClasses()).isEqualTo(2);
    assertThat(texts.tableEncodingJson()).isNull();
    Features blocks = new Features.TokenBlocks("{}", 300, 25);
    assertThat(blocks.networkInputs()).isEqualTo(25);
    assertThat(blocks.numClasses()).isEqualTo(300); // each position predicts a token
    Features numbers = new Features.Numbers(784, 10);
    assertThat(List.of(numbers.width(), numbers.networkInputs(), numbers.numClasses()))
        .containsExactly(784, 784, 10);
    assertThat(numbers.tokenizerJson()).isNull();
  }

  @Test
  void aModelNamesTheFormatsItReadsOnce() {
    // bert-classifier on a text corpus: one mistake, saying what it reads (it was two before).
    assertThatThrownBy(() -> data("data: {uri: book.txt, format: text, numClasses: 2, "
        + "split: {train: 0.9, validation: 0.1, test: 0}}\nmodel: {name: bert-classifier, "
        + "blockSize: 8, layers: 1, width: 8, heads: 2}\n"))
        .hasMessage("data.format: text does not go with model bert-classifier (it reads csv: "
            + "a text column and a label)");
    assertThatThrownBy(() -> data("data: {uri: d.csv}\nmodel: {name: gpt, blockSize: 8, "
        + "layers: 1, width: 8, heads: 2}\n"))
        .hasMessageContaining("data.format: csv does not go with model gpt (format text is for "
            + "language models, gpt and bert; the others read csv, idx or libsvm)");
  }
}
