#!/usr/bin/env bash
# Submits a sparktrain command to a Spark cluster with the application jar.
#
#   deploy/submit.sh [spark-submit options...] COMMAND [command options...]
#
# COMMAND is a sparktrain command (train, evaluate, predict, crossval, checkpoints, export);
# everything before it goes to spark-submit, everything from it on goes to sparktrain. Examples
# for standalone, YARN and Kubernetes masters are in deploy/README.md.
#
# Environment:
#   SPARK_HOME      a Spark 4 (Scala 2.13) or 3.5 (Scala 2.12) installation; its bin/spark-submit is used, or, when
#                   it has only jars/ (as the Maven-made spark-dist/target/spark-dist), SparkSubmit
#                   is run directly with Spark's Java 17 flags
#   SPARKTRAIN_JAR  the application jar (default: this checkout's app/target/sparktrain-app-spark4.jar,
#                   or -spark3.5.jar when SPARK_HOME's Spark is Scala 2.12,
#                   else /opt/sparktrain/sparktrain.jar as in the container image)
#   SPARKTRAIN_SUBMIT_DRY_RUN=1  print the command that would run, one argument a line, and exit
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)

: "${SPARK_HOME:?set SPARK_HOME to a Spark 4 or 3.5 installation}"
# The jar built for the Spark line SPARK_HOME runs: its jars say the Scala version (2.13: Spark 4,
# 2.12: Spark 3.5), and a jar of one line does not load on the other.
case "$(ls "$SPARK_HOME"/jars/spark-core_2.1*.jar 2>/dev/null | head -1)" in
  *spark-core_2.12-*) LINE=spark3.5; PROFILE=" -Pspark-3.5" ;;
  *) LINE=spark4; PROFILE="" ;;
esac
JAR="${SPARKTRAIN_JAR:-}"
if [ -z "$JAR" ]; then
  if [ -f "$ROOT/app/target/sparktrain-app-$LINE.jar" ]; then JAR="$ROOT/app/target/sparktrain-app-$LINE.jar"
  else JAR=/opt/sparktrain/sparktrain.jar; fi
fi
if [ ! -f "$JAR" ] && [[ "$JAR" != *://* ]]; then
  echo "submit.sh: application jar $JAR not found; build it with: mvn -B -DskipTests$PROFILE package -pl app -am" >&2
  exit 2
fi

# The caller's JVM options for driver and executors are taken out of the spark-submit arguments
# and merged with ours below: passed on as they are, they would replace ours (spark-submit keeps
# the last --conf of a key, and --driver-java-options over any --conf).
SUBMIT_ARGS=()
APP_ARGS=()
USER_DRIVER_OPTS=""
USER_EXECUTOR_OPTS=""
take_conf() {
  case "$1" in
    spark.driver.extraJavaOptions=*) USER_DRIVER_OPTS="${1#*=}" ;;
    spark.executor.extraJavaOptions=*) USER_EXECUTOR_OPTS="${1#*=}" ;;
    *) SUBMIT_ARGS+=(--conf "$1") ;;
  esac
}
while [ $# -gt 0 ]; do
  case "$1" in
    train|evaluate|predict|crossval|generate|checkpoints|export) APP_ARGS=("$@"); break ;;
    --conf|-c) [ $# -ge 2 ] || { echo "submit.sh: $1 needs KEY=VALUE" >&2; exit 2; }
      take_conf "$2"; shift 2 ;;
    --conf=*) take_conf "${1#--conf=}"; shift ;;
    --driver-java-options) [ $# -ge 2 ] || { echo "submit.sh: $1 needs a value" >&2; exit 2; }
      USER_DRIVER_OPTS="$2"; shift 2 ;;
    --driver-java-options=*) USER_DRIVER_OPTS="${1#--driver-java-options=}"; shift ;;
    *) SUBMIT_ARGS+=("$1"); shift ;;
  esac
