#!/usr/bin/env bash
# Synchronization cost against the number of workers, driver vs collective (issue 10):
# the digits example with an MLP 64-H-H-10 on local[N], N workers.
#   benchmarks/run-scaling.sh [--workers 2,4,8] [--epochs 3] [--hidden 1024]
exec "$(dirname "${BASH_SOURCE[0]}")/bench-main.sh" org.sparktrain.bench.ScalingBenchmark "$@"
