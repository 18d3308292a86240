"""Reference values for Mixscope's mixed family (a Gaussian block and a categorical block, independent given the
cluster), by an independent numpy EM.

Draws a seeded table of 300 rows from 3 clusters: two continuous columns (Gaussian, full covariances) and two answers
in words (2 and 3 categories, about 4 % of the answers missing), and writes it to test/fixtures/mixed.csv. Each
categorical column's categories are coded in sorted order. From a fixed hard start (row i in cluster i mod 3), runs
EM for the covariance types "full" and "diag" (scikit-learn's M-step, reg_covar 1e-6) with the categorical block's
maximum-likelihood M-step (probabilities floored at 1e-10 and renormalised; missing answers dropped from each row's
product, their exact marginal), and records the per-iteration observed-data log-likelihood and the last parameters.

Rows with missing numeric cells: test/fixtures/mixed-missing.csv is the same table with about 10 % of the numeric
cells blanked (a few rows lose both; every row keeps an observed cell). The Gaussian block marginalises them
(Ghahramani & Jordan 1994): its E-step is each row's density of its observed numeric cells, its M-step completes each
row per component with the conditional mean of its missing cells and adds their conditional covariance to the
scatter; a missing answer still drops out of the categorical product. From explicit starting parameters (the M-step
of the hard start on the table with each missing cell at its column's observed mean), the per-iteration
log-likelihood and the last parameters for "full" and "diag" go under "missing".

Count columns (a Poisson block): test/fixtures/mixed-counts.csv is a second seeded table of 300 rows from 3 clusters
with two continuous columns, two count columns (independent Poisson per cluster) and the two answers. From the same
hard start, EM with any of the three blocks (a Gaussian block, "full" or "diag"; a Poisson block whose rates are
Σ_i r_ik x_ij / Σ_i r_ik, floored at 1e-12; the categorical block) records the per-iteration log-likelihood and the
last parameters, for all three blocks, the Poisson and categorical blocks alone, and the Gaussian and Poisson blocks
alone, under "counts". test/fixtures/mixed-counts-missing.csv blanks about 8 % of its count cells: a missing count
drops out of its row's Poisson product (its exact marginal) and each rate divides by the responsibility of the rows
that observe its column.

Run from the repository root:  /usr/bin/python3 test/reference/make_numpy_mixed_reference.py
Writes test/fixtures/mixed.csv, test/fixtures/mixed-missing.csv, test/fixtures/mixed-counts.csv,
test/fixtures/mixed-counts-missing.csv and test/reference/numpy_mixed.json.
"""
import csv
import json
import math

import numpy as np

rng = np.random.default_rng(20261203)
n, K = 300, 3
true_weights = np.array([0.4, 0.35, 0.25])
true_means = np.array([[0.0, 0.0], [3.0, 1.0], [0.5, 4.0]])
true_covs = np.array([[[1.0, 0.3], [0.3, 0.6]], [[0.5, -0.2], [-0.2, 0.8]], [[0.7, 0.0], [0.0, 0.4]]])
answers = [["no", "yes"], ["bike", "bus", "car"]]
true_probs = [
    [[0.8, 0.2], [0.6, 0.3, 0.1]],
    [[0.3, 0.7], [0.1, 0.2, 0.7]],
    [[0.5, 0.5], [0.2, 0.7, 0.1]],
]
cls = rng.choice(K, size=n, p=true_weights)
X = np.array([rng.multivariate_normal(true_means[c], true_covs[c]) for c in cls]).round(4)
m = len(answers)
codes = np.array([[rng.choice(len(answers[j]), p=true_probs[c][j]) for j in range(m)] for c in cls])
codes[rng.random((n, m)) < 0.04] = -1

