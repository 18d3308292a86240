#!/usr/bin/python3
"""Reference label scores of Mixscope's iris fit (K = 3, full covariances), from sklearn.metrics.

The assignments are Mixscope's own (the CLI's `--json` output for test/fixtures/iris.csv); the species are read here
with pandas, not with Mixscope's loader. From the two: adjusted_rand_score, normalized_mutual_info_score (arithmetic,
sklearn's default), the contingency table (clusters × species in sorted order), the many-to-one accuracy (each
cluster's majority species), each cluster's majority species and purity, and the one-to-one accuracy (scipy's
linear_sum_assignment).
Run from the repository root: /usr/bin/python3 test/reference/make_sklearn_iris_labels_reference.py
(writes test/reference/sklearn_iris_labels.json; needs Node and the repository's dependencies for the CLI).
"""
import json
import os
import subprocess

import numpy as np
import pandas as pd
import sklearn
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
IRIS = os.path.join('test', 'fixtures', 'iris.csv')
FLAGS = ['--k', '3', '--covariance', 'full']


def main():
    out = subprocess.run(['npx', 'tsx', 'src/cli/cli.ts', 'fit', IRIS, *FLAGS, '--json'], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    assignments = np.array(json.loads(out)['assignments'])
    species = pd.read_csv(os.path.join(ROOT, IRIS))['Species'].to_numpy()
    names = sorted(set(species))
    codes = np.array([names.index(s) for s in species])
    k = 3
    table = np.zeros((k, len(names)), dtype=int)
    for c, s in zip(assignments, codes):
        table[c, s] += 1
    rows, cols = linear_sum_assignment(-table)
    reference = {
        'generator': 'test/reference/make_sklearn_iris_labels_reference.py',
        'sklearn': sklearn.__version__,
        'file': IRIS,
        'flags': FLAGS,
        'assignments': assignments.tolist(),
        'labelNames': names,
        'confusion': table.tolist(),
        'majorityLabelNames': [names[int(np.argmax(r))] for r in table],
        'purity': [float(r.max() / r.sum()) for r in table],
        'accuracy': float(table.max(axis=1).sum() / len(species)),
        'oneToOneAccuracy': float(table[rows, cols].sum() / len(species)),
        'adjustedRandIndex': float(adjusted_rand_score(species, assignments)),
        'normalizedMutualInfo': float(normalized_mutual_info_score(species, assignments)),
    }
    with open(os.path.join(HERE, 'sklearn_iris_labels.json'), 'w') as f:
        json.dump(reference, f, separators=(',', ':'))
        f.write('\n')


if __name__ == '__main__':
    main()
