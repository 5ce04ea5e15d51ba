package org.sparktrain.driver.data;

import org.apache.spark.api.java.JavaRDD;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.data.Normalizer;

/**
 * Cleaned, split, normalized data, cached on the executors.
 *
 * @param train one block per worker: the shards
 * @param shardRows rows in each shard, by partition
 * @param features what a row holds, and the tokenizer or table encoding that made it
 */
public record PreparedData(JavaRDD<ExampleBlock> train, JavaRDD<ExampleBlock> validation,
    JavaRDD<ExampleBlock> test, Normalizer normalizer, int[] shardRows, RecordCounts counts,
    Features features) {

  public int numFeatures() {
    return features.width();
  }

  /** See {@link Features#numClasses()}. */
  public int numClasses() {
    return features.numClasses();
  }

  /** The tokenizer's JSON, or null (data that is not text). */
  public String tokenizerJson() {
    return features.tokenizerJson();
  }

  /** The table encoding's JSON, or null (data that is not a table). */
  public String tableEncodingJson() {
    return features.tableEncodingJson();
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
