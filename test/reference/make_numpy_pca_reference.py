#!/usr/bin/python3
"""Reference values for the principal axes of the panel's projection (src/engine/data/projection.ts), from numpy.

Data: iris (sklearn.datasets.load_iris), 150 x 4, as given and standardised column by column.
Axes: np.linalg.eigh of np.cov (divisor n - 1), eigenvalues in decreasing order; each eigenvector's sign fixed so its
largest-magnitude loading is positive (the engine's rule). explained = eigenvalue / sum of all eigenvalues.
Standardising scales every column by its own sd, so the axes and fractions are those of np.corrcoef whatever divisor
the sd uses; the case is computed that way.

Run: /usr/bin/python3 test/reference/make_numpy_pca_reference.py   (writes numpy_pca_iris.json)
"""
import json
import os

import numpy as np
from sklearn.datasets import load_iris

HERE = os.path.dirname(os.path.abspath(__file__))


def principal(matrix):
    values, vectors = np.linalg.eigh(matrix)
    order = np.argsort(values)[::-1]
    values = values[order]
    vectors = vectors[:, order].T
    for v in vectors:
        if v[np.argmax(np.abs(v))] < 0:
            v *= -1
    return values, vectors


def case(x, matrix, mean):
    values, vectors = principal(matrix)
    return {
        'mean': mean.tolist(),
        'eigenvalues': values.tolist(),
        'axes': vectors.tolist(),
        'explained': (values / values.sum()).tolist(),
    }


x = load_iris().data.astype(float)
out = {
    'n': x.shape[0],
    'd': x.shape[1],
    'columns': ['sepal length', 'sepal width', 'petal length', 'petal width'],
    'data': x.tolist(),
    'raw': case(x, np.cov(x, rowvar=False), x.mean(axis=0)),
    'standardised': case(x, np.corrcoef(x, rowvar=False), np.zeros(x.shape[1])),
}
with open(os.path.join(HERE, 'numpy_pca_iris.json'), 'w') as f:
    json.dump(out, f, indent=1)
    f.write('\n')
print('raw explained', out['raw']['explained'][:2], 'standardised explained', out['standardised']['explained'][:2])
