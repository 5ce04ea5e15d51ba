#!/usr/bin/env bash
# Private MNIST (issue 25): no privacy against DP-SGD at target epsilons (delta 1e-5), same
# model and schedule; test accuracy, epsilon, noise, time and examples/s.
#   benchmarks/run-privacy.sh --mnist ../shared/data/mnist [--configs none,1,3,8] [--epochs 15]
#       [--batch 256] [--hidden 256] [--lr 0.001] [--clip 1.0] [--limit 0] [--workers 2]
exec "$(dirname "${BASH_SOURCE[0]}")/bench-main.sh" org.sparktrain.bench.PrivacyBenchmark "$@"
