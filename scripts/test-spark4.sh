#!/usr/bin/env bash
# Builds every module from clean against the Spark 4 line and runs the tests that touch what
# differs between the lines. Afterwards, `mvn -B verify` rebuilds the default (Spark 3.5) line.
set -euo pipefail
cd "$(dirname "$0")/.."
# The Spark 4 line (-Pspark-4: Spark 4.2.0, Scala 2.13, Hadoop 3.5): every module rebuilt from
# clean against it, and the tests that exercise what differs between the lines (Spark, Scala,
# Hadoop/S3A with the AWS SDK v2, Delta and Iceberg, the standalone cluster, the jar's name):
# training with both sync strategies (SyncEquivalenceTest, SyncChoiceTest), Kryo, table input
# (Parquet, ORC, JSON, Delta; Iceberg skips: no runtime for Spark 4.2), the Spark ML pipeline
# with save/load (in this JVM and a fresh one), checkpoints on HDFS and S3 resumed and an S3
# outage ridden out (StorageResumeTest), local-cluster, the CLI in child JVMs, spark-submit of
# the Spark 4 jar to a real standalone Master and Worker, the executor kill, Spark ML beside
# sparktrain in one session, and the Docker/k8s checks against the Spark 4 jar. The rest of the
# suite (spec parsing, models, privacy, reports: code that does not touch Spark's API) would
# double CI's time for little; it runs on the default line.
SPARK4_TESTS=SyncEquivalenceTest,SyncChoiceTest,KryoRegistrationTest,TableInputTest
SPARK4_TESTS+=,SparkMlPipelineTest,SparkMlRegressionTest,PipelineFreshJvmTest,SharedSessionTest
SPARK4_TESTS+=,StorageResumeTest,LocalClusterTest,CliEndToEndTest,SparkSubmitTest
SPARK4_TESTS+=,ExecutorKillTest,DockerfilesTest,KubernetesManifestsTest,MetricsLogTest
mvn -B -Pspark-4 clean verify "-Dtest=$SPARK4_TESTS" -Dsurefire.failIfNoSpecifiedTests=false
