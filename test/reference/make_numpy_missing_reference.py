#!/usr/bin/env python3
"""Reference values for Gaussian EM with missing cells (and case weights), written independently in numpy.

EM marginalising missing cells (Ghahramani & Jordan 1994): the E-step uses each row's marginal density of its observed
cells; the M-step completes each row per component with the conditional mean of its missing cells and adds their
conditional covariance to the scatter. Covariances from (n_k, mu_k, W_k) by scikit-learn's formulas (full, diag,
spherical, tied: 10 eps added to n_k, reg_covar on the diagonal) and by mclust's closed-form M-steps (EII, VII, EEI,
VVI, EVI, EEE, EEV, EVV, VVV; regularisation added after, as Mixscope's regularization). Frequency weights w_i
multiply every row's contribution; the log-likelihood is sum_i w_i ln p(x_i,o).

Data: Old Faithful (K = 2) and iris's four measurements (K = 3) from test/fixtures, with a fixed pattern of missing
cells (every row keeps at least one observed cell), from an explicit start. Run with /usr/bin/python3 (numpy); writes
test/reference/numpy_missing.json.
"""

import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "fixtures")
ITERATIONS = 25
REG = 1e-6
EPS10 = 10 * np.finfo(float).eps


def read_faithful():
    rows = [l.split(",") for l in open(os.path.join(FIXTURES, "faithful.csv")).read().strip().split("\n")[1:]]
    return np.array([[float(a), float(b)] for a, b in rows])


def read_iris():
    lines = open(os.path.join(FIXTURES, "iris.csv")).read().strip().split("\n")[1:]
    return np.array([[float(v) for v in l.split(",")[:4]] for l in lines])


def make_mask(n, d, fraction, seed):
    rng = np.random.default_rng(seed)
    mask = rng.random((n, d)) < fraction
    for i in range(n):
        if mask[i].all():
            mask[i, rng.integers(d)] = False
    return mask


def log_gauss_observed(x, obs, mu, cov):
    o = obs.sum()
    diff = x[obs] - mu[obs]
    sub = cov[np.ix_(obs, obs)]
    L = np.linalg.cholesky(sub)
    y = np.linalg.solve(L, diff)
    return -0.5 * o * np.log(2 * np.pi) - np.log(np.diag(L)).sum() - 0.5 * y @ y


def e_step(X, mask, w, weights, means, covs):
    n, d = X.shape
    k = len(weights)
    logp = np.empty((n, k))
    for i in range(n):
        obs = ~mask[i]
        for c in range(k):
            logp[i, c] = np.log(weights[c]) + log_gauss_observed(X[i], obs, means[c], covs[c])
    mx = logp.max(axis=1, keepdims=True)
    lse = (mx + np.log(np.exp(logp - mx).sum(axis=1, keepdims=True)))[:, 0]
    resp = np.exp(logp - lse[:, None])
    return float((w * lse).sum()), resp


def completed_stats(X, mask, w, resp, means, covs):
    """n_k, the new means and the completed scatter W_k (conditional covariances included), from theta_old."""
    n, d = X.shape
    k = resp.shape[1]
    r = resp * w[:, None]
    xhat = np.empty((k, n, d))
    cond = np.zeros((k, n, d, d))
    for c in range(k):
        for i in range(n):
            obs = ~mask[i]
            mis = mask[i]
            x = X[i].copy()
            if mis.any():
                Soo = covs[c][np.ix_(obs, obs)]
                Smo = covs[c][np.ix_(mis, obs)]
                B = Smo @ np.linalg.inv(Soo)
                x[mis] = means[c][mis] + B @ (X[i, obs] - means[c][obs])
                C = covs[c][np.ix_(mis, mis)] - B @ covs[c][np.ix_(obs, mis)]
                cond[c, i][np.ix_(mis, mis)] = C
            xhat[c, i] = x
    sizes = r.sum(axis=0)
    sums = np.stack([(r[:, c, None] * xhat[c]).sum(axis=0) for c in range(k)])
    return r, xhat, cond, sizes, sums


def scatter_about(r, xhat, cond, new_means):
    k = r.shape[1]
    W = []
    for c in range(k):
        diff = xhat[c] - new_means[c]
        W.append((r[:, c, None] * diff).T @ diff + (r[:, c, None, None] * cond[c]).sum(axis=0))
    return np.array(W)


def sorted_eigen(S):
    values, vectors = np.linalg.eigh(S)
    order = np.argsort(values)[::-1]
    return values[order], vectors[:, order]


