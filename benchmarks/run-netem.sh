#!/usr/bin/env bash
# Synchronization over a real, slow network (issue 29, item 5): a Spark standalone Master (with
# the client-mode driver beside it) and N Workers, each in its own Linux network namespace, wired
# by veth pairs to a bridge that lives in a namespace of its own. Every link is shaped by tc in
# both directions (tbf: a full-duplex NIC of the given rate), so the driver's and the executors'
# traffic goes over real TCP through real, rate-limited links. The application jar runs through
# deploy/submit.sh, as on a cluster. For each rate, model and configuration it measures the
# median synchronization ms per round and the bytes per round, and compares them with the cost
# model of benchmarks/RESULTS.md ("Scaling"):
#
#   driver:     sync = fixed + bytesMoved / B          (every byte passes the driver's NIC:
#                                                        broadcast out, then results in)
#   collective: sync = fixed + (bytesMoved / N) / B    (each worker's NIC carries its share of
#                                                        reduce-scatter, then of all-gather)
#
# B is the link rate in bytes/s; "fixed" (job launch, scheduling, averaging) is the same
# configuration's median on the unshaped links, measured in the same repetition. tc here offers
# tbf but not netem, so there is no added delay; the latency term 2 (N-1) L is then the veth's own,
# a few tens of microseconds, and is left out.
#
#   sudo benchmarks/run-netem.sh [--smoke] [--rates 1gbit,100mbit] [--models p1,10m]
#       [--configs d5,d50n,c5,c5b,c50n] [--reps 1] [--workers 2] [--mnist /work/shared/data/mnist]
#       [--rounds 5] [--out benchmarks/results/netem-DATE] [--links-only]
#
# Configurations: d = sync driver, c = sync collective; the number is H; b = bfloat16 sync;
# n = the outer optimizer (nesterov 0.7, momentum 0.9). Models: p1 = MNIST MLP 784-256-256-10,
# Adam (269,322 parameters), batch 32; 10m = the scaling model, digits MLP 64-3150-3150-10, Adam
# (10.16M parameters), batch 16. Each run trains one epoch on a training set cut to ROUNDS rounds
# (5; the first round of a stretch carries the job launch and is left out, so 4 are measured).
# --links-only: build the network, measure what one cable carries at each rate, and stop.
# --smoke: P1, c5, unshaped and at 100mbit, 3 rounds: two spark-submits and the whole pipeline
# down to the predicted-against-measured table; its time is mostly the two applications' start
# (benchmarks/RESULTS.md says what it took here).
#
# Needs root (ip netns, tc), the application jar and the Maven-made Spark:
#   nice -n 19 mvn -B -o -q -pl app,spark-dist -am package -DskipTests
# Traffic stays inside the namespaces this script creates; it removes them when it ends, also on
# failure or interruption. Writes OUT/rounds.tsv (one row per run) and OUT/table.md.
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH/.." && pwd)

RATES=1gbit,100mbit
MODELS=p1,10m
CONFIGS=d5,d50n,c5,c5b,c50n
REPS=1
WORKERS=2
ROUNDS=5
MNIST=/work/shared/data/mnist
OUT="$BENCH/results/netem-$(date +%Y%m%d-%H%M%S)"
RUN_TIMEOUT_S=900
LINKS_ONLY=0
usage() { sed -n '21,23p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --links-only) LINKS_ONLY=1; shift ;;
    --smoke) RATES=100mbit; MODELS=p1; CONFIGS=c5; ROUNDS=3; RUN_TIMEOUT_S=300; shift ;;
    --rates|--models|--configs|--reps|--workers|--mnist|--out|--rounds)
      [ $# -ge 2 ] || { echo "run-netem: $1 needs a value" >&2; usage; }
      case "$1" in
        --rates) RATES=$2 ;; --models) MODELS=$2 ;; --configs) CONFIGS=$2 ;; --reps) REPS=$2 ;;
        --workers) WORKERS=$2 ;; --mnist) MNIST=$2 ;; --out) OUT=$2 ;; --rounds) ROUNDS=$2 ;;
      esac
      shift 2 ;;
    *) echo "run-netem: unknown option $1" >&2; usage ;;
  esac
