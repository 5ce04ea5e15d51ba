package org.sparktrain.driver.data;

import java.io.IOException;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.driver.data.DataPreparation.Selection;
import org.sparktrain.driver.data.DataPreparation.TrainingSide;
import org.sparktrain.driver.spec.JobSpec;

/**
 * A format of labelled records: it reads them (and fits its encoding, if it has one); counting
 * bad records, the split, the normalizer and the shards are shared ({@link DataPreparation}).
 */
interface RecordSource extends DataSource {

  /** Reads {@code data.uri}, fitting any encoding on the rows {@code side} trains on. */
  RecordInput open(JavaSparkContext sc, JobSpec spec, TrainingSide side) throws IOException;

  @Override
  default PreparedData prepare(JavaSparkContext sc, JobSpec spec, Selection selection)
      throws IOException {
    return DataPreparation.prepareRecords(sc, spec, selection, this);
  }
}
