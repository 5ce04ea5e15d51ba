#!/usr/bin/env bash
# Training throughput per model family (issue #4): single-JVM DL4J (1 and 2 ND4J threads)
# against sparktrain with 2 workers on local[2], interleaved, each run in a fresh JVM.
#   benchmarks/run-families.sh [REPS] [FAMILIES]     e.g. benchmarks/run-families.sh 3 "resnet gpt bert"
# Needs the data of examples/resnet-fashion.yaml, gpt-moby-dick.yaml and bert-sotu.yaml
# (../shared/data, or scripts/fetch-data.sh). Appends JSON lines to
# benchmarks/results/families.jsonl and prints the Markdown table of medians and ratios.
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
REPS=${1:-3}
FAMILIES=${2:-resnet gpt bert}
OUT="$BENCH/results/families.jsonl"

if [ "${FAMILIES_SKIP_BUILD:-0}" != "1" ]; then
  echo "run-families: building worker-lib, driver and benchmarks..." >&2
  (cd "$ROOT" && mvn -B -q -DskipTests install -pl worker-lib,driver -am) >&2
  (cd "$ROOT" && mvn -B -q -DskipTests package -pl benchmarks) >&2
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
OPENS=(--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED)
CP="$BENCH/target/classes:$(cat "$BENCH/target/classpath.txt")"
mkdir -p "$BENCH/results"
cd "$ROOT"
export SPARK_LOCAL_IP=127.0.0.1
for rep in $(seq 1 "$REPS"); do
  for family in $FAMILIES; do
    for run in "single 1" "single 2" "sparktrain 0"; do
      set -- $run
      echo "run-families: rep $rep, $family, $1 ${2/0/}" >&2
      "$JAVA" "${OPENS[@]}" -Xmx6g -XX:G1HeapRegionSize=32m -Dorg.bytedeco.javacpp.maxphysicalbytes=0 \
        -Dlog4j2.configurationFile="$ROOT/conf/log4j2.properties" -cp "$CP" \
        org.sparktrain.bench.FamilyBenchmark --family "$family" --system "$1" --threads "${2/0/1}" \
        2> >(grep -v "Added differentiated" >&2) | tail -1 >> "$OUT"
    done
  done
done
"$JAVA" -cp "$CP" org.sparktrain.bench.FamilySummary "$OUT"
