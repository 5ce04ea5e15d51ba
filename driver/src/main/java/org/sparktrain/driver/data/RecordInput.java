package org.sparktrain.driver.data;

import java.io.IOException;
import org.apache.spark.api.java.JavaSparkContext;

/** A record format's input for one run, as {@link RecordSource#open} read it. */
interface RecordInput {

  /** The records of {@code data.uri}, not yet cached. */
  DatasetReader.Source main();

  /** A separate test set ({@code data.testUri}), read and encoded as the main input. */
  DatasetReader.Source readTest(JavaSparkContext sc) throws IOException;

  /** The input as messages name it. */
  String where();

  /** What the rows hold. */
  Features features();

  /**
   * Frees what reading keeps beside the records (a table's cached rows); called once the records
   * are cached, and again at the end.
   */
  default void release() {}
}
