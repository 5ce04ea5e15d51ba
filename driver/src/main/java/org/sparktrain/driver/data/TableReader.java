package org.sparktrain.driver.data;

import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.worker.data.LabelRule;
import org.sparktrain.worker.data.ParsedRecord;

/**
 * Reads a table with Spark SQL: files of any format Spark reads, a catalog table or a query.
 * Only the columns the run uses are selected (Parquet and ORC then read only those). Rows are
 * numbered in the table's order, which for files is fixed by the files, so the split is the
 * same on every run; a query's order is its own (give it an ORDER BY to pin it).
 */
public final class TableReader {
  private TableReader() {}

  /**
   * A table's selected columns as numbered rows. Their values are cached until
   * {@link #release()}; the numbering is a cheap step on top.
   */
  public record Input(String where, TableColumns columns, JavaRDD<RawRow> rows,
      JavaRDD<Object[]> cached) {
    public void release() {
      cached.unpersist(false);
    }

    /** The rows encoded; {@code labelled} when the label column was selected. */
    public DatasetReader.Source encode(TableEncoding encoding, LabelRule rule) {
      boolean labelled = columns.label() != null;
      JavaRDD<ParsedRecord> records = rows.map(r -> encoding.encode(r, labelled, rule));
      return new DatasetReader.Source(records, List.of(where), encoding.width(), "row");
    }
  }

  /**
   * @param uri the files (with {@code table.sourceFormat()}), or null for a table or query
   * @param label the label column to read, or null for features only
   * @param features the feature columns; empty = every column but the label
   */
  public static Input read(JavaSparkContext sc, JobSpec.Table table, String uri, String label,
      List<String> features) {
    Selected s = select(sc, table, uri, label, features);
    // Cached before numbering: zipWithIndex counts every partition first, and that job then
    // fills the cache instead of reading the table a second time.
    JavaRDD<Object[]> values = s.values();
    values.persist(StorageLevel.MEMORY_AND_DISK());
    JavaRDD<RawRow> rows = values.zipWithIndex().map(t -> new RawRow(t._2() + 1, t._1()));
    return new Input(s.where(), s.columns(), rows, values);
  }

  /**
   * A table's selected columns as plain values, neither numbered nor cached, in the table's
   * order (partition by partition): for a caller that numbers rows in a pass of its own.
   */
  public record Selected(String where, TableColumns columns, JavaRDD<Object[]> values) {}

  /** The same arguments as {@link #read}. */
  public static Selected select(JavaSparkContext sc, JobSpec.Table table, String uri,
      String label, List<String> features) {
    String where = table.describe(uri);
    Dataset<Row> frame = load(session(sc), table, uri, where);
    TableColumns columns = TableColumns.resolve(frame.schema(), features, label, where);
    String[] selected = columns.selected();
    Column[] cols = new Column[selected.length];
    for (int i = 0; i < selected.length; i++) {
      cols[i] = frame.col("`" + selected[i].replace("`", "``") + "`");
    }
    return new Selected(where, columns, frame.select(cols).javaRDD().map(columns::values));
  }

  /** Spark SQL on this context: its session, created with the context's settings if new. */
  public static SparkSession session(JavaSparkContext sc) {
    return SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
  }

  private static Dataset<Row> load(SparkSession spark, JobSpec.Table table, String uri,
      String where) {
    try {
      if (table.table() != null) {
        return spark.table(table.table());
      }
      if (table.query() != null) {
        return spark.sql(table.query());
      }
      DataFrameReader reader = spark.read().format(table.sourceFormat());
      for (Map.Entry<String, String> o : table.options().entrySet()) {
        reader = reader.option(o.getKey(), o.getValue());
      }
      return reader.load(uri);
    } catch (Exception e) {
      // AnalysisException (no such path, table or column; a bad query), or a format Spark has
      // no reader for (ClassNotFoundException wrapped): the user's input, said in one line.
      String message = e.getMessage() == null ? e.toString() : e.getMessage();
      String firstLine = message.lines().findFirst().orElse(message);
      String hint = firstLine.contains("Failed to find the data source")
          ? " (is the format's jar on the classpath? see README, From a Spark table)" : "";
      throw new BadRecordException("cannot read " + where + ": " + firstLine + hint);
    }
  }
}
