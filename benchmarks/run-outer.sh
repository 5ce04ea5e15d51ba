#!/usr/bin/env bash
# Synchronizing less often with an outer optimizer (issue 10, DiLoCo): H=5 plain averaging
# against larger H with train.outer: nesterov, and bfloat16 synchronization, same examples;
# quality, syncs and bytes.
#   benchmarks/run-outer.sh --mnist ../shared/data/mnist [--epochs 3] [--configs 5,5:b,50,50:n]
#       [--text ../shared/data/text/moby-dick.txt.gz --text-epochs 2 --text-configs 5,50,50:n]
#       [--outer-lr 0.7 --outer-momentum 0.9] [--workers 2]
exec "$(dirname "${BASH_SOURCE[0]}")/bench-main.sh" org.sparktrain.bench.OuterBenchmark "$@"
