"""Course exercise 6: a 3x3 input convolved with a 2x2 filter.

Deep-learning "convolution" is cross-correlation: Y[i, j] =
sum_mn X[i+m, j+n] W[m, n], a 2x2 output in "valid" mode. Each output entry
is printed as the explicit sum a student writes down; the values are
compared with scipy.signal.correlate2d, and the gradient of L = sum(G * Y)
with the rules dL/dW = X corr G, dL/dX = G conv W (full).
"""

import numpy as np
import scipy.signal

import symgraph as sg

X = sg.symbols_array("X", (3, 3))
W = sg.symbols_array("W", (2, 2))
Y = sg.correlate2d(X, W)
print("Y = X corr W, entry by entry:")
for idx in np.ndindex(Y.shape):
    print(f"  Y{idx} = {Y[idx]}")

x = np.array([[1.0, 2.0, 0.0], [3.0, -1.0, 2.0], [0.0, 1.0, 4.0]])
w = np.array([[1.0, 0.0], [-1.0, 2.0]])
g = np.array([[1.0, -2.0], [0.5, 3.0]])
at = {X[i]: x[i] for i in np.ndindex(3, 3)} | {W[i]: w[i] for i in np.ndindex(2, 2)}
y = sg.evaluate(Y, at)
print("\nX =\n", x, "\nW =\n", w, "\nY =\n", y)
assert np.array_equal(y, scipy.signal.correlate2d(x, w, "valid"))

L = sum((g * Y).ravel())
dW = sg.evaluate(sg.grad(L, W), at)
dX = sg.evaluate(sg.grad(L, X), at)
print("\nupstream G = dL/dY =\n", g, "\ndL/dW =\n", dW, "\ndL/dX =\n", dX)
assert np.allclose(dW, scipy.signal.correlate2d(x, g, "valid"))
assert np.allclose(dX, scipy.signal.convolve2d(g, w, "full"))
print("Y matches scipy.signal.correlate2d; dL/dW = X corr G; dL/dX = G conv W (full)")
