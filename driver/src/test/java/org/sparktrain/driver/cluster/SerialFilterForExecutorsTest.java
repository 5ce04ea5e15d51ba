package org.sparktrain.driver.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

/** The driver's Java deserialization filter reaches executors that would start without one. */
class SerialFilterForExecutorsTest {
  private static final String FILTER = "maxdepth=200;maxarray=1000000;!org.springframework.**";

  @Test
  void executorsWithoutAFilterGetTheDriversBesideTheirOtherOptions() {
    SparkConf conf = new SparkConf(false).set("spark.executor.extraJavaOptions", "-Dx=1");
    SparkSetup.passSerialFilterToExecutors(conf, FILTER);
    assertThat(conf.get("spark.executor.extraJavaOptions"))
        .isEqualTo("-Dx=1 -Djdk.serialFilter=" + FILTER);
  }

  @Test
  void aFilterAlreadyGivenToExecutorsIsKept() {
    SparkConf conf = new SparkConf(false)
        .set("spark.executor.extraJavaOptions", "-Djdk.serialFilter=maxdepth=50;!*");
    SparkSetup.passSerialFilterToExecutors(conf, FILTER);
    assertThat(conf.get("spark.executor.extraJavaOptions"))
        .isEqualTo("-Djdk.serialFilter=maxdepth=50;!*");
  }

  @Test
  void aDriverWithoutAFilterAddsNone() {
    SparkConf conf = new SparkConf(false);
    SparkSetup.passSerialFilterToExecutors(conf, null);
    assertThat(conf.contains("spark.executor.extraJavaOptions")).isFalse();
  }
}
