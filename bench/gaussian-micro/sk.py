#!/usr/bin/python3
"""sklearn side of the Gaussian micro-benchmark: times GaussianMixture's own _e_step and _m_step from a given start.

  sk.py DATA.npy START.json TYPE ITERATIONS  ->  one JSON line {eStepMs: [...], mStepMs: [...], trace: [...]}
"""
import json
import sys
import time

import numpy as np
from sklearn.mixture import GaussianMixture
from sklearn.mixture._gaussian_mixture import _compute_precision_cholesky

data, start_file, cov_type, iterations = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
X = np.load(data)
start = json.load(open(start_file))
k, d = len(start['weights']), X.shape[1]
cov_full = np.asarray(start['covariances'], dtype=float)
cov = {'full': cov_full, 'tied': cov_full[0], 'diag': np.array([np.diag(c) for c in cov_full]),
       'spherical': np.array([c[0, 0] for c in cov_full])}[cov_type]
gm = GaussianMixture(n_components=k, covariance_type=cov_type, reg_covar=1e-6, tol=0.0, max_iter=iterations)
gm.weights_ = np.asarray(start['weights'], dtype=float)
gm.means_ = np.asarray(start['means'], dtype=float)
gm.covariances_ = cov
gm.precisions_cholesky_ = _compute_precision_cholesky(cov, cov_type)
e_ms, m_ms, trace = [], [], []
for _ in range(iterations):
    t0 = time.perf_counter()
    log_prob_norm, log_resp = gm._e_step(X)
    t1 = time.perf_counter()
    gm._m_step(X, log_resp)
    t2 = time.perf_counter()
    e_ms.append((t1 - t0) * 1e3)
    m_ms.append((t2 - t1) * 1e3)
    trace.append(float(log_prob_norm * X.shape[0]))
print(json.dumps({'eStepMs': e_ms, 'mStepMs': m_ms, 'trace': trace}))
