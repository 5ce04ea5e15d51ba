package org.sparktrain.driver.run;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Function;
import java.util.stream.StreamSupport;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparktrain.driver.data.BadRecordException;
import org.sparktrain.driver.data.TableEncoding;
import org.sparktrain.driver.data.RawRow;
import org.sparktrain.driver.data.TableReader;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.worker.data.LabelRule;
import org.sparktrain.worker.data.Normalizer;
import org.sparktrain.worker.data.ParsedRecord;
import org.sparktrain.worker.model.Network;
import org.sparktrain.worker.train.NativeArrays;

/**
 * Predicts for every row of a table on the executors: each task borrows its JVM's pooled
 * network, encodes rows with the model's saved table encoding (so categories, fills and class
 * names are training's), and scores them in minibatches. Writes one output row per input row,
 * in input order (a table with fewer partitions than cores is spread over them in contiguous
 * ranges): its row number, the prediction (a class name for text labels) and the class
 * probabilities.
 */
public final class TablePredictJob {
  private static final int BATCH_ROWS = 1024;

  private TablePredictJob() {}

  /**
   * @param source the table, query or file format to read (the spec's data section shape)
   * @param uri the files, or null for a table or query
   * @param outputFormat parquet, csv, orc or json
   * @return rows predicted
   */
  public static long run(JavaSparkContext sc, String modelUri, JobSpec.Table source, String uri,
      String outputUri, String outputFormat, boolean overwrite) throws IOException {
    ExecutorScoring.refuseUnsafeOutput(modelUri, uri, outputUri, sc.hadoopConfiguration());
    ModelBundle bundle = ModelBundle.load(modelUri, sc.hadoopConfiguration())
        .requireNumericInput("predict");
    if (bundle.tableEncodingJson() == null) {
      throw new IllegalArgumentException("predict: the model at " + modelUri + " was trained on "
          + "numeric CSV, IDX or LibSVM rows, not a table; predict its rows with --input (csv)");
    }
    TableEncoding encoding = TableEncoding.fromJson(bundle.tableEncodingJson());
    TableReader.Selected input = TableReader.select(sc, source, uri, null,
        encoding.featureColumns());
    // Encoded once, numbered within its partition: the pass below that refuses a bad row also
    // counts each partition's rows and fills this cache, which gives every row its number in
    // the table and is what scoring reads (no separate numbering job, no cache of raw values).
    JavaRDD<ParsedRecord> local = input.values().mapPartitions(values -> {
      long[] line = {0};
      return lazily(values, v -> encoding.encode(new RawRow(++line[0], v), false,
          LabelRule.regression()));
    }, true);
    local.persist(StorageLevel.MEMORY_AND_DISK());
    try {
      RowsChecked checked = RowsChecked.of(local);
      // Predictions must line up with their rows: one that cannot be encoded stops the job,
      // named, before anything is written.
      if (checked.firstBad() != null) {
        throw new BadRecordException(input.where() + " row " + checked.firstBadRow() + ": "
            + checked.firstBad().detail() + ". predict scores every row; filter or fill such "
            + "rows (data.query) first");
      }
      long[] offsets = checked.offsets();
      JavaRDD<ParsedRecord> encoded = local.mapPartitionsWithIndex((p, it) -> lazily(it,
          r -> ParsedRecord.ok(r.fileIndex(), offsets[p] + r.line(), r.features(), r.label())),
          true);
      Normalizer normalizer = bundle.normalizer();
      boolean classification = bundle.classification();
      List<String> classes = encoding.labelClasses();
      int width = encoding.width();
      return ExecutorScoring.scoreAndWrite(sc, encoded, ParsedRecord::line,
          checked.rows(), bundle, BATCH_ROWS,
          (net, batch) -> score(net, batch, width, normalizer, classification, classes),
          schema(bundle, encoding), outputUri, outputFormat, overwrite);
    } finally {
      local.unpersist(false);
    }
  }