done
[[ "$REPS" =~ ^[1-9][0-9]?$ ]] || { echo "run-netem: --reps $REPS: allowed 1-99" >&2; exit 2; }
[[ "$WORKERS" =~ ^[1-9]$ ]] || { echo "run-netem: --workers $WORKERS: allowed 1-9" >&2; exit 2; }
[[ "$ROUNDS" =~ ^[2-9][0-9]?$ ]] || { echo "run-netem: --rounds $ROUNDS: allowed 2-99" >&2; exit 2; }
for r in ${RATES//,/ }; do
  [[ "$r" =~ ^[1-9][0-9]*(kbit|mbit|gbit)$ ]] \
    || { echo "run-netem: --rates: '$r' is not a rate; allowed e.g. 1gbit, 100mbit, 500kbit" >&2; exit 2; }
done
for c in ${CONFIGS//,/ }; do
  [[ "$c" =~ ^[dc][1-9][0-9]*b?n?$ ]] \
    || { echo "run-netem: --configs: '$c' is not a configuration; allowed d|c, then H, then b (bfloat16) and/or n (outer), e.g. c50n" >&2; exit 2; }
done
for m in ${MODELS//,/ }; do
  case "$m" in p1|10m) ;; *) echo "run-netem: --models: '$m'; allowed p1, 10m" >&2; exit 2 ;; esac
done

[ "$(id -u)" = 0 ] || { echo "run-netem: needs root for ip netns and tc" >&2; exit 2; }
for tool in ip tc jq awk gzip; do
  command -v "$tool" >/dev/null || { echo "run-netem: $tool not found" >&2; exit 2; }
done
DIST="$ROOT/spark-dist/target/spark-dist"
# The application jar of the line spark-dist was built for (Scala 2.12: Spark 3.5; else Spark 4,
# the default); the results in RESULTS.md were measured on the 3.5 line.
case "$(ls "$DIST"/jars/spark-core_2.1*.jar 2>/dev/null | head -1)" in
  *spark-core_2.12-*) JAR="$ROOT/app/target/sparktrain-app-spark3.5.jar"; SCALA=2.12 ;;
  *) JAR="$ROOT/app/target/sparktrain-app-spark4.jar"; SCALA=2.13 ;;
esac
if [ "$LINKS_ONLY" = 0 ] && { [ ! -f "$JAR" ] || [ ! -d "$DIST/jars" ]; }; then
  echo "run-netem: $JAR or $DIST/jars missing; build them with:" \
    "mvn -B -DskipTests package -pl app,spark-dist -am" >&2
  exit 2
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
major=$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
[ "$major" = 17 ] || { echo "run-netem: Java $major found; Spark 3.5 needs Java 17 (set JAVA_HOME)" >&2; exit 2; }
JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
WORK=$(mktemp -d /tmp/netem.XXXXXX)

# --- the network -------------------------------------------------------------------------------
# Names carry this process's id, so two runs never share (or delete) each other's namespaces.
TAG="stn$$"
NS_SW="$TAG-sw"
NS_M="$TAG-m"
SUBNET=10.213.0
IP_M="$SUBNET.1"
NODES=("$NS_M")
for i in $(seq 1 "$WORKERS"); do NODES+=("$TAG-w$i"); done
ip_of() { if [ "$1" = 0 ]; then echo "$IP_M"; else echo "$SUBNET.$((10 + $1))"; fi; }
PIDS=()

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for ns in "${NODES[@]}" "$NS_SW"; do
    # Every process left in a namespace (executors the Workers started) goes with it.
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf "$WORK"
  echo "run-netem: namespaces removed; results in $OUT" >&2
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

