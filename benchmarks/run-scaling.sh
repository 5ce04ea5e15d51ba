#!/usr/bin/env bash
# Synchronization cost against the number of workers, driver vs collective (issue 10):
# the digits example with an MLP 64-1024-1024-10 on local[N], N workers.
#   benchmarks/run-scaling.sh [--workers 2,4,8] [--epochs 3] [--hidden 1024]
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
if [ "${SCALING_SKIP_BUILD:-0}" != "1" ]; then
  echo "run-scaling: building worker-lib, driver and benchmarks..." >&2
  (cd "$ROOT" && mvn -B -q -DskipTests install -pl worker-lib,driver -am) >&2
  (cd "$ROOT" && mvn -B -q -DskipTests package -pl benchmarks) >&2
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
OPENS=$(sed -n 's:.*<spark.java17.opens>\(.*\)</spark.java17.opens>.*:\1:p' "$ROOT/pom.xml")
cd "$ROOT"
export SPARK_LOCAL_IP=127.0.0.1
# shellcheck disable=SC2086
exec "$JAVA" $OPENS -Xmx8g -XX:G1HeapRegionSize=32m \
  -Dlog4j2.configurationFile="$ROOT/conf/log4j2.properties" \
  -cp "$BENCH/target/classes:$(cat "$BENCH/target/classpath.txt")" \
  org.sparktrain.bench.ScalingBenchmark "$@"
