package org.sparktrain.driver.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.testing.SharedSpark;
import org.sparktrain.driver.testing.TestData;
import org.sparktrain.worker.data.DropReason;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.data.ParsedRecord;

class DataPreparationTest {
  private final JavaSparkContext sc = SharedSpark.context();
  @TempDir
  Path dir;

  private static JobSpec spec(String data, String preprocess, int workers) {
    return JobSpecParser.parse("data: " + data + "\npreprocess: " + preprocess
        + "\nmodel: {name: mlp}\ntrain: {workers: " + workers + "}\n", null);
  }

  /** Two files, one gzipped, with one bad record of each kind spread over them. */
  private Path csvFolderWithBadRecords() throws IOException {
    Path folder = Files.createDirectory(dir.resolve("csv"));
    TestData.write(folder, "a.csv", "1,2,0\n3,4,1\n5,6\n7,x,1\n\n9,10,2\n");
    TestData.write(folder, "b.csv.gz", "1,NaN,0\n3,4,7\n5,6,1\n1,Infinity,1\n");
    return folder;
  }

  @Test
  void dropPolicyCountsEveryReasonAcrossFiles() throws IOException {
    JobSpec spec = spec("{uri: '" + csvFolderWithBadRecords() + "', numClasses: 3, "
        + "split: {train: 1.0, validation: 0, test: 0}}", "{badRecords: drop}", 2);
    PreparedData data = DataPreparation.prepare(sc, spec, DataPreparation.Selection.SPEC_SPLIT);
    RecordCounts counts = data.counts();
    assertThat(counts.read()).isEqualTo(9);
    assertThat(counts.droppedByReason()[DropReason.WRONG_COLUMN_COUNT.ordinal()]).isEqualTo(1);
    assertThat(counts.droppedByReason()[DropReason.UNPARSABLE_NUMBER.ordinal()]).isEqualTo(1);
    assertThat(counts.droppedByReason()[DropReason.NON_FINITE.ordinal()]).isEqualTo(2);
    assertThat(counts.droppedByReason()[DropReason.LABEL_OUT_OF_RANGE.ordinal()]).isEqualTo(1);
    assertThat(counts.train()).isEqualTo(4);
    assertThat(data.shardRows()).containsExactly(2, 2);
    data.release();
  }

  @Test
  void failPolicyNamesFileAndLine() throws IOException {
    JobSpec spec = spec("{uri: '" + csvFolderWithBadRecords() + "', numClasses: 3}",
        "{badRecords: fail}", 2);
    assertThatThrownBy(() -> DataPreparation.prepare(sc, spec,
        DataPreparation.Selection.SPEC_SPLIT))
        .isInstanceOf(BadRecordException.class)
        .hasMessageContaining("a.csv line 3: expected 3 columns, found 2 [wrongColumnCount]")
        .hasMessageContaining("set it to 'drop'");
  }

  @Test
  void headerIsSkippedAndLabelColumnCanBeFirst() throws IOException {
    TestData.write(dir, "h.csv", "label,x,y\n1,0.5,0.25\n0,1,2\n");
    JobSpec spec = spec("{uri: '" + dir.resolve("h.csv") + "', header: true, labelColumn: 0, "
        + "numClasses: 2, split: {train: 1.0, validation: 0, test: 0}}", "{normalize: none}", 1);
    PreparedData data = DataPreparation.prepare(sc, spec, DataPreparation.Selection.SPEC_SPLIT);
    ExampleBlock shard = data.train().collect().get(0);
    assertThat(data.counts().read()).isEqualTo(2);
    assertThat(shard.features()).containsExactly(0.5f, 0.25f, 1f, 2f);
    assertThat(shard.labels()).containsExactly(1f, 0f);
    data.release();
  }

  @Test
  void libsvmRecordsAndTheirBadKinds() throws IOException {
    TestData.write(dir, "d.svm", "1 1:1 3:2\n0 2:5\n1 9:1\n0 2:abc\n");
    JobSpec spec = spec("{uri: '" + dir.resolve("d.svm") + "', format: libsvm, numFeatures: 3, "
        + "numClasses: 2, split: {train: 1.0, validation: 0, test: 0}}", "{normalize: none}", 1);
    PreparedData data = DataPreparation.prepare(sc, spec, DataPreparation.Selection.SPEC_SPLIT);
    assertThat(data.train().collect().get(0).features()).containsExactly(1f, 0f, 2f, 0f, 5f, 0f);
    assertThat(data.counts().droppedByReason()[DropReason.FEATURE_INDEX_OUT_OF_RANGE.ordinal()])
        .isEqualTo(1);
    assertThat(data.counts().droppedByReason()[DropReason.UNPARSABLE_NUMBER.ordinal()])
        .isEqualTo(1);
    data.release();
  }

