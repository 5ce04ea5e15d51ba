#!/usr/bin/env bash
# Validation soak (issue 14): the gpt, bert and bert-classifier examples, one epoch each on
# smaller data, validating every 2 rounds, trained over and over in one JVM until MINUTES are up;
# every repeat's validation metrics must equal the first's. A program, not a CI test.
#   benchmarks/run-soak.sh [MINUTES] [more ValidationSoak options]
# Needs ../shared/data/text (or scripts/fetch-data.sh). A JVM crash leaves its report in
# benchmarks/results/ and this script says so.
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
MINUTES=${1:-30}
shift || true
if [ "${SOAK_SKIP_BUILD:-0}" != "1" ]; then
  echo "run-soak: building worker-lib, driver and benchmarks..." >&2
  (cd "$ROOT" && mvn -B -q -DskipTests install -pl worker-lib,driver -am) >&2
  (cd "$ROOT" && mvn -B -q -DskipTests package -pl benchmarks) >&2
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
OPENS=$(sed -n 's:.*<spark.java17.opens>\(.*\)</spark.java17.opens>.*:\1:p' "$ROOT/pom.xml")
CP="$BENCH/target/classes:$(cat "$BENCH/target/classpath.txt")"
mkdir -p "$BENCH/results"
cd "$ROOT"
export SPARK_LOCAL_IP=127.0.0.1
# shellcheck disable=SC2086
"$JAVA" $OPENS -Xmx6g -XX:G1HeapRegionSize=32m -Dorg.bytedeco.javacpp.maxphysicalbytes=0 \
  -XX:ErrorFile="$BENCH/results/soak-hs_err_pid%p.log" \
  "-XX:OnError=echo 'run-soak: the JVM crashed, its crash report is $BENCH/results/soak-hs_err_pid%p.log' >&2" \
  -Dlog4j2.configurationFile="$ROOT/conf/log4j2.properties" -cp "$CP" \
  org.sparktrain.bench.ValidationSoak --minutes "$MINUTES" "$@"
