package org.sparktrain.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.attribute.NominalAttribute;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.testing.SharedSpark;

/**
 * The models follow Spark ML's conventions at transform: handleInvalid (error | skip | keep) for
 * null or non-finite features, Spark ML metadata on the output columns that transformSchema
 * announces, the input columns' metadata kept; labels with gaps refused unless allowed; and
 * these params survive save and load, a model saved without them loading with the defaults.
 */
class TransformConventionsTest {
  private static final SparkSession SPARK = SparkSession.builder()
      .sparkContext(SharedSpark.context().sc()).getOrCreate();
  private static final String[] SPECIES = {"Adelie", "Gentoo", "Chinstrap"};
  /** Penguins with the species indexed (nominal label metadata) and features assembled. */
  private static Dataset<Row> data;
  private static SparktrainClassificationModel model;

  @TempDir
  Path dir;

  @BeforeAll
  static void fit() {
    Random r = new Random(7);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      int s = r.nextInt(3);
      rows.add(RowFactory.create(SPECIES[s], 39 + 5 * s + r.nextGaussian(),
          190 + 12 * s + 3 * r.nextGaussian()));
    }
    Dataset<Row> table = SPARK.createDataFrame(rows, DataTypes.createStructType(List.of(
        DataTypes.createStructField("species", DataTypes.StringType, false),
        DataTypes.createStructField("bill", DataTypes.DoubleType, false),
        DataTypes.createStructField("flipper", DataTypes.DoubleType, false))));
    Dataset<Row> indexed = new StringIndexer().setInputCol("species").setOutputCol("label")
        .fit(table).transform(table);
    data = new VectorAssembler().setInputCols(new String[] {"bill", "flipper"})
        .setOutputCol("features").transform(indexed).select("features", "label");
    model = new SparktrainClassifier().setHidden(8).setEpochs(3).setLearningRate(0.02)
        .fit(data);
  }

  /** The data's first rows with row 3 replaced by {@code invalid} features. */
  private static Dataset<Row> withInvalidRow(Vector invalid) {
    List<Row> rows = new ArrayList<>(data.limit(6).collectAsList());
    rows.set(3, RowFactory.create(invalid, rows.get(3).get(1)));
    StructType nullable = new StructType(new StructField[] {
        new StructField("features", SQLDataTypes.VectorType(), true,
            data.schema().apply("features").metadata()),
        data.schema().apply("label")});
    return SPARK.createDataFrame(rows, nullable).coalesce(1);
  }

  private static List<Row> scored(Dataset<Row> rows) {
    return rows.select("probability", "prediction").collectAsList();
  }

  @Test
  void errorNamesTheRowTheColumnAndWhatIsAllowed() {
    assertThat(model.getHandleInvalid()).isEqualTo("error");
    assertThatThrownBy(() -> model.transform(withInvalidRow(null)).collectAsList())
        .hasStackTraceContaining("column \"features\" of row 3 of partition 0 (counting from 0) "
            + "is null; handleInvalid \"error\" allows only vectors of finite numbers")
        .hasStackTraceContaining("\"skip\" to drop such rows or \"keep\"");
    assertThatThrownBy(() -> model.transform(withInvalidRow(Vectors.dense(40, Double.NaN)))
        .collectAsList())
        .hasStackTraceContaining("column \"features\" of row 3 of partition 0 (counting from 0) "
            + "holds NaN at index 1");
    assertThatThrownBy(() -> model.transform(withInvalidRow(
        Vectors.sparse(2, new int[] {1}, new double[] {Double.POSITIVE_INFINITY})))
        .collectAsList())
        .hasStackTraceContaining("holds Infinity at index 1");
  }

  @Test
  void skipDropsTheRowAndScoresTheOthersAsBefore() {
    Dataset<Row> invalid = withInvalidRow(Vectors.dense(Double.NaN, 200));
    List<Row> valid = new ArrayList<>(scored(model.transform(data.limit(6))));
    valid.remove(3);
    SparktrainClassificationModel skipping = model.copy(ParamMap.empty())
        .setHandleInvalid("skip");
    assertThat(scored(skipping.transform(invalid))).isEqualTo(valid);
    assertThat(scored(skipping.transform(withInvalidRow(null)))).isEqualTo(valid);
  }

  @Test
  void keepGivesNanOutputsAndScoresTheOthersAsBefore() {
    List<Row> before = scored(model.transform(data.limit(6)));
    SparktrainClassificationModel keeping = model.copy(ParamMap.empty())
        .setHandleInvalid("keep");
    for (Vector invalid : Arrays.asList(null, Vectors.dense(Double.NaN, 200))) {
      List<Row> kept = keeping.transform(withInvalidRow(invalid))
          .select("rawPrediction", "probability", "prediction").collectAsList();
      assertThat(kept).hasSize(6);
      assertThat(((Vector) kept.get(3).get(0)).toArray()).containsOnly(Double.NaN).hasSize(3);
      assertThat(((Vector) kept.get(3).get(1)).toArray()).containsOnly(Double.NaN).hasSize(3);
      assertThat(kept.get(3).getDouble(2)).isNaN();
      for (int i : new int[] {0, 1, 2, 4, 5}) {
        assertThat(RowFactory.create(kept.get(i).get(1), kept.get(i).get(2)))
            .isEqualTo(before.get(i));
      }
    }
  }

  @Test
  void outputColumnsCarrySparkMlMetadataAsTransformSchemaSays() {
    Dataset<Row> out = model.transform(data);
    StructType announced = model.transformSchema(data.schema());
    assertThat(out.schema().fieldNames()).containsExactly(announced.fieldNames());
    for (StructField field : announced.fields()) {
      assertThat(out.schema().apply(field.name()).metadata()).as(field.name())
          .isEqualTo(field.metadata());
    }
    // The input's metadata stays: VectorAssembler's attribute names on features.
    assertThat(out.schema().apply("features").metadata())
        .isEqualTo(data.schema().apply("features").metadata());
    assertThat(AttributeGroup.fromStructField(out.schema().apply("features")).attributes()
        .get()[0].name().get()).isEqualTo("bill");
    // prediction is nominal, with the classes StringIndexer named, in index order.
    Attribute prediction = Attribute.fromStructField(out.schema().apply("prediction"));
    assertThat(prediction).isInstanceOf(NominalAttribute.class);
    NominalAttribute nominal = (NominalAttribute) prediction;
    String[] labels = ((NominalAttribute) Attribute.fromStructField(
        data.schema().apply("label"))).values().get();
    assertThat(nominal.values().get()).containsExactly(labels);
    assertThat(model.getClassNames()).containsExactly(labels);
    assertThat(AttributeGroup.fromStructField(out.schema().apply("probability")).size())
        .isEqualTo(3);
  }

  @Test
  void labelsWithGapsAreRefusedUnlessAllowed() {
    // Labels 0 and 5, no nominal metadata: numClasses would be 6, classes 1-4 empty.
    List<Row> rows = new ArrayList<>();
    Random r = new Random(2);
    for (int i = 0; i < 80; i++) {
      boolean five = r.nextBoolean();
      rows.add(RowFactory.create(Vectors.dense(r.nextGaussian() + (five ? 2 : 0),
          r.nextGaussian()), five ? 5.0 : 0.0));
    }
    Dataset<Row> gaps = SPARK.createDataFrame(rows, DataTypes.createStructType(List.of(
        DataTypes.createStructField("features", SQLDataTypes.VectorType(), false),
        DataTypes.createStructField("label", DataTypes.DoubleType, false))));
    SparktrainClassifier classifier = new SparktrainClassifier().setHidden(4).setEpochs(1);
    assertThatThrownBy(() -> classifier.fit(gaps))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the labels seen are {0, 5}, so classes {1, 2, 3, 4} have no "
            + "example, yet the model would have 6 classes")
        .hasMessageContaining("StringIndexer")
        .hasMessageContaining("setAllowLabelGaps(true)");
    SparktrainClassificationModel six = classifier.setAllowLabelGaps(true).fit(gaps);
    assertThat(six.numClasses()).isEqualTo(6);
    assertThat(Attribute.fromStructField(six.transform(gaps).schema().apply("prediction")))
        .isInstanceOfSatisfying(NominalAttribute.class,
            a -> assertThat(a.getNumValues().get()).isEqualTo(6));
  }

  @Test
  void handleInvalidAndClassNamesSurviveSaveAndLoad() throws Exception {
    String path = dir.resolve("model").toString();
    model.copy(ParamMap.empty()).setHandleInvalid("keep").save(path);
    SparktrainClassificationModel loaded = SparktrainClassificationModel.load(path);
    assertThat(loaded.getHandleInvalid()).isEqualTo("keep");
    assertThat(loaded.getClassNames()).containsExactly(model.getClassNames());
    assertThat(loaded.transform(withInvalidRow(null)).count()).isEqualTo(6);
    assertThat(loaded.transform(data).schema()).isEqualTo(model.transform(data).schema());

    // The estimator's params, too; and fit hands handleInvalid to the model it makes.
    String estimatorPath = dir.resolve("estimator").toString();
    new SparktrainClassifier().setHandleInvalid("skip").setAllowLabelGaps(true)
        .save(estimatorPath);
    SparktrainClassifier estimator = SparktrainClassifier.load(estimatorPath);
    assertThat(estimator.getHandleInvalid()).isEqualTo("skip");
    assertThat(estimator.getAllowLabelGaps()).isTrue();
  }

  @Test
  void aModelSavedBeforeTheseParamsLoadsWithTheDefaults() throws Exception {
    Path path = dir.resolve("old-model");
    model.save(path.toString());
    // As an older sparktrain wrote it: its metadata names neither handleInvalid nor classNames.
    // Spark 3.5 names the metadata file part-00000, Spark 4 part-00000-<uuid>-c000.txt.
    Path metadata;
    try (Stream<Path> files = Files.list(path.resolve("metadata"))) {
      metadata = files.filter(f -> f.getFileName().toString().startsWith("part-00000"))
          .findFirst().orElseThrow();
    }
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = (ObjectNode) json.readTree(Files.readString(metadata));
    for (String map : List.of("paramMap", "defaultParamMap")) {
      ((ObjectNode) root.get(map)).remove(List.of("handleInvalid", "classNames"));
    }
    Files.writeString(metadata, json.writeValueAsString(root) + "\n", StandardCharsets.UTF_8);
    Files.deleteIfExists(metadata.resolveSibling("." + metadata.getFileName() + ".crc"));
    assertThat(Files.readString(metadata)).doesNotContain("handleInvalid");

    SparktrainClassificationModel old = SparktrainClassificationModel.load(path.toString());
    assertThat(old.getHandleInvalid()).isEqualTo("error");
    assertThat(old.getClassNames()).isEmpty();
    assertThat(scored(old.transform(data))).isEqualTo(scored(model.transform(data)));
    assertThat(Attribute.fromStructField(old.transform(data).schema().apply("prediction")))
        .isInstanceOfSatisfying(NominalAttribute.class,
            a -> assertThat(a.getNumValues().get()).isEqualTo(3));
  }

  @Test
  void theRegressorFollowsTheSameConventions() {
    List<Row> rows = new ArrayList<>();
    Random r = new Random(3);
    for (int i = 0; i < 60; i++) {
      double x = r.nextGaussian();
      rows.add(RowFactory.create(x, 2 * x + 1));
    }
    Dataset<Row> table = SPARK.createDataFrame(rows, DataTypes.createStructType(List.of(
        DataTypes.createStructField("x", DataTypes.DoubleType, false),
        DataTypes.createStructField("label", DataTypes.DoubleType, false))));
    Dataset<Row> assembled = new VectorAssembler().setInputCols(new String[] {"x"})
        .setOutputCol("features").transform(table);
    SparktrainRegressionModel regression = new SparktrainRegressor().setHidden(4).setEpochs(1)
        .setHandleInvalid("keep").fit(assembled);
    assertThat(regression.getHandleInvalid()).isEqualTo("keep");
    StructType nullable = new StructType(new StructField[] {
        assembled.schema().apply("x"), assembled.schema().apply("label"),
        new StructField("features", SQLDataTypes.VectorType(), true,
            assembled.schema().apply("features").metadata())});
    List<Row> withNull = new ArrayList<>(assembled.limit(3).collectAsList());
    withNull.set(1, RowFactory.create(withNull.get(1).get(0), withNull.get(1).get(1), null));
    Dataset<Row> input = SPARK.createDataFrame(withNull, nullable).coalesce(1);
    Dataset<Row> out = regression.transform(input);
    List<Row> predictions = out.select("prediction").collectAsList();
    assertThat(predictions.get(1).getDouble(0)).isNaN();
    assertThat(predictions.get(0).getDouble(0)).isFinite();
    StructType announced = regression.transformSchema(input.schema());
    for (StructField field : announced.fields()) {
      assertThat(out.schema().apply(field.name()).metadata()).as(field.name())
          .isEqualTo(field.metadata());
    }
    assertThat(out.schema().apply("features").metadata())
        .isEqualTo(assembled.schema().apply("features").metadata());
    assertThatThrownBy(() -> regression.copy(ParamMap.empty())
        .setHandleInvalid("error").transform(input).collectAsList())
        .hasStackTraceContaining("column \"features\" of row 1 of partition 0");
  }
}
