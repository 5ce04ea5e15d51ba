package org.sparktrain.driver.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.iceberg.hadoop.HadoopTables;
import org.apache.iceberg.spark.SparkSchemaUtil;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.testing.SharedSpark;
import org.sparktrain.driver.testing.TestData;
import org.sparktrain.driver.train.TrainingLoop;
import org.sparktrain.worker.data.DropReason;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.data.LabelRule;
import org.sparktrain.worker.data.ParsedRecord;
import org.sparktrain.worker.train.NativeArrays;

/** Tables read with Spark SQL: same rows, same training; text columns, missing values. */
class TableInputTest {
  private static final String TRAIN = "train: {epochs: 1, batchSize: 32, workers: 2, seed: 5}\n"
      + "model: {name: mlp, hidden: [16]}\n";
  private final JavaSparkContext sc = SharedSpark.context();
  private final SparkSession spark = SparkSession.builder().sparkContext(sc.sc())
      .getOrCreate();
  @TempDir
  Path dir;

  private float[] trainedParams(String data) throws IOException {
    JobSpec spec = JobSpecParser.parse("data: " + data + "\n" + TRAIN, null);
    PreparedData prepared = DataPreparation.prepare(sc, spec,
        DataPreparation.Selection.SPEC_SPLIT);
    try {
      return NativeArrays.toFloats(new TrainingLoop(sc, spec, prepared)
          .run((m, s) -> { }).network().params());
    } finally {
      prepared.release();
    }
  }

