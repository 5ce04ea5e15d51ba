#!/usr/bin/env bash
# Builds worker-lib, driver and the benchmark programs against one Spark line and keeps a private
# copy of them, so that benchmarks can run both lines in one session (issue 28):
#
#   benchmarks/build-line.sh spark4       # the default build (Spark 4.2, Scala 2.13)
#   benchmarks/build-line.sh spark3.5     # -Pspark-3.5 (Spark 3.5.9, Scala 2.12)
#
# Leaves benchmarks/line-builds/LINE/ with classes/, the sparktrain jars and classpath.txt (the
# benchmark's whole class path, the private copies first); outside target/, which a clean build
# of the other line deletes. Both lines' sparktrain jars have the
# same Maven coordinates, so the copy is what keeps one line's build from replacing the other's.
# MVN_FLAGS adds Maven flags (e.g. -o).
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
LINE=${1:?usage: build-line.sh spark4|spark3.5}
case "$LINE" in
  spark4) PROFILE="" ;;
  spark3.5) PROFILE="-Pspark-3.5" ;;
  *) echo "build-line: unknown line '$LINE' (allowed: spark4, spark3.5)" >&2; exit 2 ;;
esac
echo "build-line: building worker-lib, driver and benchmarks for $LINE..." >&2
# clean: the modules' target/classes otherwise keep the other line's compiled Scala bridges.
(cd "$ROOT" && mvn -B -q ${MVN_FLAGS:-} $PROFILE -DskipTests clean package \
  -pl worker-lib,driver,benchmarks) >&2

OUT="$BENCH/line-builds/$LINE"
TMP="$OUT.tmp"
rm -rf "$TMP"
mkdir -p "$TMP"
"$BENCH/private-classpath.sh" "$TMP" "$OUT" > "$TMP/classpath.txt"
# Which Spark the snapshot holds, read from its class path, so a mislabelled build shows.
grep -o 'spark-core_[0-9.]*/[0-9.]*' "$TMP/classpath.txt" | head -1 > "$TMP/spark-version.txt"
rm -rf "$OUT"
mv "$TMP" "$OUT"
echo "build-line: $LINE ready in $OUT ($(cat "$OUT/spark-version.txt"))" >&2
