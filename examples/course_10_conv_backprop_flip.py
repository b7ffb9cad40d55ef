"""Course exercise 10: backprop through a conv layer and the flip-180 identities.

For Y = X corr W (3x3 input, 2x2 filter, valid) and L = sum(G * Y) with an
upstream gradient G, entry by entry in SymPy:
    dL/dW = X corr G                       (correlate X with the upstream)
    dL/dX = G conv W, "full"               (= G padded, correlated with W rotated 180)
The script proves both symbolically, shows the unrotated filter is wrong,
and checks numbers against scipy.signal.
"""

import numpy as np
import scipy.signal
import sympy as sp

import symgraph as sg

X = sg.symbols_array("X", (3, 3))
W = sg.symbols_array("W", (2, 2))
G = sg.symbols_array("G", (2, 2))
L = sum((G * sg.correlate2d(X, W)).ravel())

dW, dX = sg.grad(L, W), sg.grad(L, X)
corr_XG = sg.correlate2d(X, G)
conv_GW = sg.convolve2d(G, W, "full")
print("dL/dW[0, 0] =", dW[0, 0].to_sympy())
print("dL/dX[1, 1] =", sp.expand(dX[1, 1].to_sympy()))
for idx in np.ndindex(2, 2):
    assert sp.expand(dW[idx].to_sympy() - corr_XG[idx].to_sympy()) == 0
for idx in np.ndindex(3, 3):
    assert sp.expand(dX[idx].to_sympy() - conv_GW[idx].to_sympy()) == 0
print("dL/dW = correlate2d(X, G) and dL/dX = convolve2d(G, W, 'full'): all entries")

rotated = sg.correlate2d(np.pad(G, 1, constant_values=0), W[::-1, ::-1])
for idx in np.ndindex(3, 3):
    assert sp.expand(dX[idx].to_sympy() - rotated[idx].to_sympy()) == 0
unrotated = sg.correlate2d(np.pad(G, 1, constant_values=0), W)
wrong = [
    i
    for i in np.ndindex(3, 3)
    if sp.expand(dX[i].to_sympy() - unrotated[i].to_sympy()) != 0
]
print(f"with the filter NOT rotated, {len(wrong)} of 9 entries of dL/dX are wrong")
assert wrong

rng = np.random.default_rng(1)
x, w, g = (
    rng.standard_normal((3, 3)),
    rng.standard_normal((2, 2)),
    rng.standard_normal((2, 2)),
)
at = ({X[i]: x[i] for i in np.ndindex(3, 3)} | {W[i]: w[i] for i in np.ndindex(2, 2)}
      | {G[i]: g[i] for i in np.ndindex(2, 2)})  # fmt: skip
assert np.allclose(sg.evaluate(dW, at), scipy.signal.correlate2d(x, g, "valid"))
assert np.allclose(sg.evaluate(dX, at), scipy.signal.convolve2d(g, w, "full"))
print("and numerically, against scipy.signal: ok")
