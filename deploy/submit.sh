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
#   SPARKTRAIN_JAR  the application jar (default: this checkout's app/target/sparktrain-app-spark3.5.jar,
#                   or -spark4.jar when SPARK_HOME's Spark is Scala 2.13,
#                   else /opt/sparktrain/sparktrain.jar as in the container image)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)

: "${SPARK_HOME:?set SPARK_HOME to a Spark 4 or 3.5 installation}"
# The jar built for the Spark line SPARK_HOME runs: its jars say the Scala version (2.13: Spark 4,
# 2.12: Spark 3.5), and a jar of one line does not load on the other.
case "$(ls "$SPARK_HOME"/jars/spark-core_2.1*.jar 2>/dev/null | head -1)" in
  *spark-core_2.13-*) LINE=spark4; PROFILE=" -Pspark-4" ;;
  *) LINE=spark3.5; PROFILE="" ;;
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

SUBMIT_ARGS=()
APP_ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    train|evaluate|predict|crossval|generate|checkpoints|export) APP_ARGS=("$@"); break ;;
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
# Driver and executors deny the known Java-deserialization gadget families (Spark itself needs
# Java serialization, so not everything can be denied); see conf/java-serial-filter.
SERIAL_FILTER=""
if [ -f "$ROOT/conf/java-serial-filter" ]; then
  SERIAL_FILTER="-Djdk.serialFilter=$(cat "$ROOT/conf/java-serial-filter")"
else
  echo "submit.sh: warning: $ROOT/conf/java-serial-filter not found; no Java deserialization filter" >&2
fi
DRIVER_OPTS="$OPENS -XX:G1HeapRegionSize=32m -XX:ErrorFile=$CRASH_REPORT $SERIAL_FILTER"

# Our defaults come first so that the caller's --conf of the same key wins.
DEFAULTS=(--class org.sparktrain.driver.cli.SparktrainMain
  --conf "spark.driver.extraJavaOptions=$DRIVER_OPTS"
  --conf "spark.executor.extraJavaOptions=$SERIAL_FILTER")

if [ -x "$SPARK_HOME/bin/spark-submit" ]; then
  exec "$SPARK_HOME/bin/spark-submit" "${DEFAULTS[@]}" "${SUBMIT_ARGS[@]}" "$JAR" "${APP_ARGS[@]}"
fi
# A Spark made of Maven jars only: run the class behind spark-submit. In client mode this JVM is
# the driver, so it gets the driver's flags and memory itself.
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# DRIVER_OPTS is split into words on purpose; the filter's '*' must not be globbed.
set -f
# shellcheck disable=SC2086
exec "$JAVA" $DRIVER_OPTS \
  "-XX:OnError=echo 'submit.sh: the driver JVM crashed, its crash report is $CRASH_REPORT' >&2" \
  ${SPARKTRAIN_SUBMIT_JAVA_OPTS:--Xmx1g} -cp "$SPARK_HOME/jars/*" \
  org.apache.spark.deploy.SparkSubmit "${DEFAULTS[@]}" "${SUBMIT_ARGS[@]}" "$JAR" "${APP_ARGS[@]}"