done
if [ ${#APP_ARGS[@]} -eq 0 ]; then
  echo "submit.sh: no sparktrain command given (train, evaluate, predict, crossval, generate, checkpoints, export)" >&2
  exit 2
fi

# Spark's Java 17 module flags (org.apache.spark.launcher.JavaModuleOptions). spark-submit adds
# them to a client-mode driver, but a cluster-mode driver started by a standalone Worker gets
# only spark.driver.extraJavaOptions. 32 MB G1 regions: see SparkSetup.
OPENS="-XX:+IgnoreUnrecognizedVMOptions --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false"
# A driver JVM crash writes its report to /tmp on the driver's node (a cluster-mode driver's
# working directory is the Worker's, which may be cleaned up); the JVM prints the path.
CRASH_REPORT="/tmp/sparktrain-hs_err_pid%p.log"
# Driver and executors deny the known Java-deserialization gadget families and bound every
# stream's depth, references, bytes and array lengths (Spark itself needs Java serialization, so
# not everything can be denied); see conf/java-serial-filter.
OUR_FILTER=""
if [ -f "$ROOT/conf/java-serial-filter" ]; then
  OUR_FILTER=$(tr -d '[:space:]' < "$ROOT/conf/java-serial-filter")
else
  echo "submit.sh: warning: $ROOT/conf/java-serial-filter not found; no Java deserialization filter" >&2
fi

# combine_filters OURS THEIRS: one jdk.serialFilter pattern. Our class patterns come first, so a
# class we deny stays denied (the first pattern that matches decides); the caller's follow. Of
# each limit (maxdepth, maxrefs, maxbytes, maxarray) the smaller value is kept: a caller can
# tighten our filter, never loosen it.
combine_filters() {
  local part key value classes="" limits="" parts=()
  declare -A limit=()
  IFS=';' read -ra parts <<< "$1;$2"
  for part in "${parts[@]}"; do
    case "$part" in
      "") ;;
      max*=*)
        key=${part%%=*}; value=${part#*=}
        if ! [[ "$key" =~ ^max(depth|refs|bytes|array)$ && "$value" =~ ^[0-9]{1,18}$ ]]; then
          echo "submit.sh: -Djdk.serialFilter: '$part' is not a limit; allowed: maxdepth, maxrefs, maxbytes, maxarray with a whole number, e.g. maxdepth=100" >&2
          return 2
        fi
        if [ -z "${limit[$key]:-}" ] || [ "$value" -lt "${limit[$key]}" ]; then limit[$key]=$value; fi ;;
      *) classes="$classes;$part" ;;
    esac
  done
  for key in maxdepth maxrefs maxbytes maxarray; do
    [ -n "${limit[$key]:-}" ] && limits="$limits;$key=${limit[$key]}"
  done
  printf '%s\n' "$(echo "$limits$classes" | sed 's/^;//')"
}

# with_filter OPTIONS: the caller's JVM options, every word kept but their -Djdk.serialFilter,
# followed by one filter combined from ours and theirs.
with_filter() {
  local options=" $1 " theirs="" filter
  while [[ "$options" =~ [[:space:]]-Djdk\.serialFilter=([^[:space:]]*)[[:space:]] ]]; do
    theirs="${theirs:+$theirs;}${BASH_REMATCH[1]}"
    options="${options/"${BASH_REMATCH[0]}"/ }"
  done
  filter=$(combine_filters "$OUR_FILTER" "$theirs") || exit 2
  options=$(echo "$options" | sed 's/^ *//; s/ *$//')
  printf '%s\n' "${options:+$options }${filter:+-Djdk.serialFilter=$filter}"
}

set -f  # the filter's '*' must never be globbed
DRIVER_OPTS="$OPENS -XX:G1HeapRegionSize=32m -XX:ErrorFile=$CRASH_REPORT $(with_filter "$USER_DRIVER_OPTS")"
EXECUTOR_OPTS=$(with_filter "$USER_EXECUTOR_OPTS")

# Our defaults come first so that the caller's --conf of any other key wins.
DEFAULTS=(--class org.sparktrain.driver.cli.SparktrainMain
  --conf "spark.driver.extraJavaOptions=$DRIVER_OPTS"
  --conf "spark.executor.extraJavaOptions=$EXECUTOR_OPTS")

run() {
  if [ "${SPARKTRAIN_SUBMIT_DRY_RUN:-}" = 1 ]; then
    printf '%s\n' "$@"
    exit 0
  fi
  exec "$@"
}

if [ -x "$SPARK_HOME/bin/spark-submit" ]; then
  run "$SPARK_HOME/bin/spark-submit" "${DEFAULTS[@]}" "${SUBMIT_ARGS[@]}" "$JAR" "${APP_ARGS[@]}"
fi
# A Spark made of Maven jars only: run the class behind spark-submit. In client mode this JVM is
# the driver, so it gets the driver's flags and memory itself.
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# DRIVER_OPTS is split into words on purpose (globbing is off, above).
# shellcheck disable=SC2086
run "$JAVA" $DRIVER_OPTS \
  "-XX:OnError=echo 'submit.sh: the driver JVM crashed, its crash report is $CRASH_REPORT' >&2" \
  ${SPARKTRAIN_SUBMIT_JAVA_OPTS:--Xmx1g} -cp "$SPARK_HOME/jars/*" \
  org.apache.spark.deploy.SparkSubmit "${DEFAULTS[@]}" "${SUBMIT_ARGS[@]}" "$JAR" "${APP_ARGS[@]}"
