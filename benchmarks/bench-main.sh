#!/usr/bin/env bash
# Runs one of this module's benchmark programs in a JVM set up like the others: Spark's Java 17
# opens, an 8 GB heap, the project's log4j2 settings. Builds what it needs first (set
# BENCH_SKIP_BUILD=1 to skip), then runs from a private copy of the sparktrain jars, so a build
# started while the program runs cannot swap classes under it.
#   benchmarks/bench-main.sh CLASS [ARGS...]
# BENCH_LINE=spark4 or spark3.5 runs it on that Spark line's build instead
# (benchmarks/build-line.sh; built when missing or unless BENCH_SKIP_BUILD=1).
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
MAIN=$1
shift
if [ -n "${BENCH_LINE:-}" ]; then
  # One Spark line's private build (benchmarks/build-line.sh), already a copy of its own.
  if [ "${BENCH_SKIP_BUILD:-0}" != "1" ] || [ ! -f "$BENCH/line-builds/$BENCH_LINE/classpath.txt" ]; then
    "$BENCH/build-line.sh" "$BENCH_LINE"
  fi
  CP=$(cat "$BENCH/line-builds/$BENCH_LINE/classpath.txt")
  echo "bench-main: $BENCH_LINE ($(cat "$BENCH/line-builds/$BENCH_LINE/spark-version.txt"))" >&2
else
  if [ "${BENCH_SKIP_BUILD:-0}" != "1" ]; then
    echo "bench-main: building worker-lib, driver and benchmarks..." >&2
    (cd "$ROOT" && mvn -B -q -DskipTests install -pl worker-lib,driver -am) >&2
    (cd "$ROOT" && mvn -B -q -DskipTests package -pl benchmarks) >&2
  fi
  JARS=$(mktemp -d)
  trap 'rm -rf "$JARS"' EXIT
  CP=$("$BENCH/private-classpath.sh" "$JARS")
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
OPENS=$(sed -n 's:.*<spark.java17.opens>\(.*\)</spark.java17.opens>.*:\1:p' "$ROOT/pom.xml")
cd "$ROOT"
export SPARK_LOCAL_IP=127.0.0.1
# shellcheck disable=SC2086
"$JAVA" $OPENS -Xmx8g -XX:G1HeapRegionSize=32m -Dorg.bytedeco.javacpp.maxphysicalbytes=0 \
  -Dlog4j2.configurationFile="$ROOT/conf/log4j2.properties" -cp "$CP" "$MAIN" "$@"
