"""Course exercise 5: a two-layer net f = W2 max(0, W1 x), backpropagated.

W1 is 3x2, W2 is 1x3, x has 2 entries. With upstream gradient 1 on the
output, matrix backprop gives dW2 = h^T, dh = W2^T, dpre = dh * [pre > 0],
dW1 = dpre x^T, dx = W1^T dpre; the symbolic gradients are compared with
those NumPy formulas and with central differences.
"""

import numpy as np

import symgraph as sg

W1 = sg.symbols_array("W1", (3, 2))
W2 = sg.symbols_array("W2", (1, 3))
X = sg.symbols_array("x", (2,))

pre = W1 @ X  # object arrays: each entry is a sum of products of nodes
h = sg.relu(pre)
f = (W2 @ h)[0]

w1 = np.array([[0.5, -1.0], [1.5, 0.25], [-0.75, 2.0]])
w2 = np.array([[1.0, -2.0, 0.5]])
xv = np.array([1.0, -0.5])
at = {}
for arr, val in ((W1, w1), (W2, w2), (X, xv)):
    for idx in np.ndindex(arr.shape):
        at[arr[idx]] = val[idx]

print(f"f = {f}\n")
table = sg.backprop_table(f, at)
print(table)

dW1, dW2, dx = (sg.evaluate(sg.grad(f, A), at) for A in (W1, W2, X))
print("\ndf/dW1 =\n", dW1, "\ndf/dW2 =", dW2, "\ndf/dx =", dx)

# Matrix backprop in NumPy (the independent reference).
pre_v = w1 @ xv
h_v = np.maximum(pre_v, 0)
dh = w2[0]
dpre = dh * (pre_v > 0)
assert np.allclose(sg.evaluate(f, at), w2 @ h_v)
assert np.allclose(dW2, h_v[None, :])
assert np.allclose(dW1, np.outer(dpre, xv))
assert np.allclose(dx, w1.T @ dpre)
assert sg.check(f, list(W1.ravel()) + list(W2.ravel()) + list(X), at=at).ok
print("matches matrix backprop in NumPy and finite differences")
