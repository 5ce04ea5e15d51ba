#!/usr/bin/env python3
"""The spine benchmark's P1 loop in PyTorch on the CPU: the third anchor row (issue 29).

The same workload as SingleJvmRunner (system a): MNIST from the IDX files, pixels / 255, MLP
784-256-256-10 ReLU, softmax cross-entropy, Adam 1e-3 (beta1 0.9, beta2 0.999, eps 1e-8), minibatches
of 32 in a seeded shuffle per epoch; warm-up epochs untimed, each timed epoch on the wall clock
(minibatch assembly included), then test accuracy on the 10k test set. One JSON line on stdout,
in SingleJvmRunner's fields, so SpineBenchmark reads it like a JVM child; logs on stderr.

Differences that remain, on purpose: PyTorch's default initialization (Kaiming-uniform) instead
of DL4J's Xavier, and torch's own shuffle (the permutation differs, not its kind). Neither
changes the cost of an example.

    python3 benchmarks/pytorch-p1.py --mnist DIR [--limit N] [--warmup-epochs 1]
        [--timed-epochs 3] [--batch 32] [--seed 42] [--threads 1] [--show-config]

Needs torch (Debian: python3-torch; benchmarks/run-spine.sh --install-torch installs it).
"""
import argparse
import gzip
import json
import os
import struct
import sys
import time

import torch
from torch import nn


def log(msg):
    print("[pytorch] " + msg, file=sys.stderr, flush=True)


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic = struct.unpack(">I", data[:4])[0]
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    tensor = torch.frombuffer(bytearray(data[4 + 4 * dims:]), dtype=torch.uint8)
    return tensor.reshape(shape)


def find(mnist, stem):
    for name in (stem, stem + ".gz"):
        path = os.path.join(mnist, name)
        if os.path.isfile(path):
            return path
    sys.exit(f"pytorch-p1: {stem}[.gz] not found in {mnist}")


def load(mnist, images, labels, limit):
    x = read_idx(find(mnist, images)).reshape(-1, 784).float() / 255.0
    y = read_idx(find(mnist, labels)).long()
    if limit > 0:
        x, y = x[:limit], y[:limit]
    return x.contiguous(), y


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mnist", required=True)
    p.add_argument("--limit", type=int, default=0)
    p.add_argument("--warmup-epochs", type=int, default=1)
    p.add_argument("--timed-epochs", type=int, default=3)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--show-config", action="store_true",
                   help="print torch.__config__.show() (the build) on stderr")
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    if a.show_config:
        log("torch " + torch.__version__ + "\n" + torch.__config__.show())
    train_x, train_y = load(a.mnist, "train-images-idx3-ubyte", "train-labels-idx1-ubyte", a.limit)
    test_x, test_y = load(a.mnist, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 0)
    n = train_x.shape[0]
    log(f"train examples {n}, test examples {test_x.shape[0]}, threads {torch.get_num_threads()}")

    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                          nn.Linear(256, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(a.seed)

    epoch_seconds = []
    cpu0 = wall0 = None
    for e in range(a.warmup_epochs + a.timed_epochs):
        if e == a.warmup_epochs:
            cpu0, wall0 = time.process_time(), time.perf_counter()
        t0 = time.perf_counter()
        order = torch.randperm(n, generator=gen)
        model.train()
        for start in range(0, n, a.batch):
            idx = order[start:start + a.batch]
            xb, yb = train_x.index_select(0, idx), train_y.index_select(0, idx)
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
        s = time.perf_counter() - t0
        if e >= a.warmup_epochs:
            epoch_seconds.append(s)
        kind = "warm-up" if e < a.warmup_epochs else "timed"
        log(f"{kind} epoch {e + 1}: {s:.2f} s ({n / s:.0f} ex/s), loss {loss.item():.4f}")
    timed_wall = time.perf_counter() - wall0
    cpu_cores = (time.process_time() - cpu0) / timed_wall

    model.eval()
    with torch.no_grad():
        correct = sum(int((model(test_x[i:i + 1000]).argmax(1) == test_y[i:i + 1000]).sum())
                      for i in range(0, test_x.shape[0], 1000))
    rates = sorted(n / s for s in epoch_seconds)
    print(json.dumps({
        "system": "pytorch",
        "torchVersion": torch.__version__,
        "batch": a.batch,
        "trainExamples": n,
        "testExamples": int(test_x.shape[0]),
        "warmupEpochs": a.warmup_epochs,
        "timedEpochs": a.timed_epochs,
        "epochSeconds": [round(s, 3) for s in epoch_seconds],
        "examplesPerSec": round(n * len(epoch_seconds) / sum(epoch_seconds), 1),
        "medianEpochExamplesPerSec": round(rates[len(rates) // 2], 1),
        "testAccuracy": round(correct / test_x.shape[0], 4),
        "cpuCoresTimed": round(cpu_cores, 2),
        "torchThreads": torch.get_num_threads(),
    }), flush=True)


if __name__ == "__main__":
    main()
