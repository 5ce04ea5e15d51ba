#!/usr/bin/env bash
# Copies the benchmark module's classes and the sparktrain jars on its class path
# (benchmarks/target/classpath.txt) into COPY_DIR and prints the class path that uses the copies,
# named as they will lie under FINAL_DIR (default COPY_DIR; build-line.sh fills a temporary folder
# and renames it). With a private copy, a build started while a benchmark runs, or a build of the
# other Spark line, cannot swap classes under it. Other jars stay in the Maven repository.
#   benchmarks/private-classpath.sh COPY_DIR [FINAL_DIR]
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
COPY=${1:?usage: private-classpath.sh COPY_DIR [FINAL_DIR]}
FINAL=${2:-$COPY}
cp -r "$BENCH/target/classes" "$COPY/classes"
CP="$FINAL/classes"
# The file has no final newline: read then reports end of input, which is fine.
IFS=: read -r -a ENTRIES < "$BENCH/target/classpath.txt" || true
for entry in "${ENTRIES[@]}"; do
  case "$(basename "$entry")" in
    sparktrain-*.jar) cp "$entry" "$COPY/" && entry="$FINAL/$(basename "$entry")" ;;
  esac
  CP="$CP:$entry"
done
printf '%s' "$CP"
