package org.sparktrain.driver.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.data.RawRow;
import org.sparktrain.driver.data.TableEncoding;
import org.sparktrain.driver.output.Json;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.testing.SharedSpark;
import org.sparktrain.driver.testing.TestData;
import org.sparktrain.worker.data.LabelRule;
import org.sparktrain.worker.data.ParsedRecord;

/**
 * A table run end to end: a penguins-like table with text labels, categories and missing
 * values trains, saves its encoding with the model, and predicts class names on the executors
 * exactly as one JVM does.
 */
class TablePredictTest {
  @TempDir
  static Path dir;
  private static final JavaSparkContext SC = SharedSpark.context();
  private static final SparkSession SPARK = SparkSession.builder().sparkContext(SC.sc())
      .getOrCreate();
  private static Path parquet;
  private static Map<String, Object> summary;

  @BeforeAll
  static void trainOnATable() throws IOException {
    Random r = new Random(3);
    StringBuilder csv = new StringBuilder("species,island,bill,flipper,sex\n");
    String[] species = {"Adelie", "Gentoo", "Chinstrap"};
    String[] islands = {"Biscoe", "Dream", "Torgersen"};
    for (int i = 0; i < 240; i++) {
      int s = i % 3 == 2 && r.nextBoolean() ? 0 : i % 3;
      String bill = r.nextInt(12) == 0 ? "NA"
          : String.format(Locale.ROOT, "%.1f", 39 + 5 * s + r.nextGaussian());
      String flipper = String.format(Locale.ROOT, "%.0f", 190 + 12 * s
          + 3 * r.nextGaussian());
      String sex = r.nextInt(10) == 0 ? "" : r.nextBoolean() ? "male" : "female";
      csv.append(species[s]).append(',').append(islands[(s + r.nextInt(2)) % 3]).append(',')
          .append(bill).append(',').append(flipper).append(',').append(sex).append('\n');
    }
    Path file = TestData.write(dir, "penguins.csv", csv.toString());
    parquet = dir.resolve("penguins.parquet");
    SPARK.read().option("header", "true").option("inferSchema", "true").csv(file.toString())
        .coalesce(1).write().parquet(parquet.toString());
    JobSpec spec = JobSpecParser.parse("data: {uri: '" + parquet + "', format: parquet, "
        + "labelColumn: species}\npreprocess: {missing: median}\n"
        + "model: {name: mlp, hidden: [16]}\n"
        + "train: {epochs: 20, batchSize: 16, workers: 2, threadsPerWorker: 1, "
        + "optimizer: {name: adam, learningRate: 0.02}}\n"
        + "output: {dir: '" + dir.resolve("run") + "'}\n", null);
    summary = TrainJob.run(SC, spec, false).summary();
  }

  @Test
  void theModelKeepsItsEncodingAndLearnsTheTable() throws IOException {
    JsonNode pre = Json.MAPPER.readTree(dir.resolve("run/model/preprocessing.json").toFile());
    assertThat(pre.at("/table/labelClasses").toString())
        .isEqualTo("[\"Adelie\",\"Gentoo\",\"Chinstrap\"]");
    assertThat(pre.at("/table/columns/0/kind").asText()).isEqualTo("category");
    assertThat(pre.at("/table/columns/1/fill").isNumber()).as("bill's median").isTrue();
    assertThat(pre.get("numClasses").asInt()).isEqualTo(3);
    @SuppressWarnings("unchecked")
    Map<String, Object> test = (Map<String, Object>) summary.get("test");
    assertThat((Double) test.get("accuracy")).isGreaterThan(0.85);
  }

  @Test
  void aRowThatCannotBeEncodedStopsPredictNamingItsRowBeforeAnythingIsWritten() {
    // The table's rows with flipper as text, row 200 not a number: in the second of the two
    // partitions, so its number comes from the first partition's count.
    List<Row> rows = new ArrayList<>();
    List<Row> original = SPARK.read().parquet(parquet.toString()).collectAsList();
    for (int i = 0; i < original.size(); i++) {
      Row r = original.get(i);
      rows.add(RowFactory.create(r.get(0), r.get(1), r.get(2),
          i == 199 ? "abc" : String.valueOf(r.get(3)), r.get(4)));
    }
    StructType schema = SPARK.read().parquet(parquet.toString())
        .schema();
    StructField[] fields = schema.fields().clone();
    fields[3] = DataTypes.createStructField(fields[3].name(),
        DataTypes.StringType, true);
    // A local table: Spark spreads its rows over the cores, in order.
    SPARK.createDataFrame(rows, DataTypes.createStructType(fields))
        .createOrReplaceTempView("penguins_bad");
    assertThat(SPARK.table("penguins_bad").javaRDD().getNumPartitions()).isEqualTo(2);
    JobSpec.Table view = new JobSpec.Table(null, Map.of(), null,
        "SELECT * FROM penguins_bad", List.of(), null, null, 0);
    Path out = dir.resolve("refused");
    assertThatThrownBy(() -> TablePredictJob.run(SC, dir.resolve("run/model").toString(), view,
        null, out.toString(), "parquet", false))
        .hasMessageContaining("row 200: column 'flipper'")
        .hasMessageContaining("predict scores every row");
    assertThat(out).doesNotExist();
  }

