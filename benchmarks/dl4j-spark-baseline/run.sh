#!/usr/bin/env bash
# Runs the DL4J Spark baseline (benchmark baseline "c"). Builds first if target/classpath.txt is missing.
# Usage: benchmarks/dl4j-spark-baseline/run.sh --mnist DIR [--averaging-frequency H] [--workers W] ...
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if [[ ! -f "$here/target/classpath.txt" || ! -d "$here/target/classes" ]]; then
  mvn -B -q -f "$here/pom.xml" package -DskipTests >&2
fi

# Spark's own Java 17 module list (org.apache.spark.launcher.JavaModuleOptions), the same as
# property spark.java17.opens in the main pom.xml.
JAVA17_OPENS=(
  -XX:+IgnoreUnrecognizedVMOptions
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  -Djdk.reflect.useDirectMethodHandle=false
)

export SPARK_LOCAL_IP=127.0.0.1
exec "${JAVA:-java}" "${JAVA17_OPENS[@]}" ${BASELINE_JAVA_OPTS:--Xmx4g} \
  -cp "$here/target/classes:$(cat "$here/target/classpath.txt")" \
  org.sparktrain.bench.baseline.Dl4jSparkBaseline "$@"
