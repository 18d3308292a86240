#!/usr/bin/python3
"""Writes test/reference/sklearn_gaussian.json: scikit-learn's GaussianMixture on Old Faithful, the reference the
engine's Gaussian family is tested against (test/unit/gaussian-sklearn.test.ts).

Run from the repository root with Debian's python3 (numpy + sklearn):  /usr/bin/python3 test/reference/make_sklearn_reference.py

For every case (data raw or standardised, K = 2 and 3, each covariance type, plus Murphy's fig. 11.11 start) both
fits start from the same explicit parameters (weights_init / means_init / precisions_init), and we record:
  - trace[t] = ln p(X | θ_t), t = 0 .. n_iter: sklearn refitted with warm_start=True, max_iter=1, one call per
    iteration; after call t+1, lower_bound_ is the mean log-likelihood of θ_t (the E-step before the M-step), so
    lower_bound_ × n is the engine's trace[t].
  - n_iter_, converged_ and the fitted weights / means / covariances of one ordinary fit (tol, reg_covar, max_iter).
Standardisation is the z-score with the population standard deviation (ddof = 0), the same as the engine's
`standardize` option (src/engine/fit.ts standardizeColumns).
"""
import json
import os
import sys
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "test", "fixtures", "faithful.csv")
OUT = os.path.join(ROOT, "test", "reference", "sklearn_gaussian.json")
TOL = 1e-3
REG = 1e-6
MAX_ITER = 1000
COVARIANCE_TYPES = ["full", "diag", "spherical", "tied"]
# Starting means are these rows of the data (raw or standardised): row 0 (long eruption), row 1 (short), row 5.
START_ROWS = [0, 1, 5]


def load():
    X = np.loadtxt(DATA, delimiter=",", skiprows=1)
    assert X.shape == (272, 2), X.shape
    return X


def standardise(X):
    mean = X.mean(axis=0)
    sd = X.std(axis=0, ddof=0)
    return (X - mean) / sd, mean, sd


def start_params(X, k, covariance_type):
    """Explicit start: equal weights, means = START_ROWS[:k], covariances from the whole data's covariance."""
    d = X.shape[1]
    weights = np.full(k, 1.0 / k)
    means = X[START_ROWS[:k]].copy()
    cov = np.cov(X, rowvar=False, ddof=0)
    if covariance_type == "full":
        covariances = np.array([cov * (1.0 + 0.25 * j) for j in range(k)])
    elif covariance_type == "tied":
        covariances = cov
    elif covariance_type == "diag":
        covariances = np.array([np.diag(cov) * (1.0 + 0.25 * j) for j in range(k)])
    else:
        covariances = np.array([np.mean(np.diag(cov)) * (1.0 + 0.25 * j) for j in range(k)])
    return weights, means, covariances


def precisions(covariances, covariance_type):
    if covariance_type == "full":
        return np.array([np.linalg.inv(c) for c in covariances])
    if covariance_type == "tied":
        return np.linalg.inv(covariances)
    return 1.0 / covariances


def expand(covariances, covariance_type, k, d):
    if covariance_type == "full":
        return covariances
    if covariance_type == "tied":
        return np.array([covariances] * k)
    if covariance_type == "diag":
        return np.array([np.diag(v) for v in covariances])
    return np.array([np.eye(d) * v for v in covariances])


