#!/usr/bin/env bash
# A longer fuzzing campaign than CI's: every parser a user's bytes reach (job specs, CSV and
# LibSVM lines, IDX files, tokenizer files, checkpoints, model zips, preprocessing.json,
# model.int8, DL4J configurations, sync frames) gets CASES mutated inputs (default 20000 each; a
# third for the targets that build a network per input, four times for sync frames), and the
# counts are printed. A failure names the parser, the case and the
# exception; rerun with the same SEED to reproduce it.
#   scripts/fuzz.sh [CASES] [SEED]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CASES=${1:-20000}
SEED=${2:-$(date +%s)}
cd "$ROOT"
echo "fuzz: $CASES cases per parser, seed $SEED (building worker-lib and driver first)" >&2
mvn -B -q -DskipTests install -pl worker-lib -am >&2
set +e
mvn -B -q test -pl worker-lib,driver -Dtest='ParserFuzzTest,SyncFrameFuzzTest' \
  -Dsurefire.failIfNoSpecifiedTests=false \
  -Dfuzz.cases="$CASES" -Dfuzz.seed="$SEED" -DtrimStackTrace=true \
  | grep -E "fuzz summary|fuzz \(seed|inputs|Expecting|case [0-9]+:|Tests run"
status=${PIPESTATUS[0]}
echo "fuzz: exit $status (0: no input mishandled)" >&2
exit "$status"
