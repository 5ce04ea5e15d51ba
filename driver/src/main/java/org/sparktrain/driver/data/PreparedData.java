package org.sparktrain.driver.data;

import org.apache.spark.api.java.JavaRDD;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.data.Normalizer;

/**
 * Cleaned, split, normalized data, cached on the executors.
 *
 * @param train one block per worker: the shards
 * @param shardRows rows in each shard, by partition
 * @param numClasses the spec's classes, or a language model's vocabulary size
 * @param tokenizerJson the trained tokenizer (text data), else null
 * @param tableEncoding how a table's columns became features (table data), else null
 */
public record PreparedData(JavaRDD<ExampleBlock> train, JavaRDD<ExampleBlock> validation,
    JavaRDD<ExampleBlock> test, Normalizer normalizer, int numFeatures, int[] shardRows,
    RecordCounts counts, int numClasses, String tokenizerJson, TableEncoding tableEncoding) {

  /** Data without a table encoding (files of numbers, images, text). */
  public PreparedData(JavaRDD<ExampleBlock> train, JavaRDD<ExampleBlock> validation,
      JavaRDD<ExampleBlock> test, Normalizer normalizer, int numFeatures, int[] shardRows,
      RecordCounts counts, int numClasses, String tokenizerJson) {
    this(train, validation, test, normalizer, numFeatures, shardRows, counts, numClasses,
        tokenizerJson, null);
  }

  /** The table encoding's JSON, or null. */
  public String tableEncodingJson() {
    return tableEncoding == null ? null : tableEncoding.toJson();
  }

  public int smallestShard() {
    int min = Integer.MAX_VALUE;
    for (int r : shardRows) {
      min = Math.min(min, r);
    }
    return min;
  }

  public void release() {
    train.unpersist(false);
    validation.unpersist(false);
    test.unpersist(false);
  }
}
