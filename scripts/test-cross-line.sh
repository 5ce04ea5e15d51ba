#!/usr/bin/env bash
# Checks across the two Spark lines (issue 28): users upgrade a cluster from Spark 3.5 to 4 in
# the middle of a project, so what one line wrote the other must continue bit for bit.
#   1. The same spec (same seed) trains to the same parameters and optimizer state on both lines.
#   2. A checkpoint written under 3.5 resumes under 4, and one written under 4 resumes under 3.5,
#      each ending with exactly the parameters of the uninterrupted run.
#   3. A Spark ML PipelineModel with sparktrain's fitted model, saved under 3.5, loads under 4
#      and transforms to the same probabilities and predictions, bit for bit.
# Everything runs through the application jars (sparktrain-app-spark3.5.jar, -spark4.jar) on
# each line's own Spark jars, in fresh JVMs, as a user runs them. One Maven build has one line,
# so the line missing from app/target is built in a copy of the tree under target/cross-line
# (the checkout's own build is left as it is). Exits non-zero with a FAIL line on any mismatch.
#
# Environment: SPARKTRAIN_JAR_SPARK35, SPARKTRAIN_JAR_SPARK4 take ready jars instead;
# CROSS_LINE_MVN_FLAGS adds Maven flags (e.g. -o); JAVA_HOME picks the JDK (17 for both lines).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK="$ROOT/target/cross-line"
LOGS="$WORK/logs"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
MVN=(mvn -B -q ${CROSS_LINE_MVN_FLAGS:-})
rm -rf "$WORK/runs" "$LOGS"
mkdir -p "$WORK/runs" "$LOGS"
START=$SECONDS

fail() { echo "test-cross-line: FAIL: $*" >&2; exit 1; }
say() { echo "test-cross-line: [$((SECONDS - START)) s] $*"; }

# True when a main source or pom is newer than $1 (the jar then no longer matches the tree).
stale() {
  [ -n "$(find "$2/worker-lib/src/main" "$2/driver/src/main" "$2/pom.xml" "$2/worker-lib/pom.xml" \
      "$2/driver/pom.xml" "$2/app/pom.xml" -newer "$1" -print -quit)" ]
}

# The application jar of a line (spark3.5 or spark4): the checkout's own when it is current,
# else one built from a copy of the tree, so the checkout's target folders keep their line.
app_jar() {
  local line=$1 profile=$2 own="$ROOT/app/target/sparktrain-app-$1.jar"
  if [ -f "$own" ] && ! stale "$own" "$ROOT"; then echo "$own"; return; fi
  local copy="$WORK/build-$line" jar="$WORK/build-$line/app/target/sparktrain-app-$line.jar"
  if [ ! -f "$jar" ] || stale "$jar" "$ROOT"; then
    say "building the $line application jar in $copy" >&2
    mkdir -p "$copy"
    # Only sources travel: no build outputs, no git metadata.
    tar -C "$ROOT" --exclude=./.git --exclude=target -cf - . | tar -C "$copy" -xf -
    (cd "$copy" && "${MVN[@]}" "-P$profile" -DskipTests package -pl app -am) >"$LOGS/build-$line.log" 2>&1 \
      || { tail -30 "$LOGS/build-$line.log" >&2; fail "building the $line jar failed (log: $LOGS/build-$line.log)"; }
  fi
  echo "$jar"
}

# The Spark, Hadoop and S3A jars a cluster of that line provides (the spark-dist module's
# dependencies), as a classpath resolved from the local Maven repository.
spark_classpath() {
  local line=$1 profile=$2 out="$WORK/spark-classpath-$1.txt"
  (cd "$ROOT" && "${MVN[@]}" "-P$profile" -pl spark-dist dependency:build-classpath \
      -Dmdep.includeScope=runtime "-Dmdep.outputFile=$out") >"$LOGS/classpath-$line.log" 2>&1 \
    || { tail -30 "$LOGS/classpath-$line.log" >&2; fail "resolving the $line Spark jars failed"; }
  cat "$out"
}

JAR_35="${SPARKTRAIN_JAR_SPARK35:-$(app_jar spark3.5 spark-3.5)}"
JAR_4="${SPARKTRAIN_JAR_SPARK4:-$(app_jar spark4 spark-4)}"
CP_35="$JAR_35:$(spark_classpath spark3.5 spark-3.5)"
CP_4="$JAR_4:$(spark_classpath spark4 spark-4)"
case "$CP_35" in *spark-core_2.12-3.5*) ;; *) fail "the 3.5 classpath has no Spark 3.5 (Scala 2.12) core" ;; esac
case "$CP_4" in *spark-core_2.13-4.*) ;; *) fail "the 4 classpath has no Spark 4 (Scala 2.13) core" ;; esac
say "jars: $JAR_35, $JAR_4"

# Spark's Java 17 module flags, as bin/sparktrain passes them.
read -r -a OPENS <<<"$(sed -n 's:.*<spark.java17.opens>\(.*\)</spark.java17.opens>.*:\1:p' "$ROOT/pom.xml")"
export SPARK_LOCAL_IP=127.0.0.1

