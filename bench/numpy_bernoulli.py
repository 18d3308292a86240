#!/usr/bin/python3
"""The vectorised numpy Bernoulli mixture the benchmark compares Mixscope with (Debian's python3-numpy, OpenBLAS).

Same data (IDX images, pixels / 255 > threshold), same start (weights and means from --start, as Mixscope's CLI
started), same iteration as src/engine/em.ts: E-step on theta_t, then M-step; the last E-step evaluates theta_T.

  E-step:  L = X @ (log mu - log(1 - mu)).T + sum_j log(1 - mu) + log pi;  log-sum-exp per row
  M-step:  R = exp(L - lse), Nk = R.sum(0), S = R.T @ X,  mu = (S + a - 1) / (Nk + a + b - 2),  pi = Nk / n

--dtype float64 keeps X as doubles (what `(x > 0.5).astype(float)` gives, 376 MB for MNIST train); float32 halves the
memory traffic of both matrix products (X as float32, the parameters cast down for X @ W, R cast down for R.T @ X).
Prints one JSON object: per-iteration seconds (E + M), the objective and log-likelihood traces, peak RSS.
"""
import argparse
import json
import math
import resource
import sys
import time

import numpy as np


def load_idx_images(path):
    with open(path, 'rb') as f:
        raw = f.read()
    magic, n, rows, cols = np.frombuffer(raw[:16], dtype='>u4')
    if magic != 0x803:
        sys.exit(f'{path}: not an IDX images file (magic {magic:#x})')
    return np.frombuffer(raw[16:16 + n * rows * cols], dtype=np.uint8).reshape(int(n), int(rows * cols))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--images', required=True)
    ap.add_argument('--start', required=True, help='JSON {"weights": [...], "means": [[...]]}')
    ap.add_argument('--iterations', type=int, default=30)
    ap.add_argument('--threshold', type=float, default=0.5)
    ap.add_argument('--beta', type=float, nargs=2, default=[2.0, 2.0])
    ap.add_argument('--dtype', choices=['float64', 'float32'], default='float64')
    args = ap.parse_args()

    t_load = time.perf_counter()
    pixels = load_idx_images(args.images)
    dtype = np.float64 if args.dtype == 'float64' else np.float32
    # Binarised in slices of 10,000 rows so that the float64 temporary of `pixels / 255.0` does not dominate the peak.
    X = np.empty(pixels.shape, dtype=dtype)
    for r in range(0, pixels.shape[0], 10000):
        X[r:r + 10000] = pixels[r:r + 10000] / 255.0 > args.threshold
    del pixels
    n = X.shape[0]
    with open(args.start) as f:
        start = json.load(f)
    weights = np.asarray(start['weights'], dtype=np.float64)
    means = np.asarray(start['means'], dtype=np.float64)
    a, b = args.beta
    ln_beta = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    load_seconds = time.perf_counter() - t_load

    trace, ll_trace, seconds = [], [], []
    for it in range(args.iterations + 1):
        t0 = time.perf_counter()
        log_mu = np.log(means)
        log_1m = np.log1p(-means)
        W = (log_mu - log_1m).T.astype(dtype)
        with np.errstate(divide='ignore'):
            L = X @ W + (log_1m.sum(axis=1) + np.log(weights))
        m = L.max(axis=1, keepdims=True)
        lse = m[:, 0] + np.log(np.exp(L - m).sum(axis=1))
        ll = float(lse.sum())
        prior = float(((a - 1) * log_mu + (b - 1) * log_1m).sum() - means.size * ln_beta) if (a, b) != (1.0, 1.0) else 0.0
        trace.append(ll + prior)
        ll_trace.append(ll)
        if it == args.iterations:
            break
        R = np.exp(L - lse[:, None])
        Nk = R.sum(axis=0)
        S = R.T.astype(dtype) @ X
        means = np.clip((S + (a - 1)) / (Nk + a + b - 2)[:, None], 1e-10, 1 - 1e-10)
        weights = Nk / n
        seconds.append(time.perf_counter() - t0)

    print(json.dumps({
        'implementation': f'numpy {np.__version__} ({args.dtype})',
        'n': n,
        'd': X.shape[1],
        'k': len(weights),
        'onPixels': int(X.sum(dtype=np.float64)),
        'loadSeconds': load_seconds,
        'iterationSeconds': seconds,
        'trace': trace,
        'logLikelihoodTrace': ll_trace,
        'maxRssMb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == '__main__':
    main()
