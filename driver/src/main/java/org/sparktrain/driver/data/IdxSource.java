package org.sparktrain.driver.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.worker.data.IdxReader;
import org.sparktrain.worker.data.LabelRule;
import org.sparktrain.worker.data.ParsedRecord;

/** An IDX image file (MNIST's format) and its label file, read in one task. */
final class IdxSource extends NumberFileSource {

  @Override
  DatasetReader.Source read(JavaSparkContext sc, JobSpec.Data data, String imagesUri,
      String labelsUri, LabelRule rule) throws IOException {
    Configuration conf = sc.hadoopConfiguration();
    String images = singleFile(imagesUri, conf, "data.uri");
    String labels = singleFile(labelsUri, conf, "data.labelsUri");
    int pixels;
    // Validate the headers on the driver: a wrong file fails here with its name, before any task.
    try (IdxReader probe = new IdxReader(InputFiles.open(images, conf), images,
        InputFiles.open(labels, conf), labels, rule)) {
      pixels = probe.pixels();
      if (!images.endsWith(".gz")) {
        Path p = new Path(images);
        probe.checkImagesLength(p.getFileSystem(conf).getFileStatus(p).getLen());
      }
    }
    Broadcast<HadoopConfHolder> confHolder = DatasetReader.broadcastConf(sc, conf);
    JavaRDD<ParsedRecord> records = sc.parallelize(List.of(0), 1).mapPartitions(it -> {
      IdxReader reader = new IdxReader(InputFiles.open(images, confHolder.value().get()), images,
          InputFiles.open(labels, confHolder.value().get()), labels, rule);
      return new ClosingIterator(reader);
    });
    return new DatasetReader.Source(records, List.of(images), pixels);
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