# java on a line's classpath: run_on LINE LOG ARGS... (LINE is 3.5 or 4).
run_on() {
  local line=$1 log="$LOGS/$2.log" cp rc=0; shift 2
  if [ "$line" = 4 ]; then cp=$CP_4; else cp=$CP_35; fi
  "$JAVA" "${OPENS[@]}" -XX:G1HeapRegionSize=32m -Xmx2g \
      "-Dlog4j2.configurationFile=$ROOT/conf/log4j2.properties" -cp "$cp" "$@" >"$log" 2>&1 || rc=$?
  [ $rc -eq 0 ] || { tail -30 "$log" >&2; fail "Spark $line: '$*' exited with $rc (log: $log)"; }
}

# The digits example, shortened, with dropout (random masks must follow the seed on both
# lines) and a checkpoint every 4 rounds, all kept, so a middle one can be resumed.
train_on() {
  local line=$1 dir=$2; shift 2
  run_on "$line" "train-$(basename "$dir")" org.sparktrain.driver.cli.SparktrainMain \
    train "$ROOT/examples/digits.yaml" --set train.epochs=3 --set model.dropout=0.1 \
    --set checkpoint.everyRounds=4 --set checkpoint.keepLast=1000 --output "$dir" "$@"
}

# Digest of a model.zip entry: coefficients.bin (parameters) or updaterState.bin (optimizer).
# Unpacked with the JDK's jar tool, which every machine that builds this has.
JAR_TOOL="${JAVA_HOME:+$JAVA_HOME/bin/}jar"
entry_digest() {
  local out
  out=$(mktemp -d "$WORK/entry.XXXXXX")
  (cd "$out" && "$JAR_TOOL" xf "$1/model/model.zip" "$2")
  [ -f "$out/$2" ] || fail "$1/model/model.zip has no $2"
  sha256sum "$out/$2" | cut -d' ' -f1
  rm -rf "$out"
}

same_model() {
  local a=$1 b=$2 what=$3 entry
  for entry in coefficients.bin updaterState.bin; do
    [ "$(entry_digest "$a" "$entry")" = "$(entry_digest "$b" "$entry")" ] \
      || fail "$what: model.zip $entry differs between $a and $b"
  done
  say "ok: $what (parameters and optimizer state bit for bit: $(entry_digest "$a" coefficients.bin | cut -c1-16))"
}

# A run folder holding only checkpoint $2 of run $1; resuming it must continue from there.
partial_from() {
  local full=$1 round=$2 partial=$3
  mkdir -p "$partial/checkpoints"
  cp -r "$full/checkpoints/$round" "$partial/checkpoints/"
}

resumed_from() {
  grep -o '"resumedFromRound" *: *[0-9]*' "$1/summary.json" | grep -o '[0-9]*$' || true
}

# 1. The same spec on both lines.
R=$WORK/runs
train_on 3.5 "$R/full-3.5"
train_on 4 "$R/full-4"
same_model "$R/full-3.5" "$R/full-4" "the same spec trains identically on Spark 3.5 and Spark 4"

# 2. Resume across lines, from a checkpoint in the middle of the run (not the last one).
mapfile -t ROUNDS < <(ls "$R/full-3.5/checkpoints" | grep '^round-' | sort)
[ ${#ROUNDS[@]} -ge 3 ] || fail "expected at least 3 checkpoints in $R/full-3.5, found ${#ROUNDS[@]}"
MIDDLE=${ROUNDS[$(( ${#ROUNDS[@]} / 2 ))]}
MIDDLE_ROUND=$((10#${MIDDLE#round-}))
for pair in "3.5 4" "4 3.5"; do
  read -r from to <<<"$pair"
  partial="$R/resume-$from-to-$to"
  partial_from "$R/full-$from" "$MIDDLE" "$partial"
  train_on "$to" "$partial" --resume
  [ "$(resumed_from "$partial")" = "$MIDDLE_ROUND" ] \
    || fail "Spark $to did not resume Spark $from's checkpoint $MIDDLE (summary.json resumedFromRound: '$(resumed_from "$partial")')"
  same_model "$R/full-3.5" "$partial" "a checkpoint of Spark $from ($MIDDLE) resumed under Spark $to ends as the uninterrupted run"
done

# 3. A Spark ML pipeline saved under 3.5, loaded and applied under 4 (the integration tests'
# own round-trip program, run from source on each line's classpath).
PIPE_MAIN="$ROOT/integration-tests/src/test/java/org/sparktrain/it/PipelineRoundTripMain.java"
PIPE="$R/pipeline"
mkdir -p "$PIPE"
run_on 3.5 pipeline-fit-3.5 "$PIPE_MAIN" fit "$PIPE"
run_on 4 pipeline-load-4 "$PIPE_MAIN" load "$PIPE"
[ -s "$PIPE/fitted.txt" ] || fail "the 3.5 pipeline wrote no predictions ($PIPE/fitted.txt)"
cmp -s "$PIPE/fitted.txt" "$PIPE/loaded.txt" \
  || fail "the pipeline saved under Spark 3.5 transforms differently under Spark 4: diff $PIPE/fitted.txt $PIPE/loaded.txt"
say "ok: a PipelineModel saved under Spark 3.5 loads under Spark 4 and gives the same $(wc -l <"$PIPE/fitted.txt") predictions bit for bit"
say "all cross-line checks passed"
