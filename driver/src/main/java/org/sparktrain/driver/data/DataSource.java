package org.sparktrain.driver.data;

import java.io.IOException;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.driver.data.DataPreparation.Selection;
import org.sparktrain.driver.spec.JobSpec;

/**
 * One input format, from its files to prepared data: it reads them, applies the bad-record
 * policy and fits what its rows need (a tokenizer, a table encoding). A new format is one
 * implementation, its case in {@link #of}, and its tests.
 */
public interface DataSource {

  PreparedData prepare(JavaSparkContext sc, JobSpec spec, Selection selection)
      throws IOException;

  /** The one place a format is chosen. */
  static DataSource of(JobSpec.Data data) {
    return switch (data.format()) {
      // csv with text settings (bert-classifier's data.textColumn) holds texts, not numbers.
      case CSV -> data.text() == null ? new CsvSource() : new TextClassPreparation();
      case LIBSVM -> new LibSvmSource();
      case IDX -> new IdxSource();
      case TABLE -> new TableSource();
      case TEXT -> new TextPreparation();
    };
  }
}