setup_network() {
  ip netns add "$NS_SW"
  ip -n "$NS_SW" link add br0 type bridge
  ip -n "$NS_SW" link set br0 up
  local i=0 ns
  for ns in "${NODES[@]}"; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    # eth0 in the node, p$i on the bridge: one cable, shaped at both ends.
    ip -n "$ns" link add eth0 type veth peer name "p$i" netns "$NS_SW"
    ip -n "$ns" addr add "$(ip_of $i)/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$NS_SW" link set "p$i" master br0
    ip -n "$NS_SW" link set "p$i" up
    i=$((i + 1))
  done
}

# set_rate RATE|none: a token bucket on both ends of every cable, i.e. each node's NIC sends at
# RATE and receives at RATE. Burst: 2 ms at the rate, at least 64 KB (one GSO segment).
set_rate() {
  local rate=$1 i=0 ns burst
  for ns in "${NODES[@]}"; do
    if [ "$rate" = none ]; then
      tc -n "$ns" qdisc del dev eth0 root 2>/dev/null || true
      tc -n "$NS_SW" qdisc del dev "p$i" root 2>/dev/null || true
    else
      burst=$(( $(bits_per_s "$rate") / 8 / 500 ))
      [ "$burst" -ge 65536 ] || burst=65536
      tc -n "$ns" qdisc replace dev eth0 root tbf rate "$rate" burst "$burst" latency 50ms
      tc -n "$NS_SW" qdisc replace dev "p$i" root tbf rate "$rate" burst "$burst" latency 50ms
    fi
    i=$((i + 1))
  done
}

bits_per_s() {
  local n=${1%[kmg]bit}
  case "$1" in
    *kbit) echo $((n * 1000)) ;; *mbit) echo $((n * 1000000)) ;; *gbit) echo $((n * 1000000000)) ;;
  esac
}

# --- the Spark cluster -------------------------------------------------------------------------
SPARK_ENV=(SPARK_HOME="$DIST" SPARK_SCALA_VERSION=$SCALA SPARK_CONF_DIR="$WORK/conf"
  JAVA_HOME="$JAVA_HOME" OMP_NUM_THREADS=1)

# in_ns NS IP CMD...: runs CMD in namespace NS with Spark bound to IP.
in_ns() {
  local ns=$1 ip=$2
  shift 2
  ip netns exec "$ns" env "${SPARK_ENV[@]}" SPARK_LOCAL_IP="$ip" "$@"
}

start_cluster() {
  mkdir -p "$WORK/conf" "$OUT/logs"
  in_ns "$NS_M" "$IP_M" "$JAVA" -Xmx512m -cp "$DIST/jars/*" org.apache.spark.deploy.master.Master \
    --host "$IP_M" --port 7077 --webui-port 8080 > "$OUT/logs/master.log" 2>&1 &
  PIDS+=($!)
  await "the Master" "http://$IP_M:8080/json/" '.status == "ALIVE"'
  local i
  for i in $(seq 1 "$WORKERS"); do
    in_ns "$TAG-w$i" "$(ip_of "$i")" "$JAVA" -Xmx512m -cp "$DIST/jars/*" \
      org.apache.spark.deploy.worker.Worker --host "$(ip_of "$i")" --cores 1 --memory 3g \
      --webui-port 8081 --work-dir "$OUT/logs/worker$i" "spark://$IP_M:7077" \
      > "$OUT/logs/worker$i.log" 2>&1 &
    PIDS+=($!)
  done
  await "$WORKERS Workers" "http://$IP_M:8080/json/" ".aliveworkers == $WORKERS"
}

# await WHAT URL JQ: polls the Master's JSON (from inside its namespace) until JQ holds.
await() {
  local deadline=$((SECONDS + 120))
  while [ $SECONDS -lt $deadline ]; do
    if ip netns exec "$NS_M" curl -sf "$2" 2>/dev/null | jq -e "$3" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "run-netem: no $1 within 120 s; logs in $OUT/logs" >&2
  return 1
}