  @Test
  void distributedPredictOnParquetEqualsOneJvmRowForRowWithClassNames() throws IOException {
    Path out = dir.resolve("predictions");
    JobSpec.Table source = new JobSpec.Table("parquet", Map.of(), null, null, List.of(), null,
        null, 0);
    String model = dir.resolve("run/model").toString();
    long rows = TablePredictJob.run(SC, model, source, parquet.toUri().toString(),
        out.toString(), "parquet", false);
    assertThat(rows).isEqualTo(240);
    List<Row> written = SPARK.read().parquet(out.toString()).orderBy("row").collectAsList();
    assertThat(written).hasSize(240);
    // The one-file table was spread over both cores in contiguous ranges: the files read in
    // input order.
    List<Path> parts;
    try (var files = Files.list(out)) {
      parts = files.filter(f -> f.toString().endsWith(".parquet")).sorted().toList();
    }
    assertThat(parts).hasSize(2);
    long next = 1;
    for (Path part : parts) {
      for (Row r : SPARK.read().parquet(part.toString()).collectAsList()) {
        assertThat(r.getLong(0)).isEqualTo(next++);
      }
    }
    assertThat(next).isEqualTo(241);
    assertThat(written.get(0).schema().fieldNames()).containsExactly("row", "prediction",
        "p_Adelie", "p_Gentoo", "p_Chinstrap");

    // One JVM: the same rows, the saved encoding and normalizer, the network's own output.
    ModelBundle bundle = ModelBundle.load(model, new Configuration());
    TableEncoding encoding = TableEncoding.fromJson(bundle.tableEncodingJson());
    List<Row> input = SPARK.read().parquet(parquet.toString())
        .select("island", "bill", "flipper", "sex").collectAsList();
    List<float[]> features = new ArrayList<>();
    for (int i = 0; i < input.size(); i++) {
      Row in = input.get(i);
      Object[] values = new Object[4];
      for (int c = 0; c < 4; c++) {
        // bill holds NA, so the CSV's inferred schema made it text; flipper is an integer.
        Object v = in.get(c);
        values[c] = v instanceof Number n ? (Object) n.doubleValue() : v;
      }
      ParsedRecord record = encoding.encode(new RawRow(i + 1,
          values), false, LabelRule.regression());
      features.add(record.features());
    }
    float[][] expected = PredictJob.outputs(bundle, features);
    for (int i = 0; i < 240; i++) {
      Row w = written.get(i);
      assertThat(w.getLong(0)).isEqualTo(i + 1);
      assertThat(w.getString(1)).isEqualTo(encoding.labelClasses()
          .get(PredictJob.predictedClass(expected[i])));
      for (int k = 0; k < 3; k++) {
        // Minibatches on the executors hold other rows than here, and BLAS may sum a row's
        // products in another order for another batch shape: equal to float rounding.
        assertThat(w.getDouble(2 + k)).isCloseTo(expected[i][k],
            Offset.offset(1e-6 * Math.max(1e-3, expected[i][k])));
      }
    }
    assertThatThrownBy(() -> TablePredictJob.run(SC, model, source,
        parquet.toUri().toString(), out.toString(), "parquet", false))
        .hasMessageContaining("already exists");
  }

  @Test
  void evaluateReadsTheTableWithTheModelsEncodingAndNamesTheClasses() throws IOException {
    JobSpec.Table source = new JobSpec.Table("parquet", Map.of(), null, null, List.of(), null,
        null, 0);
    Map<String, Object> metrics = EvaluateJob.run(SC, dir.resolve("run/model").toString(),
        new EvaluateJob.DataOptions(parquet.toUri().toString(), JobSpec.Format.TABLE, null, -1,
            false, 2), source);
    assertThat(metrics.get("classes")).isEqualTo(List.of("Adelie", "Gentoo", "Chinstrap"));
    assertThat(metrics.get("recordsRead")).isEqualTo(240L);
    assertThat((Double) metrics.get("accuracy")).isGreaterThan(0.85);
  }

  @Test
  void aNumericModelIsNotGivenATable() throws IOException {
    Path csv = TestData.write(dir, "blobs.csv", TestData.blobsCsv(60, 3, 2, 1));
    TrainJob.run(SC, JobSpecParser.parse("data: {uri: '" + csv + "', numClasses: 2}\n"
        + "model: {name: mlp, hidden: [4]}\ntrain: {epochs: 1, workers: 2}\n"
        + "output: {dir: '" + dir.resolve("numeric") + "'}\n", null), false);
    JobSpec.Table source = new JobSpec.Table("parquet", Map.of(), null, null, List.of(), null,
        null, 0);
    assertThatThrownBy(() -> TablePredictJob.run(SC, dir.resolve("numeric/model").toString(),
        source, parquet.toUri().toString(), dir.resolve("x").toString(), "parquet", false))
        .hasMessageContaining("not a table");
  }
}
