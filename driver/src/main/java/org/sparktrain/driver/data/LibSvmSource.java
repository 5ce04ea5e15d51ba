package org.sparktrain.driver.data;

import java.io.IOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.worker.data.LabelRule;
import org.sparktrain.worker.data.LibSvmLineParser;

/** LibSVM files: a label and index:value pairs a line, {@code data.numFeatures} wide. */
final class LibSvmSource extends NumberFileSource {

  @Override
  DatasetReader.Source read(JavaSparkContext sc, JobSpec.Data data, String uri,
      String labelsUri, LabelRule rule) throws IOException {
    Configuration conf = sc.hadoopConfiguration();
    List<String> files = InputFiles.list(uri, conf);
    LibSvmLineParser parser = new LibSvmLineParser(data.numFeatures(), rule);
    return new DatasetReader.Source(DatasetReader.readLines(sc, files, conf, false,
        parser::parse), files, data.numFeatures());
  }
}
