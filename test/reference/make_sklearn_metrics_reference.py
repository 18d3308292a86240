#!/usr/bin/python3
"""Reference values for src/engine/metrics.ts from sklearn.metrics on fixed label vectors.

adjusted_rand_score, normalized_mutual_info_score (average_method='arithmetic', sklearn's default), the many-to-one
(majority) accuracy and, when K equals the number of labels, the one-to-one (Hungarian, scipy's
linear_sum_assignment) accuracy.
Run: /usr/bin/python3 test/reference/make_sklearn_metrics_reference.py   (writes sklearn_metrics_reference.json)
"""
import json
import os

import numpy as np
import sklearn
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from sklearn.metrics.cluster import contingency_matrix

HERE = os.path.dirname(os.path.abspath(__file__))


def noisy(labels, k, flip, rng):
    """A clustering of `labels`: a fixed permutation of the labels, then a fraction `flip` of rows moved at random."""
    perm = rng.permutation(k)
    clusters = perm[labels % k]
    moved = rng.random(labels.size) < flip
    clusters[moved] = rng.integers(0, k, moved.sum())
    return clusters


def main():
    rng = np.random.default_rng(7)
    cases = []

    def add(name, clusters, labels, k):
        clusters = np.asarray(clusters)
        labels = np.asarray(labels)
        c = contingency_matrix(labels, clusters)  # rows: labels present, columns: clusters present
        entry = {
            'name': name,
            'k': int(k),
            'assignments': clusters.tolist(),
            'labels': labels.tolist(),
            'adjustedRandIndex': float(adjusted_rand_score(labels, clusters)),
            'normalizedMutualInfo': float(normalized_mutual_info_score(labels, clusters)),
            'accuracy': float(c.max(axis=0).sum() / labels.size),
        }
        if k == np.unique(labels).size:
            full = np.zeros((k, k))
            label_values = np.unique(labels)
            for cl, lab in zip(clusters, labels):
                full[cl, np.searchsorted(label_values, lab)] += 1
            rows, cols = linear_sum_assignment(-full)
            entry['oneToOneAccuracy'] = float(full[rows, cols].sum() / labels.size)
        cases.append(entry)

    add('sklearn doc: identical', [0, 0, 1, 1], [0, 0, 1, 1], 2)
    add('sklearn doc: swapped', [1, 1, 0, 0], [0, 0, 1, 1], 2)
    add('sklearn doc: complete but not pure', [0, 0, 1, 1], [0, 0, 1, 2], 2)
    add('sklearn doc: unnecessary split', [0, 0, 1, 2], [0, 0, 1, 1], 3)
    add('sklearn doc: discordant', [0, 1, 0, 1], [0, 0, 1, 1], 2)
    add('one cluster', [0] * 6, [0, 1, 2, 0, 1, 2], 1)
    add('singletons', [0, 1, 2, 3], [0, 0, 0, 0], 4)
    add('one cluster, one label', [0] * 5, [3] * 5, 1)
    add('empty cluster (K = 4, 3 used)', [0, 0, 1, 1, 3, 3, 3], [5, 5, 6, 6, 7, 7, 6], 4)

    labels = rng.integers(0, 10, 3000)
    add('10 labels, 10 clusters, 30% noise', noisy(labels, 10, 0.3, rng), labels, 10)
    add('10 labels, 10 clusters, 80% noise', noisy(labels, 10, 0.8, rng), labels, 10)
    merged = noisy(labels, 10, 0.2, rng) % 7  # fewer clusters than labels
    add('10 labels, 7 clusters', merged, labels, 7)
    split = noisy(labels, 10, 0.2, rng) + 10 * (rng.random(labels.size) < 0.3)  # more clusters than labels
    add('10 labels, 20 clusters', split, labels, 20)
    odd = np.array([-1, 4, 9])[rng.integers(0, 3, 500)]  # label values that are not 0..L-1
    add('labels -1, 4, 9', rng.integers(0, 3, 500), odd, 3)

    with open(os.path.join(HERE, 'sklearn_metrics_reference.json'), 'w') as f:
        json.dump({'generator': 'test/reference/make_sklearn_metrics_reference.py', 'sklearn': sklearn.__version__, 'cases': cases}, f, separators=(',', ':'))
        f.write('\n')


if __name__ == '__main__':
    main()