def run_case(name, X, standardized, k, covariance_type, weights, means, covariances, tol=TOL, max_iter=MAX_ITER):
    n, d = X.shape
    kwargs = dict(
        n_components=k,
        covariance_type=covariance_type,
        tol=tol,
        reg_covar=REG,
        weights_init=weights,
        means_init=means,
        precisions_init=precisions(covariances, covariance_type),
    )
    full = GaussianMixture(max_iter=max_iter, **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        full.fit(X)
    n_iter = int(full.n_iter_)

    # One EM iteration per call: after call t+1, lower_bound_ = mean ln p(X | θ_t).
    stepper = GaussianMixture(max_iter=1, warm_start=True, **kwargs)
    trace = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for t in range(n_iter + 1):
            stepper.fit(X)
            trace.append(float(stepper.lower_bound_ * n))
            if t == n_iter - 1:
                # θ_{n_iter}, reached by stepping, must be the ordinary fit's result.
                assert np.allclose(stepper.means_, full.means_, rtol=1e-12, atol=1e-12), name
                assert np.allclose(stepper.covariances_, full.covariances_, rtol=1e-12, atol=1e-12), name
    # The ordinary fit stopped at n_iter because |trace[n_iter-1] - trace[n_iter-2]| / n < tol.
    assert np.isclose(full.lower_bound_ * n, trace[n_iter - 1], rtol=1e-12), name
    # The last entry, ln p(X | θ_{n_iter}), is also score(X) × n of the ordinary fit.
    assert np.isclose(full.score(X) * n, trace[n_iter], rtol=1e-12), name
    changes = [abs(trace[t] - trace[t - 1]) / n for t in range(1, n_iter)]
    # How far the convergence decisions were from the threshold (relative): tiny margins would make the iteration
    # count fragile under rounding.
    margin = min(abs(c - tol) / tol for c in changes) if changes else None
    return {
        "name": name,
        "standardized": standardized,
        "k": k,
        "covarianceType": covariance_type,
        "tol": tol,
        "maxIter": max_iter,
        "init": {
            "weights": weights.tolist(),
            "means": means.tolist(),
            "covariances": covariances.tolist(),
        },
        "trace": trace,
        "nIter": n_iter,
        "converged": bool(full.converged_),
        "convergenceMargin": margin,
        "final": {
            "weights": full.weights_.tolist(),
            "means": full.means_.tolist(),
            "covariances": full.covariances_.tolist(),
            "covariancesExpanded": expand(full.covariances_, covariance_type, k, d).tolist(),
            "logLikelihood": trace[n_iter],
            "bic": float(full.bic(X)),
            "aic": float(full.aic(X)),
        },
    }


def main():
    raw = load()
    z, mean, sd = standardise(raw)
    cases = []
    for standardized, X in ((False, raw), (True, z)):
        for k in (2, 3):
            for covariance_type in COVARIANCE_TYPES:
                w, m, c = start_params(X, k, covariance_type)
                name = f"{'standardized' if standardized else 'raw'}-k{k}-{covariance_type}"
                cases.append(run_case(name, X, standardized, k, covariance_type, w, m, c))
    # Murphy, MLPP fig. 11.11: standardised Old Faithful, K = 2, full covariances, means (-1.5, 1.5) and
    # (1.5, -1.5), identity covariances, equal weights. With the default tol (1e-3 per sample) sklearn stops after
    # a few iterations while both means are still near the origin (the log-likelihood creeps there); the figure's
    # separated clusters (shown at iteration 15 and later) need a tight tolerance, hence the second case.
    for name, tol in (("murphy-fig-11.11", TOL), ("murphy-fig-11.11-tight", 1e-9)):
        cases.append(
            run_case(
                name,
                z,
                True,
                2,
                "full",
                np.array([0.5, 0.5]),
                np.array([[-1.5, 1.5], [1.5, -1.5]]),
                np.array([np.eye(2), np.eye(2)]),
                tol=tol,
            )
        )
    # Stopped by max_iter before converging (raw K = 3 tied needs 29 iterations): n_iter_ = max_iter, not converged.
    w, m, c = start_params(raw, 3, "tied")
    cases.append(run_case("raw-k3-tied-max-iter-5", raw, False, 3, "tied", w, m, c, max_iter=5))
    for c in cases:
        print(f"{c['name']:28s} n_iter={c['nIter']:4d} converged={c['converged']} margin={c['convergenceMargin']}", file=sys.stderr)
    out = {
        "generator": "test/reference/make_sklearn_reference.py",
        "sklearnVersion": sklearn.__version__,
        "numpyVersion": np.__version__,
        "data": "test/fixtures/faithful.csv",
        "n": int(raw.shape[0]),
        "d": int(raw.shape[1]),
        "standardization": {"mean": mean.tolist(), "sd": sd.tolist(), "ddof": 0},
        "settings": {"tol": TOL, "regCovar": REG, "maxIter": MAX_ITER},
        "cases": cases,
    }
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {OUT}: {len(cases)} cases", file=sys.stderr)


if __name__ == "__main__":
    main()
