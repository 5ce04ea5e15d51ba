#!/usr/bin/env bash
# The spine benchmark: single-JVM DL4J (a) vs sparktrain (b, H=1,5,20) vs DL4J's dl4j-spark
# ParameterAveragingTrainingMaster (c, same H) on MNIST, interleaved, each run in a fresh JVM.
# Builds what it needs, then runs org.sparktrain.bench.SpineBenchmark with the arguments given.
#
#   benchmarks/run-spine.sh --mnist /work/shared/data/mnist [--reps 3] \
#       [--configs a,a1,a1g,p,pg,torch,torch2,b1,b5,b20,d1,d5,d20,t5,c1,c5,c20] [--limit N] [--warmup-epochs 1] [--timed-epochs 3] \
#       [--out benchmarks/results/spine.json] [--child-java-opts -Xmx6g] [--lines spark4,spark3.5] \
#       [--install-torch]
#
# torch and torch2 are PyTorch on the CPU (benchmarks/pytorch-p1.py) running the same P1 loop with
# one thread, alone and as two processes at once; --install-torch installs Debian's python3-torch
# for them when it is missing (needs root). Nothing else needs Python.
#
# --lines runs every configuration (but dl4j-spark's) once per Spark line, interleaved, each from
# that line's own build (benchmarks/build-line.sh, run here first); names become CONFIG/LINE.
#
# a1 and p (the limit) run the best native kernels this CPU has, as sparktrain itself does; a1g and
# pg keep the generic build for comparison; a1@BUILD and p@BUILD name one (spark.sparktrain.native).
#
# Environment: SPINE_SKIP_BUILD=1 skips the Maven builds; MVN_FLAGS adds Maven flags (e.g. -o);
# JAVA_HOME picks the JDK (Java 17).
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
MVN_FLAGS=${MVN_FLAGS:-}

LINES=""
NEEDS_DL4J_SPARK=1   # the default configurations include dl4j-spark (c1, c5, c20)
INSTALL_TORCH=0
ARGS=()
prev=""
for arg in "$@"; do
  [ "$prev" = "--lines" ] && LINES=${arg//,/ }
  if [ "$prev" = "--configs" ]; then
    case ",$arg" in *,c[0-9]*) NEEDS_DL4J_SPARK=1 ;; *) NEEDS_DL4J_SPARK=0 ;; esac
  fi
  if [ "$arg" = "--install-torch" ]; then INSTALL_TORCH=1; else ARGS+=("$arg"); fi
  prev=$arg
done

# The PyTorch anchor rows (torch, torch2) need Python's torch; only asked for, never required.
# Debian's package goes to /usr/bin/python3, which another python3 first on PATH (pyenv) hides.
torch_python() {
  for py in "${TORCH_PYTHON:-}" python3 /usr/bin/python3; do
    [ -n "$py" ] && "$py" -c 'import torch' 2>/dev/null && { echo "$py"; return 0; }
  done
  return 1
}
if [ "$INSTALL_TORCH" = 1 ] && ! torch_python >/dev/null; then
  echo "run-spine: installing Debian's python3-torch for the PyTorch rows..." >&2
  apt-get install -y -q python3-torch >&2
fi
TORCH_PYTHON=$(torch_python || echo python3)
export TORCH_PYTHON

if [ "${SPINE_SKIP_BUILD:-0}" != "1" ]; then
  echo "run-spine: building worker-lib, driver and benchmarks..." >&2
  (cd "$ROOT" && mvn -B -q $MVN_FLAGS -DskipTests install -pl worker-lib,driver -am) >&2
  (cd "$ROOT" && mvn -B -q $MVN_FLAGS -DskipTests package -pl benchmarks) >&2
  for line in $LINES; do
    MVN_FLAGS="$MVN_FLAGS" "$BENCH/build-line.sh" "$line"
  done
  if [ "$NEEDS_DL4J_SPARK" = 1 ] && { [ ! -f "$BENCH/dl4j-spark-baseline/target/classpath.txt" ] \
      || [ ! -d "$BENCH/dl4j-spark-baseline/target/classes" ]; }; then
    echo "run-spine: building the dl4j-spark baseline..." >&2
    mvn -B -q $MVN_FLAGS -f "$BENCH/dl4j-spark-baseline/pom.xml" package -DskipTests >&2
  fi
fi

JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
major=$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
if [ "$major" != "17" ]; then
  echo "run-spine: warning: Java $major found; Spark 3.5 needs Java 17 (set JAVA_HOME)" >&2
fi

cd "$ROOT"
exec "$JAVA" -Xmx1g -cp "$BENCH/target/classes:$(cat "$BENCH/target/classpath.txt")" \
  org.sparktrain.bench.SpineBenchmark "${ARGS[@]}"
