#!/usr/bin/python3
"""Gaussian side of the benchmark: deterministic synthetic data, and sklearn.mixture.GaussianMixture on it.

  generate --n N --d D --k K --seed S --out PREFIX
      draws N points from a known K-component full-covariance mixture (numpy seed S) into PREFIX.npy (float64, C order)
      and a starting point PREFIX.start.json {"weights","means","covariances"} (true means shifted by a seeded
      offset, identity covariances, equal weights) that Mixscope's CLI (--init-params) and sklearn both start from.
  fit --data PREFIX.npy --start PREFIX.start.json --iterations T
      GaussianMixture(covariance_type='full', reg_covar=1e-6, tol=0, max_iter=T) from that start; sklearn's own
      per-iteration "time lapse" (verbose=2, verbose_interval=1) gives the per-iteration seconds.
Prints one JSON object.
"""
import argparse
import contextlib
import io
import json
import re
import resource
import time
import warnings

import numpy as np


def generate(args):
    rng = np.random.default_rng(args.seed)
    n, d, k = args.n, args.d, args.k
    spread = 6.0 if d <= 3 else 3.0
    means = rng.normal(0.0, spread, (k, d))
    covariances = []
    for _ in range(k):
        a = rng.normal(0.0, 1.0, (d, d))
        covariances.append(a @ a.T / d + 0.5 * np.eye(d))
    weights = rng.dirichlet(np.full(k, 5.0))
    counts = rng.multinomial(n, weights)
    parts = [rng.multivariate_normal(means[c], covariances[c], counts[c]) for c in range(k)]
    X = np.concatenate(parts)[rng.permutation(n)]
    np.save(args.out + '.npy', np.ascontiguousarray(X, dtype=np.float64))
    start = {
        'weights': [1.0 / k] * k,
        'means': (means + rng.normal(0.0, 0.5, (k, d))).tolist(),
        'covariances': [np.eye(d).tolist() for _ in range(k)],
    }
    with open(args.out + '.start.json', 'w') as f:
        json.dump(start, f)
    print(json.dumps({'n': n, 'd': d, 'k': k, 'data': args.out + '.npy', 'start': args.out + '.start.json'}))


def fit(args):
    from sklearn import __version__ as sklearn_version
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.mixture import GaussianMixture

    X = np.load(args.data)
    with open(args.start) as f:
        start = json.load(f)
    weights = np.asarray(start['weights'])
    means = np.asarray(start['means'])
    precisions = np.array([np.linalg.inv(np.asarray(c)) for c in start['covariances']])
    gm = GaussianMixture(
        n_components=len(weights), covariance_type='full', reg_covar=1e-6, tol=0.0, max_iter=args.iterations,
        n_init=1, init_params='random', weights_init=weights, means_init=means, precisions_init=precisions,
        verbose=2, verbose_interval=1, random_state=0,
    )
    log = io.StringIO()
    t0 = time.perf_counter()
    with warnings.catch_warnings(), contextlib.redirect_stdout(log):
        warnings.simplefilter('ignore', ConvergenceWarning)
        gm.fit(X)
    total = time.perf_counter() - t0
    seconds = [float(s) for s in re.findall(r'time lapse ([0-9.eE+-]+)s', log.getvalue())]
    print(json.dumps({
        'implementation': f'sklearn {sklearn_version} GaussianMixture',
        'n': int(X.shape[0]),
        'd': int(X.shape[1]),
        'k': len(weights),
        'iterations': int(gm.n_iter_),
        'iterationSeconds': seconds,
        'fitSeconds': total,
        # lower_bound_ is the mean log-likelihood of the parameters before the last M-step: theta_(T-1).
        'logLikelihoodBeforeLastStep': float(gm.lower_bound_ * X.shape[0]),
        'logLikelihood': float(gm.score(X) * X.shape[0]),
        'maxRssMb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest='command', required=True)
    g = sub.add_parser('generate')
    g.add_argument('--n', type=int, required=True)
    g.add_argument('--d', type=int, required=True)
    g.add_argument('--k', type=int, required=True)
    g.add_argument('--seed', type=int, default=1)
    g.add_argument('--out', required=True)
    f = sub.add_parser('fit')
    f.add_argument('--data', required=True)
    f.add_argument('--start', required=True)
    f.add_argument('--iterations', type=int, default=30)
    args = ap.parse_args()
    generate(args) if args.command == 'generate' else fit(args)


if __name__ == '__main__':
    main()
