"""Reference values for applying saved categorical and mixed models to another file, by numpy.

Takes the final parameters of the numpy EM references (numpy_categorical.json: latent class analysis of survey.csv;
numpy_mixed.json, covariance type "full": mixed.csv) as the saved models, and writes two new files in which the
columns are in another order (with an extra column the model ignores), some categories never occur (so the file's own
categories differ from the model's), and some answers are missing: test/fixtures/survey-new.csv (150 rows) and
test/fixtures/mixed-new.csv (120 rows). For each, numpy gives every row's most probable cluster and the total
log-likelihood, sum_i ln sum_k pi_k p(x_i | k), a missing answer dropping out of the row's product.

Run from the repository root:  /usr/bin/python3 test/reference/make_numpy_predict_categorical_reference.py
Writes the two files and test/reference/numpy_predict_categorical.json.
"""
import csv
import json

import numpy as np

rng = np.random.default_rng(20261204)
categorical = json.load(open("test/reference/numpy_categorical.json"))
mixed = json.load(open("test/reference/numpy_mixed.json"))


def log_sum_exp(lp):
    top = lp.max(axis=1, keepdims=True)
    return top[:, 0] + np.log(np.exp(lp - top).sum(axis=1))


def categorical_log_prob(codes, levels, probabilities, K):
    out = np.zeros((codes.shape[0], K))
    for j in range(len(levels)):
        obs = codes[:, j] >= 0
        table = np.array([probabilities[k][j] for k in range(K)])  # K x levels
        out[obs] += np.log(table[:, codes[obs, j]]).T
    return out


def draw_codes(n, levels, avoid):
    """Answers drawn uniformly, without the categories in `avoid` (column -> level index); about 5 % missing."""
    codes = np.empty((n, len(levels)), dtype=int)
    for j, lv in enumerate(levels):
        allowed = [c for c in range(len(lv)) if c not in avoid.get(j, [])]
        codes[:, j] = rng.choice(allowed, size=n)
    codes[rng.random(codes.shape) < 0.05] = -1
    return codes


def write(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


out = {"generator": "test/reference/make_numpy_predict_categorical_reference.py", "numpy": np.__version__}

# Categorical: survey.csv's model on 150 new answers; "daily" (exercise) and "walk" (commute) never occur.
K = categorical["k"]
cols, levels = categorical["columns"], categorical["levels"]
n = 150
codes = draw_codes(n, levels, {1: [0], 4: [3]})
lp = np.log(np.array(categorical["weights"])) + categorical_log_prob(codes, levels, categorical["probabilities"], K)
order = [4, 2, 0, 3, 1]
write("test/fixtures/survey-new.csv", ["id"] + [cols[j] for j in order],
      [[f"r{i + 1}"] + ["" if codes[i, j] < 0 else levels[j][codes[i, j]] for j in order] for i in range(n)])
out["categorical"] = {
    "file": "survey-new.csv", "fittedTo": "survey.csv", "columns": cols, "levels": levels,
    "weights": categorical["weights"], "probabilities": categorical["probabilities"],
    "assignments": lp.argmax(axis=1).tolist(), "logLikelihood": float(log_sum_exp(lp).sum()),
}

# Mixed: mixed.csv's "full" model on 120 new rows; "car" (commute) never occurs.
run = mixed["runs"]["full"]
K = mixed["k"]
num, cat, levels = mixed["numeric"], mixed["categorical"], mixed["levels"]
n = 120
X = np.round(rng.normal([1.0, 1.5], [1.5, 1.8], size=(n, 2)), 4)
codes = draw_codes(n, levels, {1: [2]})
weights, means, covs = np.array(run["weights"]), np.array(run["means"]), np.array(run["covariances"])
lp = np.empty((n, K))
for k in range(K):
    diff = X - means[k]
    inv = np.linalg.inv(covs[k])
    _, logdet = np.linalg.slogdet(covs[k])
    lp[:, k] = np.log(weights[k]) - 0.5 * (2 * np.log(2 * np.pi) + logdet + np.einsum("ij,jk,ik->i", diff, inv, diff))
lp += categorical_log_prob(codes, levels, run["probabilities"], K)
write("test/fixtures/mixed-new.csv", ["commute", "score", "note", "smoker", "height"],
      [[("" if codes[i, 1] < 0 else levels[1][codes[i, 1]]), f"{X[i, 1]:.4f}", f"n{i}", ("" if codes[i, 0] < 0 else levels[0][codes[i, 0]]), f"{X[i, 0]:.4f}"] for i in range(n)])
out["mixed"] = {
    "file": "mixed-new.csv", "fittedTo": "mixed.csv", "numeric": num, "categorical": cat, "levels": levels,
    "weights": run["weights"], "means": run["means"], "covariances": run["covariances"], "probabilities": run["probabilities"],
    "assignments": lp.argmax(axis=1).tolist(), "logLikelihood": float(log_sum_exp(lp).sum()),
}
with open("test/reference/numpy_predict_categorical.json", "w") as f:
    json.dump(out, f, indent=1)
print("categorical", out["categorical"]["logLikelihood"], "mixed", out["mixed"]["logLikelihood"])