# --- data and specs ----------------------------------------------------------------------------
# cut_idx SRC.gz DST COUNT HEADER_BYTES ITEM_BYTES: the first COUNT items of an IDX file, with the
# count in its header rewritten (big-endian, bytes 4-7).
cut_idx() {
  local src=$1 dst=$2 count=$3 header=$4 item=$5
  {
    gzip -dc "$src" | head -c 4
    printf "\\x$(printf %02x $((count >> 24 & 255)))\\x$(printf %02x $((count >> 16 & 255)))"
    printf "\\x$(printf %02x $((count >> 8 & 255)))\\x$(printf %02x $((count & 255)))"
    gzip -dc "$src" | head -c $((header + count * item)) | tail -c +9
  } > "$dst"
}

# rows_for MODEL H: a training set of exactly ROUNDS rounds of WORKERS x batch x H examples.
batch_of() { if [ "$1" = p1 ]; then echo 32; else echo 16; fi; }
rows_for() { echo $((ROUNDS * WORKERS * $(batch_of "$1") * $2)); }

data_yaml() {
  local model=$1 rows=$2 dir="$WORK/data/$1-$2"
  if [ ! -d "$dir" ]; then
    mkdir -p "$dir"
    if [ "$model" = p1 ]; then
      cut_idx "$MNIST/train-images-idx3-ubyte.gz" "$dir/images" "$rows" 16 784
      cut_idx "$MNIST/train-labels-idx1-ubyte.gz" "$dir/labels" "$rows" 8 1
    else
      # The digits set has 1,797 rows: repeat it as often as the cut needs.
      local copies=$(( rows / 1797 + 1 )) k
      for k in $(seq 1 "$copies"); do gzip -dc "$ROOT/examples/digits.csv.gz"; done \
        | head -n "$rows" > "$dir/digits.csv"
    fi
  fi
  if [ "$model" = p1 ]; then
    echo "{format: idx, uri: '$dir/images', labelsUri: '$dir/labels', numClasses: 10, split: {train: 1.0, validation: 0, test: 0}}"
  else
    echo "{uri: '$dir/digits.csv', numClasses: 10, split: {train: 1.0, validation: 0, test: 0}}"
  fi
}

# spec MODEL CONFIG RUNDIR: the job spec of one run.
spec() {
  local model=$1 config=$2 run=$3 h sync precision=float32 outer='{name: none}' hidden
  h=$(echo "$config" | sed 's/^[dc]\([0-9]*\).*/\1/')
  case "$config" in d*) sync=driver ;; *) sync=collective ;; esac
  case "$config" in *b*) precision=bfloat16 ;; esac
  case "$config" in *n) outer='{name: nesterov, learningRate: 0.7, momentum: 0.9}' ;; esac
  if [ "$model" = p1 ]; then hidden='[256, 256]'; else hidden='[3150, 3150]'; fi
  cat <<EOF
data: $(data_yaml "$model" "$(rows_for "$model" "$h")")
preprocess: {normalize: scale}
model: {name: mlp, hidden: $hidden}
train: {epochs: 1, batchSize: $(batch_of "$model"), workers: $WORKERS, averagingFrequency: $h,
        sync: $sync, syncPrecision: $precision, outer: $outer,
        optimizer: {name: adam, learningRate: 0.001}, threadsPerWorker: 1}
checkpoint: {everyEpoch: false}
output: {dir: '$run'}
EOF
}