columns = ["height", "score", "smoker", "commute"]
with open("test/fixtures/mixed.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(columns)
    for i in range(n):
        w.writerow([f"{X[i, 0]:.4f}", f"{X[i, 1]:.4f}"] + ["" if codes[i, j] < 0 else answers[j][codes[i, j]] for j in range(m)])
X = np.array([[float(f"{v:.4f}") for v in row] for row in X])

REG = 1e-6
FLOOR = 1e-10
d = X.shape[1]


def m_step(resp, cov_type):
    nk = resp.sum(axis=0)
    weights = nk / n
    means = resp.T @ X / nk[:, None]
    if cov_type == "full":
        covs = np.empty((K, d, d))
        for k in range(K):
            diff = X - means[k]
            covs[k] = (resp[:, k] * diff.T) @ diff / nk[k] + REG * np.eye(d)
    else:
        covs = np.array([np.diag((resp[:, k] @ (X - means[k]) ** 2) / nk[k] + REG) for k in range(K)])
    probs = []
    for j in range(m):
        L = len(answers[j])
        obs = codes[:, j] >= 0
        onehot = np.zeros((n, L))
        onehot[np.arange(n)[obs], codes[obs, j]] = 1.0
        counts = resp.T @ onehot
        p = np.maximum(counts / counts.sum(axis=1, keepdims=True), FLOOR)
        probs.append(p / p.sum(axis=1, keepdims=True))
    return weights, means, covs, probs


def log_prob(weights, means, covs, probs):
    out = np.empty((n, K))
    for k in range(K):
        diff = X - means[k]
        inv = np.linalg.inv(covs[k])
        _, logdet = np.linalg.slogdet(covs[k])
        out[:, k] = np.log(weights[k]) - 0.5 * (d * np.log(2 * np.pi) + logdet + np.einsum("ij,jk,ik->i", diff, inv, diff))
    for j in range(m):
        obs = codes[:, j] >= 0
        out[obs] += np.log(probs[j][:, codes[obs, j]]).T
    return out


start = np.arange(n) % K
runs = {}
for cov_type in ["full", "diag"]:
    resp = np.zeros((n, K))
    resp[np.arange(n), start] = 1.0
    params = m_step(resp, cov_type)
    trace = []
    for it in range(60):
        final = params  # the parameters of trace[-1]
        lp = log_prob(*params)
        top = lp.max(axis=1, keepdims=True)
        row = top[:, 0] + np.log(np.exp(lp - top).sum(axis=1))
        trace.append(float(row.sum()))
        resp = np.exp(lp - row[:, None])
        params = m_step(resp, cov_type)
    weights, means, covs, probs = final
    free = (K - 1) + K * d + K * (d * (d + 1) // 2 if cov_type == "full" else d) + K * sum(len(a) - 1 for a in answers)
    runs[cov_type] = {
        "trace": trace,
        "weights": weights.tolist(),
        "means": means.tolist(),
        "covariances": covs.tolist(),
        "probabilities": [[probs[j][k].tolist() for j in range(m)] for k in range(K)],
        "parameters": free,
    }
    print(cov_type, "log-likelihood", trace[0], "->", trace[-1])

# ---------------------------------------------------------------- missing numeric cells
gaps = np.random.default_rng(20261205).random((n, d)) < 0.10
gaps[(codes < 0).all(axis=1) & gaps.all(axis=1), 0] = False  # every row keeps an observed cell
XM = X.copy()
XM[gaps] = np.nan
with open("test/fixtures/mixed-missing.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(columns)
    for i in range(n):
        w.writerow(["" if gaps[i, 0] else f"{X[i, 0]:.4f}", "" if gaps[i, 1] else f"{X[i, 1]:.4f}"] + ["" if codes[i, j] < 0 else answers[j][codes[i, j]] for j in range(m)])


def m_step_missing(resp, cov_type, previous):
    """The M-step with each row completed per component under the previous parameters."""
    _, means0, covs0, _ = previous
    nk = resp.sum(axis=0)
    weights = nk / n
    means = np.zeros((K, d))
    covs = np.zeros((K, d, d))
    for k in range(K):
        completed = np.empty((n, d))
        extra = np.zeros((n, d, d))
        for i in range(n):
            o, mi = ~gaps[i], gaps[i]
            x = XM[i].copy()
            if mi.any():
                S = covs0[k]
                B = S[np.ix_(mi, o)] @ np.linalg.inv(S[np.ix_(o, o)]) if o.any() else np.zeros((mi.sum(), 0))
                x[mi] = means0[k][mi] + B @ (x[o] - means0[k][o])
                extra[i][np.ix_(mi, mi)] = S[np.ix_(mi, mi)] - B @ S[np.ix_(o, mi)]
            completed[i] = x
        means[k] = resp[:, k] @ completed / nk[k]
        diff = completed - means[k]
        scatter = (resp[:, k] * diff.T) @ diff + np.einsum("i,ijk->jk", resp[:, k], extra)
        covs[k] = scatter / nk[k] + REG * np.eye(d)
        if cov_type == "diag":
            covs[k] = np.diag(np.diag(covs[k]))
    probs = m_step(resp, cov_type)[3]
    return weights, means, covs, probs


def log_prob_missing(weights, means, covs, probs):
    out = np.empty((n, K))
    for i in range(n):
        o = ~gaps[i]
        for k in range(K):
            if o.any():
                S = covs[k][np.ix_(o, o)]
                diff = XM[i][o] - means[k][o]
                _, logdet = np.linalg.slogdet(S)
                out[i, k] = np.log(weights[k]) - 0.5 * (o.sum() * np.log(2 * np.pi) + logdet + diff @ np.linalg.solve(S, diff))
            else:
                out[i, k] = np.log(weights[k])
    for j in range(m):
        obs = codes[:, j] >= 0
        out[obs] += np.log(probs[j][:, codes[obs, j]]).T
    return out


column_means = np.nanmean(XM, axis=0)
X_complete = X
X = np.where(gaps, column_means, XM)  # the start: each missing cell at its column's observed mean
missing_runs = {}
for cov_type in ["full", "diag"]:
    resp = np.zeros((n, K))
    resp[np.arange(n), start] = 1.0
    params = m_step(resp, cov_type)
    start_params = params
    trace = []
    for it in range(40):
        final = params
        lp = log_prob_missing(*params)
        top = lp.max(axis=1, keepdims=True)
        row = top[:, 0] + np.log(np.exp(lp - top).sum(axis=1))
        trace.append(float(row.sum()))
        resp = np.exp(lp - row[:, None])
        params = m_step_missing(resp, cov_type, params)
    sw, sm, sc, sp = start_params
    weights, means, covs, probs = final
    missing_runs[cov_type] = {
        "start": {"weights": sw.tolist(), "means": sm.tolist(), "covariances": sc.tolist(), "probabilities": [[sp[j][k].tolist() for j in range(m)] for k in range(K)]},
        "trace": trace,
        "weights": weights.tolist(),
        "means": means.tolist(),
        "covariances": covs.tolist(),
        "probabilities": [[probs[j][k].tolist() for j in range(m)] for k in range(K)],
    }
    print(cov_type, "with missing cells: log-likelihood", trace[0], "->", trace[-1])
X = X_complete

# ---------------------------------------------------------------- count columns (a Poisson block)
crng = np.random.default_rng(20261217)
true_rates = np.array([[1.0, 4.0], [6.0, 0.5], [2.5, 2.5]])
ccls = crng.choice(K, size=n, p=true_weights)
CX = np.array([crng.multivariate_normal(true_means[c], true_covs[c]) for c in ccls]).round(4)
CX = np.array([[float(f"{v:.4f}") for v in row] for row in CX])
CN = np.array([crng.poisson(true_rates[c]) for c in ccls]).astype(np.float64)
ccodes = np.array([[crng.choice(len(answers[j]), p=true_probs[c][j]) for j in range(m)] for c in ccls])
ccodes[crng.random((n, m)) < 0.04] = -1
count_columns = ["visits", "calls"]
ccolumns = ["height", "score"] + count_columns + ["smoker", "commute"]
cgaps = crng.random(CN.shape) < 0.08


def write_counts(path, gaps):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(ccolumns)
        for i in range(n):
            w.writerow([f"{CX[i, 0]:.4f}", f"{CX[i, 1]:.4f}"] + ["" if gaps[i, j] else str(int(CN[i, j])) for j in range(2)] + ["" if ccodes[i, j] < 0 else answers[j][ccodes[i, j]] for j in range(m)])


write_counts("test/fixtures/mixed-counts.csv", np.zeros_like(cgaps))
write_counts("test/fixtures/mixed-counts-missing.csv", cgaps)
RATE_FLOOR = 1e-12
log_factorial = np.vectorize(math.lgamma)(CN + 1.0)


def block_m_step(resp, blocks, cov_type, gaps):
    nk = resp.sum(axis=0)
    params = {"weights": nk / n}
    if "gaussian" in blocks:
        means = resp.T @ CX / nk[:, None]
        covs = np.empty((K, d, d))
        for k in range(K):
            diff = CX - means[k]
            covs[k] = (resp[:, k] * diff.T) @ diff / nk[k] + REG * np.eye(d)
            if cov_type == "diag":
                covs[k] = np.diag(np.diag(covs[k]))
        params["means"], params["covariances"] = means, covs
    if "poisson" in blocks:
        seen = ~gaps
        sums = resp.T @ np.where(seen, CN, 0.0)
        observed = resp.T @ seen.astype(np.float64)
        params["rates"] = np.maximum(sums / observed, RATE_FLOOR)
    if "categorical" in blocks:
        probs = []
        for j in range(m):
            L = len(answers[j])
            obs = ccodes[:, j] >= 0
            onehot = np.zeros((n, L))
            onehot[np.arange(n)[obs], ccodes[obs, j]] = 1.0
            counts = resp.T @ onehot
            p = np.maximum(counts / counts.sum(axis=1, keepdims=True), FLOOR)
            probs.append(p / p.sum(axis=1, keepdims=True))
        params["probabilities"] = probs
    return params


def block_log_prob(params, blocks, gaps):
    out = np.tile(np.log(params["weights"]), (n, 1))
    if "gaussian" in blocks:
        for k in range(K):
            S = params["covariances"][k]
            diff = CX - params["means"][k]
            _, logdet = np.linalg.slogdet(S)
            out[:, k] += -0.5 * (d * np.log(2 * np.pi) + logdet + np.einsum("ij,jk,ik->i", diff, np.linalg.inv(S), diff))
    if "poisson" in blocks:
        seen = ~gaps
        rates = params["rates"]
        for k in range(K):
            term = CN * np.log(rates[k]) - rates[k] - log_factorial
            out[:, k] += np.where(seen, term, 0.0).sum(axis=1)
    if "categorical" in blocks:
        for j in range(m):
            obs = ccodes[:, j] >= 0
            out[obs] += np.log(params["probabilities"][j][:, ccodes[obs, j]]).T
    return out


def run_blocks(blocks, cov_type, gaps, iterations=60):
    resp = np.zeros((n, K))
    resp[np.arange(n), start] = 1.0
    params = block_m_step(resp, blocks, cov_type, gaps)
    trace = []
    for it in range(iterations):
        final = params
        lp = block_log_prob(params, blocks, gaps)
        top = lp.max(axis=1, keepdims=True)
        row = top[:, 0] + np.log(np.exp(lp - top).sum(axis=1))
        trace.append(float(row.sum()))
        resp = np.exp(lp - row[:, None])
        params = block_m_step(resp, blocks, cov_type, gaps)
    free = (K - 1)
    if "gaussian" in blocks:
        free += K * d + K * (d * (d + 1) // 2 if cov_type == "full" else d)
    if "poisson" in blocks:
        free += K * CN.shape[1]
    if "categorical" in blocks:
        free += K * sum(len(a) - 1 for a in answers)
    out = {"blocks": blocks, "trace": trace, "weights": final["weights"].tolist(), "parameters": free}
    if "gaussian" in blocks:
        out["means"], out["covariances"] = final["means"].tolist(), final["covariances"].tolist()
    if "poisson" in blocks:
        out["rates"] = final["rates"].tolist()
    if "categorical" in blocks:
        out["probabilities"] = [[final["probabilities"][j][k].tolist() for j in range(m)] for k in range(K)]
    print(" + ".join(blocks), cov_type, "missing counts" if gaps.any() else "", "log-likelihood", trace[0], "->", trace[-1])
    return out


no_gaps = np.zeros_like(cgaps)
count_runs = {
    "full": run_blocks(["gaussian", "poisson", "categorical"], "full", no_gaps),
    "diag": run_blocks(["gaussian", "poisson", "categorical"], "diag", no_gaps),
    "poisson+categorical": run_blocks(["poisson", "categorical"], "full", no_gaps),
    "gaussian+poisson": run_blocks(["gaussian", "poisson"], "full", no_gaps),
    "missing counts": run_blocks(["gaussian", "poisson", "categorical"], "full", cgaps),
}

with open("test/reference/numpy_mixed.json", "w") as f:
    json.dump({
        "generator": "test/reference/make_numpy_mixed_reference.py",
        "numpy": np.__version__,
        "file": "test/fixtures/mixed.csv",
        "k": K,
        "numeric": columns[:2],
        "categorical": columns[2:],
        "levels": [sorted(a) for a in answers],
        "regularization": REG,
        "start": start.tolist(),
        "runs": runs,
        "missing": {"file": "test/fixtures/mixed-missing.csv", "cells": gaps.sum(axis=0).tolist(), "runs": missing_runs},
        "counts": {
            "file": "test/fixtures/mixed-counts.csv",
            "missingFile": "test/fixtures/mixed-counts-missing.csv",
            "numeric": ccolumns[:2],
            "countColumns": count_columns,
            "categorical": ccolumns[4:],
            "missingCountCells": cgaps.sum(axis=0).tolist(),
            "runs": count_runs,
        },
    }, f, indent=1)
print("missing answers", int((codes < 0).sum()))
