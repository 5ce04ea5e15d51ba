#!/usr/bin/env bash
# Builds every module from clean against the Spark 3.5 line (-Pspark-3.5: Spark 3.5.9, Scala
# 2.12, Hadoop 3.3.4) and runs the tests that touch what differs between the lines. `mvn -B
# verify` runs the whole suite on the default line, Spark 4; the whole suite again on 3.5 would
# take CI past an hour, so 3.5 runs the tests where the lines differ (Spark, Scala, Hadoop/S3A
# with the AWS SDK v1, Delta and Iceberg, the standalone cluster, the jar's name):
# training with both sync strategies (SyncEquivalenceTest, SyncChoiceTest), Kryo, table input
# (Parquet, ORC, JSON, Delta, Iceberg), the Spark ML pipeline with save/load (in this JVM and a
# fresh one), checkpoints on HDFS and S3 resumed and an S3 outage ridden out
# (StorageResumeTest), local-cluster, the CLI in child JVMs, spark-submit of the 3.5 jar to a
# real standalone Master and Worker, the executor kill, Spark ML beside sparktrain in one
# session, and the Docker/k8s checks against the 3.5 jar. The rest of the suite (spec parsing,
# models, privacy, reports: code that does not touch Spark's API) runs on the default line.
set -euo pipefail
cd "$(dirname "$0")/.."
SPARK35_TESTS=SyncEquivalenceTest,SyncChoiceTest,KryoRegistrationTest,TableInputTest
SPARK35_TESTS+=,SparkMlPipelineTest,SparkMlRegressionTest,PipelineFreshJvmTest,SharedSessionTest
SPARK35_TESTS+=,StorageResumeTest,LocalClusterTest,CliEndToEndTest,SparkSubmitTest
SPARK35_TESTS+=,ExecutorKillTest,DockerfilesTest,KubernetesManifestsTest,MetricsLogTest
mvn -B -Pspark-3.5 clean verify "-Dtest=$SPARK35_TESTS" -Dsurefire.failIfNoSpecifiedTests=false