# run_one REP RATE MODEL CONFIG: one spark-submit; appends a row to rounds.tsv: the median
# synchronization ms and bytes per round over the rounds after the stretch's first.
run_one() {
  local rep=$1 rate=$2 model=$3 config=$4 name="$1-$2-$3-$4" heap=1g
  local run="$WORK/runs/$name"
  mkdir -p "$WORK/runs"
  spec "$model" "$config" "$run" > "$WORK/runs/$name.yaml"
  [ "$model" = 10m ] && heap=3g
  echo "run-netem: rep $rep, $rate, $model, $config" >&2
  local start=$SECONDS rc=0
  # minRegisteredResourcesRatio=1: the job starts once every executor has registered, so a
  # driver run's first round does not start on part of the cluster. (Without it a collective
  # run with 3 workers was once refused, 2 slots of 3; sparktrain now waits for them itself.)
  # local:// (the jar is on every node's disk here): executors do not fetch the 300 MB jar over
  # the shaped links, so each run's start does not depend on the rate.
  in_ns "$NS_M" "$IP_M" SPARKTRAIN_JAR="local://$JAR" SPARKTRAIN_SUBMIT_JAVA_OPTS="-Xmx$heap" \
    timeout "$RUN_TIMEOUT_S" bash "$ROOT/deploy/submit.sh" --master "spark://$IP_M:7077" \
    --deploy-mode client --conf spark.driver.host="$IP_M" --conf spark.driver.bindAddress="$IP_M" \
    --conf spark.executor.memory=2g --conf spark.executor.cores=1 --conf spark.cores.max="$WORKERS" \
    --conf spark.ui.enabled=false --conf spark.driver.maxResultSize=2g \
    --conf spark.scheduler.minRegisteredResourcesRatio=1.0 \
    train "$WORK/runs/$name.yaml" > "$OUT/logs/$name.log" 2>&1 &
  # Waited for in the background, so an interrupt reaches the cleanup at once, not after the run.
  wait $! || rc=$?
  if [ "$rc" != 0 ] || [ ! -s "$run/metrics.jsonl" ]; then
    echo "run-netem: $name failed (exit $rc); see $OUT/logs/$name.log" >&2
    printf '%s\t%s\t%s\t%s\tfailed\t\t\t%s\n' "$rep" "$rate" "$model" "$config" \
      $((SECONDS - start)) >> "$OUT/rounds.tsv"
    return 0
  fi
  cp "$run/metrics.jsonl" "$OUT/logs/$name.metrics.jsonl"
  # Rounds after the first of the epoch (one epoch is one stretch here): median sync ms and bytes.
  jq -s -r --arg rep "$rep" --arg rate "$rate" --arg model "$model" --arg config "$config" \
    --arg secs $((SECONDS - start)) '
      def median: sort | if length % 2 == 1 then .[length / 2 | floor]
        else (.[length / 2 - 1] + .[length / 2]) / 2 end;
      [.[] | select(.round > 0)] as $r
      | [$rep, $rate, $model, $config, ($r | map(.syncMs) | median),
         ($r | map(.bytesMoved) | median), ($r | length), $secs] | @tsv' \
    "$run/metrics.jsonl" >> "$OUT/rounds.tsv"
  rm -rf "$run"
}

