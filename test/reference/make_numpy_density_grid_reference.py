"""Reference values for the panel's density view: the density of a Gaussian mixture on two plotted axes over a grid,
its highest-density levels and the total length of its contour lines, from numpy (the marginal on two columns and the
mixture projected on R's MclustDR directions, P mu and P Sigma P^T, with the parameters of R's iris VVV K = 3 fit in
mclust_dr.json) and contourpy (matplotlib's contouring, its serial algorithm) for the lines.

Run from the repository root:  /usr/bin/python3 test/reference/make_numpy_density_grid_reference.py
Writes test/reference/numpy_density_grid.json.
"""
import json

import contourpy
import numpy as np

ref = json.load(open("test/reference/mclust_dr.json"))
case = ref["cases"][0]
w = np.array(case["weights"])
mu = np.array(case["means"])
cov = np.array(case["covariances"])
data = np.genfromtxt("test/fixtures/iris.csv", delimiter=",", skip_header=1, usecols=(0, 1, 2, 3))
FRACTIONS = [0.25, 0.5, 0.75, 0.9, 0.95]


def grid_case(name, P, centre, nx, ny):
    m2 = (mu - centre) @ P.T  # K x 2
    c2 = np.einsum("ia,kab,jb->kij", P, cov, P)  # K x 2 x 2
    z = (data - centre) @ P.T
    lo, hi = z.min(axis=0), z.max(axis=0)
    pad = 0.05 * (hi - lo)
    xd, yd = [lo[0] - pad[0], hi[0] + pad[0]], [lo[1] - pad[1], hi[1] + pad[1]]
    xs, ys = np.linspace(xd[0], xd[1], nx), np.linspace(yd[0], yd[1], ny)
    X, Y = np.meshgrid(xs, ys)  # ny x nx
    pts = np.stack([X.ravel(), Y.ravel()], axis=1)
    dens = np.zeros(len(pts))
    for k in range(len(w)):
        d = pts - m2[k]
        inv = np.linalg.inv(c2[k])
        q = np.einsum("ni,ij,nj->n", d, inv, d)
        dens += w[k] * np.exp(-0.5 * q) / (2 * np.pi * np.sqrt(np.linalg.det(c2[k])))
    values = dens.reshape(ny, nx)
    s = np.sort(values.ravel())[::-1]
    cum = np.cumsum(s)
    levels = [float(s[np.searchsorted(cum, f * cum[-1])]) for f in FRACTIONS]
    gen = contourpy.contour_generator(xs, ys, values, name="serial", corner_mask=False, line_type="Separate")
    lengths = []
    for level in levels:
        lines = gen.lines(level)
        lengths.append(float(sum(np.sum(np.hypot(*np.diff(line, axis=0).T)) for line in lines)))
    return {
        "name": name,
        "axes": P.tolist(),
        "centre": centre.tolist(),
        "means2": m2.tolist(),
        "covariances2": [[c[0, 0], c[0, 1], c[1, 1]] for c in c2],
        "xDomain": xd,
        "yDomain": yd,
        "nx": nx,
        "ny": ny,
        "values": values.ravel().tolist(),
        "fractions": FRACTIONS,
        "levels": levels,
        "contourLengths": lengths,
    }


cases = [
    grid_case("iris VVV K=3, Petal.Length x Petal.Width", np.eye(4)[[2, 3]], np.zeros(4), 60, 50),
    grid_case("iris VVV K=3, DR1 x DR2", np.array(case["basis"]), data.mean(axis=0), 60, 60),
]
json.dump({"weights": case["weights"], "cases": cases}, open("test/reference/numpy_density_grid.json", "w"))
