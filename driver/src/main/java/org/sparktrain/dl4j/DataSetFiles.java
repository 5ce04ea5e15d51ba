package org.sparktrain.dl4j;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.sparktrain.driver.data.HadoopConfHolder;

/**
 * DataSets and MultiDataSets saved by a DL4J program ({@code DataSet.save(OutputStream)}) in a
 * directory of any Hadoop file system, read on the executors.
 */
final class DataSetFiles {
  private DataSetFiles() {}

  /** Every file under {@code directory} (recursively), sorted, so an epoch's order is fixed. */
  static JavaRDD<String> list(JavaSparkContext sc, String directory) {
    try {
      Path dir = new Path(directory);
      FileSystem fs = dir.getFileSystem(sc.hadoopConfiguration());
      List<String> paths = new ArrayList<>();
      RemoteIterator<LocatedFileStatus> files = fs.listFiles(dir, true);
      while (files.hasNext()) {
        paths.add(files.next().getPath().toString());
      }
      if (paths.isEmpty()) {
        throw new IllegalArgumentException("no DataSet files under " + directory);
      }
      paths.sort(null);
      return sc.parallelize(paths, Math.min(paths.size(), sc.defaultParallelism()));
    } catch (IOException e) {
      throw new UncheckedIOException("listing " + directory + ": " + e.getMessage(), e);
    }
  }

  static JavaRDD<DataSet> dataSets(JavaSparkContext sc, JavaRDD<String> paths) {
    Broadcast<HadoopConfHolder> conf = sc.broadcast(new HadoopConfHolder(
        sc.hadoopConfiguration()));
    return paths.map(p -> {
      DataSet ds = new DataSet();
      try (InputStream in = open(conf.value().get(), p)) {
        ds.load(in);
      }
      return ds;
    });
  }

  static JavaRDD<MultiDataSet> multiDataSets(JavaSparkContext sc, JavaRDD<String> paths) {
    Broadcast<HadoopConfHolder> conf = sc.broadcast(new HadoopConfHolder(
        sc.hadoopConfiguration()));
    return paths.map(p -> {
      MultiDataSet mds = new MultiDataSet();
      try (InputStream in = open(conf.value().get(), p)) {
        mds.load(in);
      }
      return mds;
    });
  }

  private static InputStream open(Configuration conf, String path) throws IOException {
    Path p = new Path(path);
    return p.getFileSystem(conf).open(p);
  }
}
