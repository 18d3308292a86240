#!/usr/bin/python3
"""Writes test/reference/sklearn_predict.json: scikit-learn's GaussianMixture fitted to Old Faithful (each covariance
type, K = 3) and to iris (standardised, full, K = 3), with its fitted parameters, predict() and the total
log-likelihood score(X) × n. The engine's saved-model prediction, given the same parameters, must give the same
assignments and log-likelihood (test/unit/engine/model-predict.test.ts).

Run from the repository root with Debian's python3 (numpy + sklearn):  /usr/bin/python3 test/reference/make_sklearn_predict_reference.py
"""
import csv
import json
import os

import numpy as np
import sklearn
from sklearn.mixture import GaussianMixture

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "test", "reference", "sklearn_predict.json")


def faithful():
    return np.loadtxt(os.path.join(ROOT, "test", "fixtures", "faithful.csv"), delimiter=",", skiprows=1)


def iris():
    with open(os.path.join(ROOT, "test", "fixtures", "iris.csv"), newline="") as f:
        rows = list(csv.reader(f))
    return rows[0][:4], np.array([[float(v) for v in r[:4]] for r in rows[1:]])


def full_covariances(gm, d):
    k = gm.n_components
    c = gm.covariances_
    if gm.covariance_type == "full":
        return c
    if gm.covariance_type == "tied":
        return np.repeat(c[None, :, :], k, axis=0)
    if gm.covariance_type == "diag":
        return np.array([np.diag(v) for v in c])
    return np.array([np.eye(d) * v for v in c])


def case(name, X, columns, covariance_type, standardization=None):
    gm = GaussianMixture(n_components=3, covariance_type=covariance_type, random_state=0, n_init=1).fit(X)
    return {
        "name": name,
        "file": "faithful.csv" if columns[0] == "eruptions" else "iris.csv",
        "columns": columns,
        "covarianceType": covariance_type,
        "standardization": standardization,
        "weights": gm.weights_.tolist(),
        "means": gm.means_.tolist(),
        "covariances": full_covariances(gm, X.shape[1]).tolist(),
        "assignments": gm.predict(X).tolist(),
        "logLikelihood": float(gm.score(X) * X.shape[0]),
    }


def main():
    X = faithful()
    cases = [case(f"faithful {t}", X, ["eruptions", "waiting"], t) for t in ["full", "diag", "spherical", "tied"]]
    names, Y = iris()
    mean, sd = Y.mean(axis=0), Y.std(axis=0)
    cases.append(case("iris standardised full", (Y - mean) / sd, names, "full", {"mean": mean.tolist(), "sd": sd.tolist()}))
    with open(OUT, "w") as f:
        json.dump({"sklearn": sklearn.__version__, "numpy": np.__version__, "cases": cases}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
