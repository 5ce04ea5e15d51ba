package org.sparktrain.driver.data;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.stream.StreamSupport;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.worker.data.LabelRule;
import org.sparktrain.worker.data.ParsedRecord;

/**
 * Labelled records as the record formats read them, and how files of lines are read on the
 * executors: one task per input file (gzip is not splittable, and a file-per-task keeps line
 * numbers exact for error messages).
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

  /**
   * The labelled records of a file format of numbers (csv, libsvm, idx) at {@code uri}: for a
   * caller that reads such files without preparing them for training (evaluation).
   */
  public static Source read(JavaSparkContext sc, JobSpec.Data data, String uri, String labelsUri,
      LabelRule rule) throws IOException {
    if (!(DataSource.of(data) instanceof NumberFileSource files)) {
      throw new IllegalArgumentException("format " + data.format().name().toLowerCase(
          Locale.ROOT) + " is not read as files of numbers (" + uri + ")");
    }
    return files.read(sc, data, uri, labelsUri, rule);
  }

  /** A line parser that travels to executors. */
  interface LineParser extends Serializable {
    ParsedRecord parse(String line, int fileIndex, long lineNumber);
  }

  static JavaRDD<ParsedRecord> readLines(JavaSparkContext sc, List<String> files,
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
        return StreamSupport.stream(iterable.spliterator(), false);
      }).iterator();
    });
  }

  /**
   * The Hadoop configuration travels once per executor as a broadcast, not inside every task:
   * the cached shards keep this read in their lineage, so a captured configuration would be
   * serialized again with every training round's tasks.
   */
  static Broadcast<HadoopConfHolder> broadcastConf(JavaSparkContext sc,
      Configuration conf) {
    return sc.broadcast(new HadoopConfHolder(conf));
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
}