  @Test
  void parquetOrcJsonATableAndAQueryTrainToTheSameParametersAsTheSameRowsInCsv()
      throws IOException {
    Path csv = TestData.digits();
    float[] expected = trainedParams("{uri: '" + csv + "', numClasses: 10}");
    Dataset<Row> rows = spark.read().option("inferSchema", "true").csv(csv.toString())
        .coalesce(1);
    rows.write().parquet(dir.resolve("p").toString());
    rows.write().orc(dir.resolve("o").toString());
    rows.write().json(dir.resolve("j").toString());
    rows.write().option("path", dir.resolve("t").toString()).saveAsTable("digits_table");
    try {
      String common = "labelColumn: _c64, numClasses: 10";
      assertThat(trainedParams("{uri: '" + dir.resolve("p") + "', format: parquet, " + common
          + "}")).isEqualTo(expected);
      assertThat(trainedParams("{uri: '" + dir.resolve("o") + "', format: orc, " + common
          + "}")).isEqualTo(expected);
      // JSON's inferred schema sorts the columns by name: featureColumns gives their order.
      List<String> features = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        features.add("_c" + i);
      }
      assertThat(trainedParams("{uri: '" + dir.resolve("j") + "', format: json, featureColumns: "
          + features + ", " + common + "}")).isEqualTo(expected);
      assertThat(trainedParams("{table: digits_table, " + common + "}")).isEqualTo(expected);
      assertThat(trainedParams("{query: 'SELECT * FROM digits_table', " + common + "}"))
          .isEqualTo(expected);
    } finally {
      spark.sql("DROP TABLE IF EXISTS digits_table");
    }
  }

  @Test
  void aDeltaTableTrainsToTheSameParametersAsTheSameRowsInCsv() throws IOException {
    Path csv = TestData.digits();
    float[] expected = trainedParams("{uri: '" + csv + "', numClasses: 10}");
    spark.read().option("inferSchema", "true").csv(csv.toString()).coalesce(1).write()
        .format("delta").save(dir.resolve("delta").toString());
    assertThat(trainedParams("{uri: '" + dir.resolve("delta") + "', format: delta, "
        + "labelColumn: _c64, numClasses: 10}")).isEqualTo(expected);
  }

  @Test
  void anIcebergTableTrainsToTheSameParametersAsTheSameRowsInCsv() throws IOException {
    assumeIcebergRuntimeFitsThisSpark();
    Path csv = TestData.digits();
    float[] expected = trainedParams("{uri: '" + csv + "', numClasses: 10}");
    Dataset<Row> rows = spark.read().option("inferSchema", "true").csv(csv.toString())
        .coalesce(1);
    // Iceberg resolves paths through its default catalog, a Hive one unless told otherwise;
    // a machine without a metastore uses the Hadoop (file) catalog.
    spark.conf().set("spark.sql.catalog.default_iceberg", "org.apache.iceberg.spark.SparkCatalog");
    spark.conf().set("spark.sql.catalog.default_iceberg.type", "hadoop");
    spark.conf().set("spark.sql.catalog.default_iceberg.warehouse",
        dir.resolve("iceberg-warehouse").toUri().toString());
    // A path-based (Hadoop) Iceberg table, as Iceberg's own API creates one.
    String location = dir.resolve("iceberg").toUri().toString();
    new HadoopTables(sc.hadoopConfiguration()).create(
        SparkSchemaUtil.convert(rows.schema()), location);
    rows.write().format("iceberg").mode("append").save(location);
    assertThat(trainedParams("{uri: '" + location + "', format: iceberg, "
        + "labelColumn: _c64, numClasses: 10}")).isEqualTo(expected);
  }

  /**
   * Iceberg ships one runtime per Spark minor version (iceberg-spark-runtime-4.1_2.13) and a
   * runtime breaks on other minors: the newest, 4.1's (Iceberg 1.12.0), fails on Spark 4.2 with
   * IncompatibleClassChangeError (Spark's CatalogManager became an interface). The build names
   * the runtime it put on the class path; where none fits the running Spark, Iceberg cannot be
   * read at all (by sparktrain or anyone), so there is nothing to test.
   */
  private void assumeIcebergRuntimeFitsThisSpark() {
    String runtime = System.getProperty("sparktrain.test.icebergRuntime", "");
    String[] version = spark.version().split("\\.");
    String minor = version[0] + "." + version[1];
    assumeTrue(runtime.contains("-" + minor + "_"), "Iceberg publishes no runtime for Spark "
        + spark.version() + " (the build has " + runtime + ")");
  }

  /**
   * A penguins-like CSV as such files come: a text label, text categories, numbers with NA and
   * empty fields. Read without inferSchema, every column is text.
   */
  private Path penguins(int rows) throws IOException {
    Random r = new Random(7);
    StringBuilder sb = new StringBuilder("species,island,bill_length_mm,sex,year\n");
    String[] species = {"Adelie", "Adelie", "Adelie", "Gentoo", "Gentoo", "Chinstrap"};
    String[] islands = {"Biscoe", "Dream", "Torgersen"};
    for (int i = 0; i < rows; i++) {
      int s = r.nextInt(species.length);
      String island = islands[(s + r.nextInt(2)) % 3];
      String bill = r.nextInt(10) == 0 ? (r.nextBoolean() ? "NA" : "")
          : String.format(Locale.ROOT, "%.1f", 38 + 6 * (s / 3.0) + r.nextGaussian());
      String sex = r.nextInt(8) == 0 ? "NA" : r.nextBoolean() ? "male" : "female";
      sb.append(species[s]).append(',').append(island).append(',').append(bill).append(',')
          .append(sex).append(',').append(2007 + r.nextInt(3)).append('\n');
    }
    return TestData.write(dir, "penguins.csv", sb.toString());
  }

  private PreparedData preparePenguins(Path csv, String extraData, String missing)
      throws IOException {
    JobSpec spec = JobSpecParser.parse("data: {uri: '" + csv + "', format: csv, options: "
        + "{header: true}, labelColumn: species" + extraData + "}\npreprocess: {missing: "
        + missing + "}\n" + TRAIN, null);
    return DataPreparation.prepare(sc, spec, DataPreparation.Selection.SPEC_SPLIT);
  }

  /** The bill lengths of the rows the spec's split trains on, as the test reads the file. */
  private static List<Double> trainingBills(Path csv) throws IOException {
    List<String> lines = Files.readAllLines(csv);
    List<Double> values = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      long row = i;
      String bill = lines.get(i).split(",", -1)[2];
      if (DataPreparation.splitDraw(5, 0, row) < 0.8 && !bill.equals("NA") && !bill.isEmpty()) {
        values.add(Double.parseDouble(bill));
      }
    }
    return values;
  }

  @Test
  void textLabelsAreIndexedByFrequencyCategoriesOneHotAndMissingRowsDroppedAndCounted()
      throws IOException {
    Path csv = penguins(300);
    PreparedData data = preparePenguins(csv, "", "drop");
    try {
      TableEncoding e = encoding(data);
      assertThat(e.labelClasses()).containsExactly("Adelie", "Gentoo", "Chinstrap");
      assertThat(data.numClasses()).isEqualTo(3);
      assertThat(e.columns()).extracting(TableEncoding.Column::kind).containsExactly(
          TableEncoding.Kind.CATEGORY, TableEncoding.Kind.NUMBER_TEXT,
          TableEncoding.Kind.CATEGORY, TableEncoding.Kind.NUMBER_TEXT);
      assertThat(e.columns().get(0).categories()).containsExactlyInAnyOrder("Biscoe", "Dream",
          "Torgersen");
      assertThat(e.columns().get(2).categories()).as("NA is missing, not a category")
          .containsExactlyInAnyOrder("female", "male");
      // island 3 + other, bill, sex 2 + other, year
      assertThat(data.numFeatures()).isEqualTo(4 + 1 + 3 + 1);
      long withMissing = Files.readAllLines(csv).stream().skip(1)
          .filter(l -> l.contains(",NA,") || l.contains(",,")).count();
      assertThat(data.counts().droppedByReason()[DropReason.MISSING_VALUE.ordinal()])
          .isEqualTo(withMissing);
      assertThat(data.counts().read()).isEqualTo(300);
      assertThat(data.counts().firstDropped().get("missingValue"))
          .matches(csv.toUri().toString().replace("file:/", "file:.*/") + " row \\d+: column "
              + "'(bill_length_mm|sex)' is missing \\((NA|empty)\\); preprocess.missing is drop");
      assertThat(data.counts().train() + data.counts().validation() + data.counts().test())
          .isEqualTo(300 - withMissing);
      // One-hot: every training row has exactly one island slot set.
      ExampleBlock block = data.train().collect().get(0);
      assertThat(block.rows()).isPositive();
    } finally {
      data.release();
    }
  }

  @Test
  void missingNumbersTakeTheTrainingSplitsMeanMedianOrMostFrequentValue() throws IOException {
    Path csv = penguins(300);
    List<Double> bills = trainingBills(csv);
    double sum = 0;
    for (double b : bills) {
      sum += b;
    }
    List<Double> sorted = new ArrayList<>(bills);
    sorted.sort(null);
    int n = sorted.size();
    double lower = sorted.get((n - 1) / 2);
    double median = lower + (sorted.get(n / 2) - lower) / 2;
    Map<Double, Integer> counts = new LinkedHashMap<>();
    bills.forEach(b -> counts.merge(b, 1, Integer::sum));
    double mode = counts.entrySet().stream().sorted((a, b) -> a.getValue().equals(b.getValue())
        ? Double.compare(a.getKey(), b.getKey()) : b.getValue() - a.getValue())
        .findFirst().orElseThrow().getKey();

    Map<String, Double> expected = Map.of("mean", sum / n, "median", median,
        "mostFrequent", mode);
    for (Map.Entry<String, Double> policy : expected.entrySet()) {
      PreparedData data = preparePenguins(csv, "", policy.getKey());
      try {
        TableEncoding.Column bill = encoding(data).columns().get(1);
        assertThat(bill.fill()).as(policy.getKey()).isEqualTo(policy.getValue());
        assertThat(encoding(data).columns().get(2).fillCategory()).isNotNull();
        assertThat(data.counts().dropped()).as(policy.getKey()).isZero();
      } finally {
        data.release();
      }
    }
  }

  @Test
  void categoriesBeyondTheCapAndUnseenOnesGoToOther() throws IOException {
    Path csv = penguins(300);
    PreparedData data = preparePenguins(csv, ", maxCategories: 2, categorical: [island, sex]",
        "mostFrequent");
    TableEncoding e = encoding(data);
    data.release();
    TableEncoding.Column island = e.columns().get(0);
    assertThat(island.categories()).hasSize(2);
    assertThat(island.width()).isEqualTo(3);
    // columns: island, bill, sex, year; then the label
    ParsedRecord unseen = e.encode(new RawRow(1, new Object[] {"Atlantis", "40.5", null,
        "2008", "Gentoo"}), true, LabelRule.regression());
    assertThat(unseen.isOk()).isTrue();
    assertThat(unseen.features()).startsWith(0f, 0f, 1f, 40.5f);
    assertThat(unseen.label()).isEqualTo(1.0);
    ParsedRecord unknownLabel = e.encode(new RawRow(2, new Object[] {"Dream", "40", "male",
        "2008", "Emperor"}), true, LabelRule.regression());
    assertThat(unknownLabel.dropReason()).isEqualTo(DropReason.UNKNOWN_LABEL);
    assertThat(unknownLabel.detail()).contains("Emperor");
    // The encoding survives its JSON (saved with the model and in checkpoints).
    assertThat(TableEncoding.fromJson(e.toJson())).isEqualTo(e);
  }

  @Test
  void aMissingColumnOrAnUnusableTypeIsNamedWithTheColumnsThereAre() throws IOException {
    Path csv = penguins(20);
    assertThatThrownBy(() -> preparePenguins(csv, ", featureColumns: [island, flipper]", "drop"))
        .isInstanceOf(BadRecordException.class)
        .hasMessageContaining("data.featureColumns: no column 'flipper'")
        .hasMessageContaining("species, island, bill_length_mm, sex, year");
    assertThatThrownBy(() -> JobSpecParser.parse("data: {uri: x.parquet, format: parquet, "
        + "labelColumn: 3}\n" + TRAIN, null))
        .hasMessageContaining("data.labelColumn is required by name for format parquet");
    assertThatThrownBy(() -> trainedParams("{uri: '" + dir.resolve("nothing-here")
        + "', format: parquet, labelColumn: y}"))
        .isInstanceOf(BadRecordException.class)
        .hasMessageContaining("cannot read ").hasMessageContaining("nothing-here")
        .hasMessageContaining("Path does not exist");
  }

  private static TableEncoding encoding(PreparedData data) {
    return ((Features.Table) data.features()).encoding();
  }
}
