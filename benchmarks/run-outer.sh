#!/usr/bin/env bash
# Synchronizing less often with an outer optimizer (issue 10, DiLoCo): H=5 plain averaging
# against larger H with train.outer: nesterov, same examples; quality, syncs and bytes.
#   benchmarks/run-outer.sh --mnist ../shared/data/mnist [--epochs 3] [--configs 5,50,50:n,100:n]
#       [--text ../shared/data/text/moby-dick.txt.gz --text-epochs 2 --text-configs 5,50,50:n]
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
if [ "${OUTER_SKIP_BUILD:-0}" != "1" ]; then
  echo "run-outer: building worker-lib, driver and benchmarks..." >&2
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
  org.sparktrain.bench.OuterBenchmark "$@"
