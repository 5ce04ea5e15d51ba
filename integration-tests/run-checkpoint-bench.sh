#!/usr/bin/env bash
# Checkpoint benchmark (a program, not a test): 100 MB checkpoint writes to HDFS and S3 against a
# plain copy, and training throughput with a checkpoint every round against none. Starts its own
# MiniDFSCluster and S3Proxy.  Usage: integration-tests/run-checkpoint-bench.sh MNIST_DIR [REPS]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
MNIST=$(cd "${1:?usage: run-checkpoint-bench.sh MNIST_DIR [REPS]}" && pwd)
(cd "$ROOT" && mvn -B -q -DskipTests install -pl worker-lib,driver -am \
  && mvn -B -q -DskipTests test-compile -pl integration-tests \
  && mvn -B -q dependency:build-classpath -pl integration-tests -Dmdep.includeScope=test \
       -Dmdep.outputFile=target/test-classpath.txt) >&2
OPENS=$(sed -n 's/.*<spark.java17.opens>\(.*\)<\/spark.java17.opens>.*/\1/p' "$ROOT/pom.xml")
cd "$HERE"
export SPARK_LOCAL_IP=127.0.0.1
exec java $OPENS -Xmx8g -XX:G1HeapRegionSize=32m -Dorg.bytedeco.javacpp.maxphysicalbytes=0 \
  -Dlog4j2.configurationFile="$ROOT/conf/log4j2.properties" \
  -Dsparktrain.it.target="$HERE/target" \
  -Dsparktrain.it.s3proxy.jar="$HERE/target/s3proxy/s3proxy-4.1.0-jar-with-dependencies.jar" \
  -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  org.sparktrain.it.bench.CheckpointBenchmark "$MNIST" "${2:-3}" "$ROOT/benchmarks/results/checkpoint.json"