  private static byte[] idx(int magic, int... header) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(magic);
    for (int h : header) {
      out.writeInt(h);
    }
    return bytes.toByteArray();
  }

  @Test
  void idxImagesWithLabelsAndAnOutOfRangeLabel() throws IOException {
    byte[] head = idx(0x803, 3, 1, 2);
    byte[] images = new byte[head.length + 6];
    System.arraycopy(head, 0, images, 0, head.length);
    for (int i = 0; i < 6; i++) {
      images[head.length + i] = (byte) (i * 50);
    }
    byte[] labelHead = idx(0x801, 3);
    byte[] labels = new byte[labelHead.length + 3];
    System.arraycopy(labelHead, 0, labels, 0, labelHead.length);
    labels[labelHead.length] = 1;
    labels[labelHead.length + 1] = 12;
    labels[labelHead.length + 2] = 0;
    Files.write(dir.resolve("img.idx"), images);
    Files.write(dir.resolve("lbl.idx"), labels);
    JobSpec spec = spec("{uri: '" + dir.resolve("img.idx") + "', labelsUri: '"
        + dir.resolve("lbl.idx") + "', format: idx, numClasses: 10, "
        + "split: {train: 1.0, validation: 0, test: 0}}", "{normalize: scale}", 1);
    PreparedData data = DataPreparation.prepare(sc, spec, DataPreparation.Selection.SPEC_SPLIT);
    ExampleBlock shard = data.train().collect().get(0);
    assertThat(data.counts().droppedByReason()[DropReason.LABEL_OUT_OF_RANGE.ordinal()])
        .isEqualTo(1);
    assertThat(shard.rows()).isEqualTo(2);
    assertThat(shard.features()[1]).isCloseTo(50f / 250f, within(1e-6f));
    data.release();
  }

  @Test
  void idxWithWrongMagicFailsNamingTheFile() throws IOException {
    Files.write(dir.resolve("img.idx"), idx(0x801, 1));
    Files.write(dir.resolve("lbl.idx"), idx(0x801, 1));
    JobSpec spec = spec("{uri: '" + dir.resolve("img.idx") + "', labelsUri: '"
        + dir.resolve("lbl.idx") + "', format: idx, numClasses: 10}", "{}", 1);
    assertThatThrownBy(() -> DataPreparation.prepare(sc, spec,
        DataPreparation.Selection.SPEC_SPLIT))
        .hasMessageContaining("img.idx: not an IDX unsigned-byte image file");
  }

  @Test
  void missingInputNamesTheUri() {
    JobSpec spec = spec("{uri: '" + dir.resolve("nothing.csv") + "', numClasses: 2}", "{}", 1);
    assertThatThrownBy(() -> DataPreparation.prepare(sc, spec,
        DataPreparation.Selection.SPEC_SPLIT))
        .hasMessageContaining("no input found at").hasMessageContaining("nothing.csv");
  }

  @Test
  void normalizerIsFittedOnTheTrainingSplitOnly() throws IOException {
    Path file = TestData.write(dir, "blobs.csv", TestData.blobsCsv(600, 4, 3, 5));
    JobSpec spec = spec("{uri: '" + file + "', numClasses: 3, "
        + "split: {train: 0.6, validation: 0.2, test: 0.2}}", "{normalize: standardize}", 3);
    PreparedData data = DataPreparation.prepare(sc, spec, DataPreparation.Selection.SPEC_SPLIT);

    // Single-pass reference over exactly the records the split puts in training.
    List<float[]> train = new ArrayList<>();
    List<String> lines = Files.readAllLines(file);
    for (int i = 0; i < lines.size(); i++) {
      ParsedRecord r = ParsedRecord.ok(0, i + 1, null, 0);
      if (DataPreparation.splitDraw(spec.train().seed(), r) < 0.6) {
        String[] f = lines.get(i).split(",");
        train.add(new float[] {Float.parseFloat(f[0]), Float.parseFloat(f[1]),
            Float.parseFloat(f[2]), Float.parseFloat(f[3])});
      }
    }
    assertThat(data.counts().train()).isEqualTo(train.size());
    for (int f = 0; f < 4; f++) {
      double mean = 0;
      for (float[] x : train) {
        mean += x[f];
      }
      mean /= train.size();
      double var = 0;
      for (float[] x : train) {
        var += (x[f] - mean) * (x[f] - mean);
      }
      double std = Math.sqrt(var / train.size());
      assertThat((double) data.normalizer().shift()[f]).isCloseTo(mean, within(1e-5));
      assertThat((double) data.normalizer().scale()[f]).isCloseTo(1 / std, within(1e-5));
    }
    int[] rows = data.shardRows();
    assertThat(rows[0] + rows[1] + rows[2]).isEqualTo(train.size());
    assertThat(Arrays.stream(rows).max().getAsInt()
        - Arrays.stream(rows).min().getAsInt()).isLessThanOrEqualTo(1);
    assertThat(data.counts().validation() + data.counts().test() + train.size()).isEqualTo(600);
    data.release();
  }

  @Test
  void shardsAreDeterministic() throws IOException {
    Path file = TestData.write(dir, "blobs.csv.gz", TestData.blobsCsv(300, 3, 2, 9));
    JobSpec spec = spec("{uri: '" + file + "', numClasses: 2}", "{}", 2);
    PreparedData a = DataPreparation.prepare(sc, spec, DataPreparation.Selection.SPEC_SPLIT);
    PreparedData b = DataPreparation.prepare(sc, spec, DataPreparation.Selection.SPEC_SPLIT);
    List<ExampleBlock> sa = a.train().collect();
    List<ExampleBlock> sb = b.train().collect();
    for (int i = 0; i < sa.size(); i++) {
      assertThat(sa.get(i).features()).containsExactly(sb.get(i).features());
      assertThat(sa.get(i).labels()).containsExactly(sb.get(i).labels());
    }
    a.release();
    b.release();
  }
}