  /** {@code rows} mapped one at a time as they are pulled: a partition is never held whole. */
  private static <A, B> Iterator<B> lazily(Iterator<A> rows,
      Function<A, B> map) {
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(
        rows, Spliterator.ORDERED), false).map(map).iterator();
  }

  /** One minibatch: normalized as in training, through the network, a row per input row. */
  private static List<Row> score(Network net, List<ParsedRecord> batch, int width,
      Normalizer normalizer, boolean classification, List<String> classes) {
    float[] packed = new float[batch.size() * width];
    for (int i = 0; i < batch.size(); i++) {
      System.arraycopy(normalizer.apply(batch.get(i).features()), 0, packed, i * width, width);
    }
    INDArray y = net.output(Nd4j.create(packed, new long[] {batch.size(), width}, 'c'));
    float[] all = NativeArrays.toFloats(y);
    int k = all.length / batch.size();
    List<Row> out = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      float[] o = Arrays.copyOfRange(all, i * k, (i + 1) * k);
      out.add(row(batch.get(i).line(), o, classification, classes));
    }
    return out;
  }

  private static Row row(long line, float[] output, boolean classification,
      List<String> classes) {
    if (!classification) {
      return RowFactory.create(line, (double) output[0]);
    }
    int predicted = PredictJob.predictedClass(output);
    Object[] values = new Object[2 + output.length];
    values[0] = line;
    values[1] = classes != null ? classes.get(predicted) : (Object) (double) predicted;
    for (int i = 0; i < output.length; i++) {
      values[2 + i] = (double) output[i];
    }
    return RowFactory.create(values);
  }

  /** row, prediction, then one probability column per output (p_CLASS, or pK). */
  private static StructType schema(ModelBundle bundle, TableEncoding encoding) {
    List<StructField> fields = new ArrayList<>();
    fields.add(DataTypes.createStructField("row", DataTypes.LongType, false));
    List<String> classes = encoding.labelClasses();
    fields.add(DataTypes.createStructField("prediction", classes != null
        ? DataTypes.StringType : DataTypes.DoubleType, false));
    if (bundle.classification()) {
      int outputs = (int) bundle.network().outputWidth();
      for (int k = 0; k < outputs; k++) {
        String name = outputs == 1 ? "p1" : classes != null ? "p_" + classes.get(k) : "p" + k;
        fields.add(DataTypes.createStructField(name, DataTypes.DoubleType, false));
      }
    }
    return DataTypes.createStructType(fields);
  }

  /**
   * Each partition's row count, and the first row that could not be encoded (numbered within its
   * partition) with its partition, or null.
   */
  private record RowsChecked(long[] counts, ParsedRecord firstBad, int firstBadPartition) {
    /** One pass over the rows; each task answers with a (count, first bad row) pair. */
    static RowsChecked of(JavaRDD<ParsedRecord> encoded) {
      List<scala.Tuple2<Long, ParsedRecord>> parts = encoded.mapPartitions(it -> {
        long n = 0;
        ParsedRecord bad = null;
        while (it.hasNext()) {
          ParsedRecord r = it.next();
          n++;
          if (bad == null && !r.isOk()) {
            bad = r;
          }
        }
        return List.of(new scala.Tuple2<>(n, bad)).iterator();
      }).collect();
      long[] counts = new long[parts.size()];
      ParsedRecord firstBad = null;
      int badPartition = -1;
      for (int p = 0; p < counts.length; p++) {
        counts[p] = parts.get(p)._1();
        if (firstBad == null && parts.get(p)._2() != null) {
          firstBad = parts.get(p)._2(); // partitions are in the table's order
          badPartition = p;
        }
      }
      return new RowsChecked(counts, firstBad, badPartition);
    }

    /** The rows before each partition: its first row's number is this plus 1. */
    long[] offsets() {
      long[] offsets = new long[counts.length];
      for (int p = 1; p < counts.length; p++) {
        offsets[p] = offsets[p - 1] + counts[p - 1];
      }
      return offsets;
    }

    long rows() {
      return Arrays.stream(counts).sum();
    }

    /** The first bad row's number in the table. */
    long firstBadRow() {
      return offsets()[firstBadPartition] + firstBad.line();
    }
  }
}
