package org.sparktrain.driver.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.worker.data.CsvLineParser;
import org.sparktrain.worker.data.IdxReader;
import org.sparktrain.worker.data.LabelRule;
import org.sparktrain.worker.data.LibSvmLineParser;
import org.sparktrain.worker.data.ParsedRecord;

/**
 * Reads a data source into parsed records on the executors: one task per input file (gzip is not
 * splittable, and a file-per-task keeps line numbers exact for error messages).
 */
public final class DatasetReader {
  private DatasetReader() {}

  /**
   * Parsed records plus the file names their {@code fileIndex} refers to.
   *
   * @param unit what a record's {@code line} counts, for messages: line (text files, the record
   *     number of IDX files) or row (tables)
   */
  public record Source(JavaRDD<ParsedRecord> records, List<String> files, int numFeatures,
      String unit) {
    public Source(JavaRDD<ParsedRecord> records, List<String> files, int numFeatures) {
      this(records, files, numFeatures, "line");
    }
  }

  public static Source read(JavaSparkContext sc, JobSpec.Data data, String uri, String labelsUri,
      LabelRule rule) throws IOException {
    Configuration conf = sc.hadoopConfiguration();
    return switch (data.format()) {
      case CSV -> readCsv(sc, data, uri, rule, conf);
      case LIBSVM -> readLibSvm(sc, uri, data.numFeatures(), rule, conf);
      case IDX -> readIdx(sc, uri, labelsUri, rule, conf);
      case TEXT -> throw new IllegalArgumentException("text corpora are read by "
          + "TextPreparation, not as labelled records (" + uri + ")");
      case TABLE -> throw new IllegalArgumentException("tables are read by TableReader (" + uri
          + ")");
    };
  }

  private static Source readCsv(JavaSparkContext sc, JobSpec.Data data, String uri,
      LabelRule rule, Configuration conf) throws IOException {
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
    return new Source(readLines(sc, files, conf, header, parser::parse), files, columns - 1);
  }

  private static Source readLibSvm(JavaSparkContext sc, String uri, int numFeatures,
      LabelRule rule, Configuration conf) throws IOException {
    List<String> files = InputFiles.list(uri, conf);
    LibSvmLineParser parser = new LibSvmLineParser(numFeatures, rule);
    return new Source(readLines(sc, files, conf, false, parser::parse), files, numFeatures);
  }

  /** A line parser that travels to executors. */
  interface LineParser extends java.io.Serializable {
    ParsedRecord parse(String line, int fileIndex, long lineNumber);
  }

  private static JavaRDD<ParsedRecord> readLines(JavaSparkContext sc, List<String> files,
      Configuration conf, boolean header, LineParser parser) {
    Broadcast<HadoopConfHolder> confHolder = broadcastConf(sc, conf);
    List<Integer> indices = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      indices.add(i);
    }
    return sc.parallelize(indices, files.size()).mapPartitions(it -> {
      List<Iterator<ParsedRecord>> perFile = new ArrayList<>();
      while (it.hasNext()) {
        int index = it.next();
        perFile.add(new LineRecords(InputFiles.openLines(files.get(index),
            confHolder.value().get()), index, header, parser));
      }
      return perFile.stream().flatMap(i -> {
        Iterable<ParsedRecord> iterable = () -> i;
        return java.util.stream.StreamSupport.stream(iterable.spliterator(), false);
      }).iterator();
    });
  }

  private static Source readIdx(JavaSparkContext sc, String imagesUri, String labelsUri,
      LabelRule rule, Configuration conf) throws IOException {
    String images = singleFile(imagesUri, conf, "data.uri");
    String labels = singleFile(labelsUri, conf, "data.labelsUri");
    int pixels;
    // Validate the headers on the driver: a wrong file fails here with its name, before any task.
    try (IdxReader probe = new IdxReader(InputFiles.open(images, conf), images,
        InputFiles.open(labels, conf), labels, rule)) {
      pixels = probe.pixels();
      if (!images.endsWith(".gz")) {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(images);
        probe.checkImagesLength(p.getFileSystem(conf).getFileStatus(p).getLen());
      }
    }
    Broadcast<HadoopConfHolder> confHolder = broadcastConf(sc, conf);
    JavaRDD<ParsedRecord> records = sc.parallelize(List.of(0), 1).mapPartitions(it -> {
      IdxReader reader = new IdxReader(InputFiles.open(images, confHolder.value().get()), images,
          InputFiles.open(labels, confHolder.value().get()), labels, rule);
      return new ClosingIterator(reader);
    });
    return new Source(records, List.of(images), pixels);
  }

  /**
   * The Hadoop configuration travels once per executor as a broadcast, not inside every task:
   * the cached shards keep this read in their lineage, so a captured configuration would be
   * serialized again with every training round's tasks.
   */
  private static Broadcast<HadoopConfHolder> broadcastConf(JavaSparkContext sc,
      Configuration conf) {
    return sc.broadcast(new HadoopConfHolder(conf));
  }

  private static String singleFile(String uri, Configuration conf, String key)
      throws IOException {
    List<String> files = InputFiles.list(uri, conf);
    if (files.size() != 1) {
      throw new IOException(key + " must name exactly one IDX file, but " + uri + " matches "
          + files.size());
    }
    return files.get(0);
  }

  /** Lazily parses the lines of one open file, skipping the header and blank lines. */
  private static final class LineRecords implements Iterator<ParsedRecord> {
    private final LineReader reader;
    private final int fileIndex;
    private final LineParser parser;
    private long lineNumber;
    private String pending;

    LineRecords(LineReader reader, int fileIndex, boolean header, LineParser parser)
        throws IOException {
      this.reader = reader;
      this.fileIndex = fileIndex;
      this.parser = parser;
      if (header) {
        reader.readLine();
      }
      advance();
    }

    private void advance() {
      try {
        do {
          pending = reader.readLine();
        } while (pending != null && pending.isBlank());
        lineNumber = reader.lineNumber();
        if (pending == null) {
          reader.close();
        }
      } catch (LineReader.LineTooLongException e) {
        throw new UncheckedIOException(e.getMessage(), e); // it names the file and line
      } catch (IOException e) {
        throw new UncheckedIOException("reading line " + (reader.lineNumber() + 1) + ": "
            + e.getMessage(), e);
      }
    }

    @Override
    public boolean hasNext() {
      return pending != null;
    }

    @Override
    public ParsedRecord next() {
      if (pending == null) {
        throw new NoSuchElementException();
      }
      ParsedRecord r = parser.parse(pending, fileIndex, lineNumber);
      advance();
      return r;
    }
  }

  /** Closes the IDX streams once the last record was read. */
  private static final class ClosingIterator implements Iterator<ParsedRecord> {
    private final IdxReader reader;

    ClosingIterator(IdxReader reader) {
      this.reader = reader;
    }

    @Override
    public boolean hasNext() {
      boolean more = reader.hasNext();
      if (!more) {
        try {
          reader.close();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      return more;
    }

    @Override
    public ParsedRecord next() {
      return reader.next();
    }
  }

}
