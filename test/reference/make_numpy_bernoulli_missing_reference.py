"""Reference values for Mixscope's Bernoulli family with missing cells, by an independent numpy EM.

Draws a seeded table of 240 rows of 12 binary answers from 3 latent profiles, blanks about 8 % of the cells ("NA";
every row keeps an observed cell) and writes it to test/fixtures/binary-missing.csv. A missing cell drops out of its
row's product, its exact marginal: ln p(x_i | k) = sum over observed j of x_ij ln mu_kj + (1 - x_ij) ln(1 - mu_kj).
M-step, MAP under Mixscope's default Beta(2, 2) prior: mu_kj = (sum_i r_ik x_ij [j observed] + 1) /
(sum_i r_ik [j observed] + 2), pi_k = N_k / n. From a fixed hard start (row i in cluster i mod 3), records the
per-iteration observed-data log-likelihood (without the prior) and the final parameters.

Run from the repository root:  /usr/bin/python3 test/reference/make_numpy_bernoulli_missing_reference.py
Writes test/fixtures/binary-missing.csv and test/reference/numpy_bernoulli_missing.json.
"""
import json

import numpy as np

rng = np.random.default_rng(20261206)
n, d, K = 240, 12, 3
profiles = np.array([
    [0.9, 0.8, 0.9, 0.7, 0.2, 0.1, 0.3, 0.2, 0.6, 0.5, 0.1, 0.9],
    [0.1, 0.3, 0.2, 0.2, 0.8, 0.9, 0.7, 0.9, 0.4, 0.5, 0.2, 0.8],
    [0.5, 0.5, 0.1, 0.9, 0.5, 0.5, 0.9, 0.1, 0.9, 0.1, 0.8, 0.2],
])
cls = rng.choice(K, size=n, p=[0.45, 0.35, 0.2])
X = (rng.random((n, d)) < profiles[cls]).astype(float)
observed = rng.random((n, d)) >= 0.08
observed[~observed.any(axis=1), 0] = True
with open("test/fixtures/binary-missing.csv", "w") as f:
    f.write(",".join(f"q{j + 1}" for j in range(d)) + "\n")
    for i in range(n):
        f.write(",".join(str(int(X[i, j])) if observed[i, j] else "NA" for j in range(d)) + "\n")

A, B = 2.0, 2.0
O = observed.astype(float)
XO = np.where(observed, X, 0.0)


def m_step(resp):
    nk = resp.sum(axis=0)
    mu = (resp.T @ XO + A - 1) / (resp.T @ O + A + B - 2)
    return nk / n, mu


def log_prob(weights, mu):
    return np.log(weights) + XO @ np.log(mu).T + (O - XO) @ np.log1p(-mu).T


start = np.arange(n) % K
resp = np.zeros((n, K))
resp[np.arange(n), start] = 1.0
params = m_step(resp)
trace = []
for it in range(30):
    final = params
    lp = log_prob(*params)
    top = lp.max(axis=1, keepdims=True)
    row = top[:, 0] + np.log(np.exp(lp - top).sum(axis=1))
    trace.append(float(row.sum()))
    resp = np.exp(lp - row[:, None])
    params = m_step(resp)
weights, mu = final
with open("test/reference/numpy_bernoulli_missing.json", "w") as f:
    json.dump({
        "generator": "test/reference/make_numpy_bernoulli_missing_reference.py",
        "numpy": np.__version__,
        "file": "test/fixtures/binary-missing.csv",
        "k": K,
        "betaPrior": [A, B],
        "missingCells": (~observed).sum(axis=0).tolist(),
        "start": start.tolist(),
        "trace": trace,
        "weights": weights.tolist(),
        "means": mu.tolist(),
    }, f, indent=1)
print("log-likelihood", trace[0], "->", trace[-1], "missing cells", int((~observed).sum()))
