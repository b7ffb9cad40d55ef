"""Course exercise 7: a 6x6x3 input and a 3x3x3 filter give a 4x4 output.

A filter spans all input channels: Y[i, j] = sum_c sum_mn X[c, i+m, j+n]
W[c, m, n] + b, so one filter makes one 4x4 activation map (6 - 3 + 1 = 4),
with 27 weights and one bias. The symbolic layer is compared with NumPy
loops and with scipy.signal.correlate2d summed over channels; dL/dW per
channel is X[c] corr G.
"""

import numpy as np
import scipy.signal

import symgraph as sg

rng = np.random.default_rng(0)
x = rng.integers(-2, 3, (3, 6, 6)).astype(float)
w = rng.integers(-1, 2, (3, 3, 3)).astype(float)
g = rng.integers(-1, 2, (4, 4)).astype(float)

W = sg.symbols_array("W", (3, 3, 3))
b = sg.symbols("b")
# numbers in X, symbols in W: each output entry is linear in the 27 weights
Y = sum(sg.correlate2d(x[c], W[c]) for c in range(3)) + b
print(f"output shape {Y.shape}; Y[0, 0] has {sg.count_nodes(Y[0, 0])} nodes")

at = {W[i]: w[i] for i in np.ndindex(W.shape)} | {b: 1.0}
y = sg.evaluate(Y, at)
print("Y =\n", y)

loops = np.zeros((4, 4))
for i, j in np.ndindex(4, 4):
    loops[i, j] = np.sum(x[:, i : i + 3, j : j + 3] * w) + 1.0
assert np.array_equal(y, loops)
assert np.array_equal(
    y, sum(scipy.signal.correlate2d(x[c], w[c], "valid") for c in range(3)) + 1.0
)

L = sum((g * Y).ravel())
dW = sg.evaluate(sg.grad(L, W), at)
(db,) = sg.evaluate(sg.grad(L, [b]), at)
print("dL/dW[0] =\n", dW[0], "\ndL/db =", db)
for c in range(3):
    assert np.array_equal(dW[c], scipy.signal.correlate2d(x[c], g, "valid"))
assert db == g.sum()
print("matches NumPy loops and scipy.signal; dL/dW[c] = X[c] corr G, dL/db = sum(G)")
