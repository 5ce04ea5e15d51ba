package org.sparktrain.driver.data;

import java.io.IOException;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.driver.data.DataPreparation.TrainingSide;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.worker.data.LabelRule;

/** Files of numbers with a label each, parsed as they are: nothing to fit. */
abstract class NumberFileSource implements RecordSource {

  /** The records of {@code uri} ({@code labelsUri}: a separate label file, else null). */
  abstract DatasetReader.Source read(JavaSparkContext sc, JobSpec.Data data, String uri,
      String labelsUri, LabelRule rule) throws IOException;

  @Override
  public final RecordInput open(JavaSparkContext sc, JobSpec spec, TrainingSide side)
      throws IOException {
    JobSpec.Data data = spec.data();
    LabelRule rule = DataPreparation.labelRule(spec);
    DatasetReader.Source main = read(sc, data, data.uri(), data.labelsUri(), rule);
    Features features = new Features.Numbers(main.numFeatures(), data.numClasses());
    return new RecordInput() {
      @Override
      public DatasetReader.Source main() {
        return main;
      }

      @Override
      public DatasetReader.Source readTest(JavaSparkContext sc) throws IOException {
        return read(sc, data, data.testUri(), data.testLabelsUri(), rule);
      }

      @Override
      public String where() {
        return data.uri();
      }

      @Override
      public Features features() {
        return features;
      }
    };
  }
}
