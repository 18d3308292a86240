"""Reference values for Mixscope's categorical mixture family (latent class analysis), by an independent numpy EM.

Draws a seeded survey of 400 answers to 5 questions (3 latent classes; 2-4 answers per question; about 3 % of the
cells missing) and writes it to test/fixtures/survey.csv (text answers, empty = missing). Each column's categories are
coded in sorted order. From a fixed hard start (row i in class i mod 3), runs EM with missing cells dropped from each
row's product (their exact marginal), maximum likelihood with the probabilities floored at 1e-10 and renormalised, and
records the per-iteration observed-data log-likelihood and the weights and probabilities of the last one.

Run from the repository root:  /usr/bin/python3 test/reference/make_numpy_categorical_reference.py
Writes test/fixtures/survey.csv and test/reference/numpy_categorical.json.
"""
import csv
import json

import numpy as np

rng = np.random.default_rng(20261202)
answers = [["no", "yes"], ["daily", "monthly", "never", "weekly"], ["city", "town", "village"], ["no", "yes"], ["bus", "car", "cycle", "walk"]]
true_weights = np.array([0.45, 0.35, 0.20])
true_probs = [
    [[0.9, 0.1], [0.1, 0.2, 0.1, 0.6], [0.7, 0.2, 0.1], [0.8, 0.2], [0.5, 0.1, 0.3, 0.1]],
    [[0.2, 0.8], [0.6, 0.1, 0.05, 0.25], [0.2, 0.5, 0.3], [0.3, 0.7], [0.1, 0.7, 0.1, 0.1]],
    [[0.5, 0.5], [0.05, 0.15, 0.7, 0.1], [0.1, 0.2, 0.7], [0.1, 0.9], [0.05, 0.15, 0.2, 0.6]],
]
n, d, K = 400, len(answers), 3
cls = rng.choice(K, size=n, p=true_weights)
codes = np.empty((n, d), dtype=int)
for i in range(n):
    for j in range(d):
        codes[i, j] = rng.choice(len(answers[j]), p=true_probs[cls[i]][j])
codes[rng.random((n, d)) < 0.03] = -1

columns = ["smoker", "exercise", "lives_in", "owns_pet", "commute"]
with open("test/fixtures/survey.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(columns)
    for i in range(n):
        w.writerow(["" if codes[i, j] < 0 else answers[j][codes[i, j]] for j in range(d)])

FLOOR = 1e-10


def m_step(resp):
    weights = resp.sum(axis=0) / n
    probs = []
    for j in range(d):
        L = len(answers[j])
        obs = codes[:, j] >= 0
        onehot = np.zeros((n, L))
        onehot[np.arange(n)[obs], codes[obs, j]] = 1.0
        counts = resp.T @ onehot  # K x L
        p = counts / counts.sum(axis=1, keepdims=True)
        p = np.maximum(p, FLOOR)
        probs.append(p / p.sum(axis=1, keepdims=True))
    return weights, probs


def log_prob(weights, probs):
    out = np.tile(np.log(weights), (n, 1))
    for j in range(d):
        obs = codes[:, j] >= 0
        out[obs] += np.log(probs[j][:, codes[obs, j]]).T
    return out


start = np.arange(n) % K
resp = np.zeros((n, K))
resp[np.arange(n), start] = 1.0
weights, probs = m_step(resp)
trace = []
for it in range(200):
    final_weights, final_probs = weights, probs  # the parameters of trace[-1]
    lp = log_prob(weights, probs)
    top = lp.max(axis=1, keepdims=True)
    row = top[:, 0] + np.log(np.exp(lp - top).sum(axis=1))
    trace.append(float(row.sum()))
    resp = np.exp(lp - row[:, None])
    weights, probs = m_step(resp)

with open("test/reference/numpy_categorical.json", "w") as f:
    json.dump({
        "generator": "test/reference/make_numpy_categorical_reference.py",
        "numpy": np.__version__,
        "file": "test/fixtures/survey.csv",
        "k": K,
        "columns": columns,
        "levels": [sorted(a) for a in answers],
        "start": start.tolist(),
        "trace": trace,
        "weights": final_weights.tolist(),
        "probabilities": [[final_probs[j][k].tolist() for j in range(d)] for k in range(K)],
        "parameters": K - 1 + K * sum(len(a) - 1 for a in answers),
    }, f, indent=1)
print("log-likelihood", trace[0], "->", trace[-1], "missing cells", int((codes < 0).sum()))
