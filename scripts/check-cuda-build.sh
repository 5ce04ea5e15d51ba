#!/usr/bin/env bash
# Checks the `cuda` Maven profile: it compiles against nd4j-cuda-11.6, and the backend check
# of that build either names the GPU (on a machine with an NVIDIA GPU and CUDA 11.6) or fails
# with a message that says what is missing (everywhere else, e.g. CI). Run from the repo root.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="$PWD/target/cuda-check"
mkdir -p "$OUT"
mvn -B -q -Pcuda -pl worker-lib -DskipTests compile dependency:build-classpath \
  -Dmdep.includeScope=runtime -Dmdep.outputFile="$OUT/classpath.txt"
CP="worker-lib/target/classes:$(cat "$OUT/classpath.txt")"
if grep -q "nd4j-native-1" "$OUT/classpath.txt"; then
  echo "check-cuda-build: the cuda profile still has nd4j-native on its classpath" >&2; exit 1
fi
set +e
java -cp "$CP" org.sparktrain.worker.backend.BackendProbe cuda >"$OUT/probe.txt" 2>"$OUT/probe.err"
rc=$?
set -e
cat "$OUT/probe.txt"
if [ $rc -eq 0 ] && grep -q "^backend: cuda: CUDA" "$OUT/probe.txt"; then
  echo "check-cuda-build: OK, running on a GPU"
elif [ $rc -eq 3 ] && grep -q "A CUDA build needs an NVIDIA GPU" "$OUT/probe.txt"; then
  echo "check-cuda-build: OK, no GPU here and the cuda build says so clearly"
else
  echo "check-cuda-build: unexpected result (exit $rc); stderr:" >&2; tail -20 "$OUT/probe.err" >&2
  exit 1
fi
# Leave worker-lib's classes as the default (CPU) build compiled them.
mvn -B -q -pl worker-lib -DskipTests compile