def m_step(model, X, mask, w, resp, means, covs):
    n, d = X.shape
    k = resp.shape[1]
    total = w.sum()
    r, xhat, cond, sizes, sums = completed_stats(X, mask, w, resp, means, covs)
    if model in ("full", "diag", "spherical", "tied"):
        nk = sizes + EPS10
        new_means = sums / nk[:, None]
        W = scatter_about(r, xhat, cond, new_means)
        weights = nk / nk.sum()
        if model == "full":
            new_covs = np.array([W[c] / nk[c] + REG * np.eye(d) for c in range(k)])
        elif model == "tied":
            shared = W.sum(axis=0) / nk.sum() + REG * np.eye(d)
            new_covs = np.array([shared] * k)
        elif model == "diag":
            new_covs = np.array([np.diag(np.diag(W[c]) / nk[c] + REG) for c in range(k)])
        else:
            new_covs = np.array([np.eye(d) * (np.diag(W[c]) / nk[c] + REG).mean() for c in range(k)])
        return weights, new_means, new_covs
    new_means = sums / sizes[:, None]
    W = scatter_about(r, xhat, cond, new_means)
    weights = sizes / total
    if model == "VVV":
        covs = [W[c] / sizes[c] for c in range(k)]
    elif model == "EEE":
        covs = [W.sum(axis=0) / total] * k
    elif model == "VVI":
        covs = [np.diag(np.diag(W[c]) / sizes[c]) for c in range(k)]
    elif model == "EEI":
        covs = [np.diag(np.diag(W.sum(axis=0)) / total)] * k
    elif model == "VII":
        covs = [np.eye(d) * np.trace(W[c]) / (d * sizes[c]) for c in range(k)]
    elif model == "EII":
        covs = [np.eye(d) * np.trace(W.sum(axis=0)) / (d * total)] * k
    elif model == "EVI":
        dets = [np.prod(np.diag(W[c])) ** (1 / d) for c in range(k)]
        volume = sum(dets) / total
        covs = [np.diag(volume * np.diag(W[c]) / dets[c]) for c in range(k)]
    elif model == "EVV":
        dets = [np.linalg.det(W[c]) ** (1 / d) for c in range(k)]
        volume = sum(dets) / total
        covs = [volume * W[c] / dets[c] for c in range(k)]
    elif model == "EEV":
        eig = [sorted_eigen(W[c]) for c in range(k)]
        omega = sum(values for values, _ in eig)
        covs = [vectors @ np.diag(omega / total) @ vectors.T for _, vectors in eig]
    else:
        raise ValueError(model)
    return weights, new_means, np.array([c + REG * np.eye(d) for c in covs])


def run(model, X, mask, w, weights, means, covs):
    trace = []
    for t in range(ITERATIONS + 1):
        ll, resp = e_step(X, mask, w, weights, means, covs)
        trace.append(ll)
        if t == ITERATIONS:
            break
        weights, means, covs = m_step(model, X, mask, w, resp, means, covs)
    return trace, weights, means, covs


def start(X, mask, k, seed):
    """Means at k rows of the mean-imputed data, every covariance the (diagonal) column variances, equal weights."""
    col_means = np.array([X[~mask[:, j], j].mean() for j in range(X.shape[1])])
    filled = np.where(mask, col_means, X)
    rng = np.random.default_rng(seed)
    rows = rng.choice(X.shape[0], size=k, replace=False)
    variances = filled.var(axis=0)
    return np.full(k, 1.0 / k), filled[rows].copy(), np.array([np.diag(variances)] * k)


def init_covariances(model, covs):
    """The start's covariances in the shape Mixscope's initParams takes for the model."""
    if model == "tied":
        return covs[0].tolist()
    if model == "diag":
        return [np.diag(c).tolist() for c in covs]
    if model == "spherical":
        return [float(np.diag(c).mean()) for c in covs]
    return covs.tolist()


def case(name, X, k, fraction, seed, models, weights=None):
    n, d = X.shape
    mask = make_mask(n, d, fraction, seed)
    w = np.ones(n) if weights is None else weights
    pi0, mu0, cov0 = start(X, mask, k, seed + 1)
    fits = {}
    for model in models:
        cov_start = cov0.copy()
        if model == "spherical":
            cov_start = np.array([np.eye(d) * np.diag(c).mean() for c in cov0])
        trace, pi, mu, cov = run(model, X, mask, w, pi0, mu0, cov_start)
        fits[model] = {
            "initCovariances": init_covariances(model, cov_start),
            "trace": trace,
            "weights": pi.tolist(),
            "means": mu.tolist(),
            "covariances": cov.tolist(),
        }
    return {
        "name": name,
        "k": k,
        "missing": [[int(i), int(j)] for i, j in zip(*np.nonzero(mask))],
        "caseWeights": None if weights is None else w.tolist(),
        "start": {"weights": pi0.tolist(), "means": mu0.tolist()},
        "fits": fits,
    }


def main():
    sklearn_types = ["full", "diag", "spherical", "tied"]
    mclust_models = ["EII", "VII", "EEI", "VVI", "EVI", "EEE", "EEV", "EVV", "VVV"]
    faithful = read_faithful()
    iris = read_iris()
    rng = np.random.default_rng(42)
    iris_weights = rng.integers(0, 4, size=iris.shape[0]).astype(float)
    iris_weights[::7] += 0.5
    out = {
        "generator": "test/reference/make_numpy_missing_reference.py",
        "numpy": np.__version__,
        "iterations": ITERATIONS,
        "regularization": REG,
        "cases": [
            case("faithful", faithful, 2, 0.1, 1, sklearn_types + mclust_models),
            case("iris", iris, 3, 0.15, 2, sklearn_types + mclust_models),
            case("iris-weighted", iris, 3, 0.15, 3, ["full", "tied", "VVV", "EVI"], weights=iris_weights),
        ],
    }
    with open(os.path.join(HERE, "numpy_missing.json"), "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
