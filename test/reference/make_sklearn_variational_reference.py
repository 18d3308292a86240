#!/usr/bin/python3
"""Writes test/reference/sklearn_variational.json: scikit-learn's BayesianGaussianMixture (variational inference),
the reference the engine's `variational` model is tested against (test/unit/engine/variational.test.ts).

Run from the repository root with Debian's python3 (numpy, scipy, sklearn):
    /usr/bin/python3 test/reference/make_sklearn_variational_reference.py

Every case starts from explicit responsibilities that are written into the JSON: a subclass replaces
_initialize_parameters by `self._initialize(X, resp)`, which is exactly what sklearn does after its own k-means or
random start. The one-hot starts are sklearn's own k-means start (KMeans(K, n_init=1, random_state=0)), so those
cases are also what BayesianGaussianMixture(random_state=0) gives; the script checks that. Recorded per case:
  - lowerBounds[t]: _compute_lower_bound after the M-step of iteration t + 1 (what fit compares to tol);
  - nIter, converged, and after the fit weights_, means_, covariances_ (sklearn's shape and expanded to K x d x d),
    the posterior parameters, predict(X), score(X) and the plug-in log-likelihood sum_i ln sum_k w_k N(x_i | mu_k,
    Sigma_k) of weights_, means_, covariances_.
Also a few values of scipy's gammaln, digamma and betaln, for the engine's special functions.
"""
import json
import os
import sys
import warnings

import numpy as np
import scipy
import sklearn
from scipy.special import betaln, digamma, gammaln
from scipy.stats import multivariate_normal
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import BayesianGaussianMixture

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "test", "fixtures", "faithful.csv")
OUT = os.path.join(ROOT, "test", "reference", "sklearn_variational.json")


class FromResponsibilities(BayesianGaussianMixture):
    """BayesianGaussianMixture started from given responsibilities, recording the lower bound of every iteration."""

    def _initialize_parameters(self, X, random_state):
        self.lower_bounds_trace_ = []
        self._initialize(X, self.start_resp_)

    def _compute_lower_bound(self, log_resp, log_prob_norm):
        value = super()._compute_lower_bound(log_resp, log_prob_norm)
        self.lower_bounds_trace_.append(float(value))
        return value


def faithful():
    X = np.loadtxt(DATA, delimiter=",", skiprows=1)
    assert X.shape == (272, 2), X.shape
    return X


def synthetic3d():
    """400 points in 3-D from three Gaussians of unequal size and shape, rounded to 4 decimals (stored exactly)."""
    rng = np.random.RandomState(20240601)
    sizes = [200, 130, 70]
    centres = [np.array([0.0, 0.0, 0.0]), np.array([4.0, 3.0, -1.0]), np.array([-3.0, 4.0, 2.0])]
    shapes = [
        np.array([[1.0, 0.0, 0.0], [0.6, 0.8, 0.0], [0.0, 0.3, 0.5]]),
        np.array([[0.7, 0.0, 0.0], [-0.3, 1.2, 0.0], [0.2, 0.1, 0.4]]),
        np.array([[0.5, 0.0, 0.0], [0.0, 0.5, 0.0], [0.1, -0.2, 0.9]]),
    ]
    X = np.vstack([c + rng.standard_normal((m, 3)) @ L.T for m, c, L in zip(sizes, centres, shapes)])
    X = X[rng.permutation(len(X))]
    return np.round(X, 4)


def kmeans_labels(X, k):
    return KMeans(n_clusters=k, n_init=1, random_state=0).fit(X).labels_.astype(int)


def one_hot(labels, k):
    resp = np.zeros((len(labels), k))
    resp[np.arange(len(labels)), labels] = 1.0
    return resp


def random_resp(n, k, seed):
    """sklearn's init_params='random' start for a RandomState(seed)."""
    resp = np.random.RandomState(seed).uniform(size=(n, k))
    resp /= resp.sum(axis=1)[:, np.newaxis]
    return resp


def expand(cov, covariance_type, k, d):
    if covariance_type == "full":
        return cov
    if covariance_type == "tied":
        return np.array([cov] * k)
    if covariance_type == "diag":
        return np.array([np.diag(v) for v in cov])
    return np.array([np.eye(d) * v for v in cov])


def plugin_log_likelihood(X, weights, means, covariances):
    dens = np.zeros(len(X))
    for w, m, c in zip(weights, means, covariances):
        dens += w * multivariate_normal(mean=m, cov=c).pdf(X)
    return float(np.sum(np.log(dens)))