# --- the table ---------------------------------------------------------------------------------
# Median over repetitions per (rate, model, config); the prediction adds the bytes on the
# bottleneck NIC at the rate to the same configuration's unshaped median.
table() {
  awk -F'\t' -v workers="$WORKERS" '
    function bps(r,  n) { n = r; sub(/[kmg]bit$/, "", n)
      return n * (r ~ /kbit$/ ? 1e3 : r ~ /mbit$/ ? 1e6 : 1e9) / 8 }
    function median(list,  a, n, i, j, t) { n = split(list, a, " ")
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    NR == 1 { next }
    $5 == "failed" { failed[$2 SUBSEP $3 SUBSEP $4]++; next }
    { k = $2 SUBSEP $3 SUBSEP $4; ms[k] = ms[k] " " $5; bytes[k] = $6; n[k]++; rounds[k] += $7
      if (!(k in seen)) { seen[k] = 1; order[++count] = k } }
    END {
      print "| rate | model | config | sync ms/round (median) | runs x rounds | bytes/round | on the busiest NIC | predicted ms | error |"
      print "|---|---|---|---:|---:|---:|---:|---:|---:|"
      for (i = 1; i <= count; i++) {
        split(order[i], p, SUBSEP); k = order[i]; m = median(ms[k])
        nic = p[3] ~ /^d/ ? bytes[k] : bytes[k] / workers
        base = "none" SUBSEP p[2] SUBSEP p[3]
        if (p[1] == "none") { pred = "-"; err = "-" }
        else if (!(base in ms)) { pred = "(no unshaped run)"; err = "-" }
        else { b = median(ms[base]); pr = b + nic / bps(p[1]) * 1000
          pred = sprintf("%.0f", pr); err = sprintf("%+.0f%%", (m - pr) / pr * 100) }
        printf "| %s | %s | %s | %.1f | %d x %d | %d | %d | %s | %s |\n", p[1], p[2], p[3], m,
          n[k], rounds[k] / n[k], bytes[k], nic, pred, err
      }
      for (k in failed) { split(k, p, SUBSEP); printf "| %s | %s | %s | failed x %d | | | | | |\n", p[1], p[2], p[3], failed[k] }
    }' "$OUT/rounds.tsv"
}

# --- a link check ------------------------------------------------------------------------------
# link_check RATE: what one cable really carries: worker 1 sends 2 s worth of bytes at RATE (1 s
# unshaped: 256 MB) over TCP to the Master's namespace; prints Mbit/s as received. Needs python3;
# skipped without it.
link_check() {
  command -v python3 >/dev/null || { echo "n/a"; return 0; }
  local bytes=268435456
  [ "$1" = none ] || bytes=$(( $(bits_per_s "$1") / 8 * 2 ))
  ip netns exec "$NS_M" timeout 60 python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 5001)); s.listen(1); c, _ = s.accept(); n = 0; t = None
while True:
    d = c.recv(1 << 20)
    if not d: break
    t = t or time.time(); n += len(d)
print("%.0f" % (n * 8 / (time.time() - t) / 1e6))' "$IP_M" > "$WORK/link" &
  local sink=$!
  sleep 1
  ip netns exec "$TAG-w1" timeout 60 python3 -c '
import socket, sys
s = socket.create_connection((sys.argv[1], 5001)); left = int(sys.argv[2]); chunk = bytes(1 << 20)
while left > 0:
    s.sendall(chunk[:min(left, len(chunk))]); left -= len(chunk)
s.close()' "$IP_M" "$bytes" || true
  wait "$sink" || true
  cat "$WORK/link"
}

# --- main --------------------------------------------------------------------------------------
echo "run-netem: rates none,$RATES; models $MODELS; configs $CONFIGS; $REPS repetition(s);" \
  "$WORKERS workers; $ROUNDS rounds per run; load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
printf 'rep\trate\tmodel\tconfig\tsync_ms_median\tbytes_per_round\trounds\tseconds\n' > "$OUT/rounds.tsv"
setup_network
set_rate none
if [ "$LINKS_ONLY" = 1 ]; then
  for rate in none ${RATES//,/ }; do
    set_rate "$rate"
    echo "link $rate: $(link_check "$rate") Mbit/s measured" | tee -a "$OUT/links.txt"
  done
  exit 0
fi
start_cluster
for rep in $(seq 1 "$REPS"); do
  # Interleaved: every repetition runs each rate, model and configuration once.
  for rate in none ${RATES//,/ }; do
    set_rate "$rate"
    [ "$rep" != 1 ] || echo "link $rate: $(link_check "$rate") Mbit/s measured" >> "$OUT/links.txt"
    for model in ${MODELS//,/ }; do
      for config in ${CONFIGS//,/ }; do
        run_one "$rep" "$rate" "$model" "$config"
      done
    done
  done
done
set_rate none
{
  echo "run-netem $(date -u +%Y-%m-%dT%H:%MZ): $WORKERS workers, rates $RATES (tbf, both directions), $REPS repetition(s), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
  echo
  cat "$OUT/links.txt"
  echo
  table
} | tee "$OUT/table.md"
