#!/usr/bin/env bash
# A longer fuzzing campaign than CI's: every parser a user's bytes reach (job specs, CSV and
# LibSVM lines, IDX files, tokenizer files, checkpoints, model zips) gets CASES mutated inputs
# (default 20000 each), and the counts are printed. A failure names the parser, the case and the
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
mvn -B -q test -pl driver -Dtest=ParserFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dfuzz.cases="$CASES" -Dfuzz.seed="$SEED" -DtrimStackTrace=true \
  | grep -E "fuzz summary|inputs|Expecting|case [0-9]+:|Tests run"
status=${PIPESTATUS[0]}
echo "fuzz: exit $status (0: no input mishandled)" >&2
exit "$status"