def tolist(a):
    return np.asarray(a, dtype=float).tolist()


def run_case(name, data_name, X, k, start, settings, check_same_as_random_state_0=False):
    n, d = X.shape
    kwargs = dict(
        n_components=k,
        covariance_type=settings.get("covarianceType", "full"),
        weight_concentration_prior_type=settings.get("weightConcentrationPriorType", "dirichlet_process"),
        weight_concentration_prior=settings.get("weightConcentrationPrior"),
        mean_precision_prior=settings.get("meanPrecisionPrior"),
        mean_prior=settings.get("meanPrior"),
        degrees_of_freedom_prior=settings.get("degreesOfFreedomPrior"),
        covariance_prior=settings.get("covariancePrior"),
        reg_covar=settings.get("regularization", 1e-6),
        tol=settings.get("tolerance", 1e-3),
        max_iter=settings.get("maxIterations", 100),
    )
    if isinstance(kwargs["covariance_prior"], list):
        kwargs["covariance_prior"] = np.array(kwargs["covariance_prior"])
    resp = one_hot(start["labels"], k) if "labels" in start else np.array(start["resp"])
    model = FromResponsibilities(**kwargs)
    model.start_resp_ = resp
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X)
    trace = model.lower_bounds_trace_
    assert len(trace) == model.n_iter_, (len(trace), model.n_iter_)
    assert trace[-1] == model.lower_bound_
    if check_same_as_random_state_0:
        # The recorded k-means start is sklearn's own: a plain fit with random_state=0 lands on the same bound.
        plain = BayesianGaussianMixture(**kwargs, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            plain.fit(X)
        assert plain.n_iter_ == model.n_iter_ and plain.lower_bound_ == model.lower_bound_, name
    covariance_type = kwargs["covariance_type"]
    expanded = expand(model.covariances_, covariance_type, k, d)
    wc = model.weight_concentration_
    weights = model.weights_
    return {
        "name": name,
        "data": data_name,
        "k": k,
        "settings": settings,
        "start": start,
        "lowerBounds": trace,
        "nIter": int(model.n_iter_),
        "converged": bool(model.converged_),
        "final": {
            "weights": tolist(weights),
            "means": tolist(model.means_),
            "covariances": tolist(model.covariances_),
            "covariancesFull": tolist(expanded),
            "meanPrecision": tolist(model.mean_precision_),
            "degreesOfFreedom": tolist(np.broadcast_to(model.degrees_of_freedom_, (k,))),
            "weightConcentration": [tolist(wc[0]), tolist(wc[1])] if isinstance(wc, tuple) else [tolist(wc)],
            "effectiveComponents": int(np.sum(weights > 0.01)),
            "labels": model.predict(X).astype(int).tolist(),
            "score": float(model.score(X)),
            "plugInLogLikelihood": plugin_log_likelihood(X, weights, model.means_, expanded),
        },
        "priors": {
            "weightConcentrationPrior": float(model.weight_concentration_prior_),
            "meanPrecisionPrior": float(model.mean_precision_prior_),
            "meanPrior": tolist(model.mean_prior_),
            "degreesOfFreedomPrior": float(model.degrees_of_freedom_prior_),
            "covariancePrior": tolist(model.covariance_prior_),
        },
    }


def compact(value, indent=""):
    """JSON with objects one key a line and arrays of numbers (or of such arrays) on one line each row."""
    inner = indent + " "
    if isinstance(value, dict):
        items = [f"{inner}{json.dumps(key)}: {compact(v, inner)}" for key, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}" if items else "{}"
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return "[\n" + ",\n".join(inner + compact(v, inner) for v in value) + "\n" + indent + "]"
    if isinstance(value, list) and value and isinstance(value[0], list):
        return "[\n" + ",\n".join(inner + json.dumps(v) for v in value) + "\n" + indent + "]"
    return json.dumps(value)


def main():
    Xf = faithful()
    Xs = synthetic3d()
    Xe = Xf[:, :1].copy()
    datasets = {"faithful": Xf, "synthetic3d": Xs, "eruptions": Xe}
    cases = []
    f6 = {"labels": kmeans_labels(Xf, 6).tolist()}
    for prior in ["dirichlet_process", "dirichlet_distribution"]:
        short = "dp" if prior == "dirichlet_process" else "dd"
        cases.append(run_case(f"faithful K=6 {short} full", "faithful", Xf, 6, f6,
                              {"weightConcentrationPriorType": prior}, check_same_as_random_state_0=True))
    for covariance_type in ["tied", "diag", "spherical"]:
        for prior in ["dirichlet_process", "dirichlet_distribution"]:
            short = "dp" if prior == "dirichlet_process" else "dd"
            cases.append(run_case(f"faithful K=6 {short} {covariance_type}", "faithful", Xf, 6, f6,
                                  {"weightConcentrationPriorType": prior, "covarianceType": covariance_type},
                                  check_same_as_random_state_0=True))
    s8 = {"resp": random_resp(len(Xs), 8, 1).tolist()}
    for prior in ["dirichlet_process", "dirichlet_distribution"]:
        short = "dp" if prior == "dirichlet_process" else "dd"
        cases.append(run_case(f"synthetic3d K=8 {short} full, random start", "synthetic3d", Xs, 8, s8,
                              {"weightConcentrationPriorType": prior, "maxIterations": 500}))
    s5 = {"labels": kmeans_labels(Xs, 5).tolist()}
    cases.append(run_case("synthetic3d K=5 dd full, k-means start", "synthetic3d", Xs, 5, s5,
                          {"weightConcentrationPriorType": "dirichlet_distribution"}, check_same_as_random_state_0=True))
    cases.append(run_case("synthetic3d K=5 dp full, every prior given", "synthetic3d", Xs, 5, s5, {
        "weightConcentrationPriorType": "dirichlet_process",
        "weightConcentrationPrior": 10.0,
        "meanPrecisionPrior": 0.5,
        "meanPrior": [1.0, 2.0, 0.0],
        "degreesOfFreedomPrior": 5.0,
        "covariancePrior": [[2.0, 0.3, 0.0], [0.3, 1.5, -0.2], [0.0, -0.2, 1.0]],
        "regularization": 1e-4,
        "tolerance": 1e-6,
        "maxIterations": 300,
    }))
    cases.append(run_case("synthetic3d K=5 dd diag, every prior given", "synthetic3d", Xs, 5, s5, {
        "weightConcentrationPriorType": "dirichlet_distribution",
        "covarianceType": "diag",
        "weightConcentrationPrior": 0.01,
        "meanPrecisionPrior": 2.0,
        "meanPrior": [0.0, 1.0, 0.5],
        "degreesOfFreedomPrior": 2.5,
        "covariancePrior": [1.0, 2.0, 0.5],
    }))
    cases.append(run_case("synthetic3d K=5 dp spherical, covariance prior given", "synthetic3d", Xs, 5, s5, {
        "covarianceType": "spherical",
        "covariancePrior": 0.8,
    }))
    cases.append(run_case("faithful K=6 dp full, stopped at 5 iterations", "faithful", Xf, 6, f6,
                          {"maxIterations": 5}))
    cases.append(run_case("eruptions (one column) K=4 dp full", "eruptions", Xe, 4,
                          {"labels": kmeans_labels(Xe, 4).tolist()}, {}))

    points = [1e-3, 0.1, 1 / 6, 0.5, 1.0, 1.4616321449683622, 1.5, 2.0, 2.5, 7.3, 10.0, 35.5, 136.0, 1234.5]
    pairs = [[1.0, 1.0], [0.5, 3.0], [1e-3, 200.0], [137.0, 135.1666], [2.0, 1 / 6], [1000.5, 0.25]]
    special = {
        "x": points,
        "gammaln": [float(gammaln(p)) for p in points],
        "digamma": [float(digamma(p)) for p in points],
        "betaln": [[a, b, float(betaln(a, b))] for a, b in pairs],
    }

    out = {
        "generator": "test/reference/make_sklearn_variational_reference.py",
        "versions": {"sklearn": sklearn.__version__, "numpy": np.__version__, "scipy": scipy.__version__,
                     "python": sys.version.split()[0]},
        "effectiveWeightThreshold": 0.01,
        "data": {"synthetic3d": Xs.tolist()},
        "cases": cases,
        "special": special,
    }
    with open(OUT, "w") as fh:
        fh.write(compact(out) + "\n")
    for c in cases:
        lb = c["lowerBounds"]
        drops = [lb[i] - lb[i - 1] for i in range(1, len(lb)) if lb[i] < lb[i - 1]]
        print(f'{c["name"]}: n_iter {c["nIter"]}, converged {c["converged"]}, lower bound {lb[-1]:.6f}, '
              f'effective {c["final"]["effectiveComponents"]}, largest drop {min(drops) if drops else 0:.3g}')
    print("wrote", OUT)


if __name__ == "__main__":
    main()
