package org.sparktrain.driver.data;

import java.io.IOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.worker.data.CsvLineParser;
import org.sparktrain.worker.data.LabelRule;

/** CSV files of numbers, one record a line, the label in {@code data.labelColumn}. */
final class CsvSource extends NumberFileSource {

  @Override
  DatasetReader.Source read(JavaSparkContext sc, JobSpec.Data data, String uri,
      String labelsUri, LabelRule rule) throws IOException {
    Configuration conf = sc.hadoopConfiguration();
    List<String> files = InputFiles.list(uri, conf);
    int columns;
    if (data.numFeatures() > 0) {
      columns = data.numFeatures() + 1;
    } else {
      InputFiles.NumberedLine first = InputFiles.firstRecordLine(files.get(0), data.header(),
          conf);
      if (first == null) {
        throw new IOException(files.get(0) + " holds no records; cannot infer the number of "
            + "columns (set data.numFeatures)");
      }
      columns = CsvLineParser.countColumns(first.text());
      if (columns > LineReader.MAX_CSV_COLUMNS) {
        throw new IOException(files.get(0) + ": line " + first.number() + " has " + columns
            + " columns; a CSV record has at most " + LineReader.MAX_CSV_COLUMNS + " (wider "
            + "data: format libsvm or idx)");
      }
    }
    if (columns > LineReader.MAX_CSV_COLUMNS) {
      throw new IOException("data.numFeatures " + data.numFeatures() + " is too wide for CSV: "
          + "a record has at most " + LineReader.MAX_CSV_COLUMNS + " columns (wider data: "
          + "format libsvm or idx)");
    }
    CsvLineParser parser;
    try {
      parser = new CsvLineParser(columns, data.labelColumn(), rule);
    } catch (IllegalArgumentException e) {
      throw new IOException(files.get(0) + ": " + e.getMessage() + " (data.labelColumn "
          + data.labelColumn() + ")");
    }
    boolean header = data.header();
    return new DatasetReader.Source(DatasetReader.readLines(sc, files, conf, header,
        parser::parse), files, columns - 1);
  }
}
