"""Matrix calculus 2: the two-layer net W2 max(0, W1 x), at the matrix level.

The backprop table names each node (z = W1 x, a = relu(z), ...), shows the
local rule of its op in matrix form and its upstream gradient; the gradient
expressions are checked three ways (numeric engine, finite differences, the
scalar engine on the expansion) and against the hand-written NumPy
backprop of the course, then the lowered gradient trains the net.
"""

import numpy as np

import symgraph as sg

W1, W2, X, Y = sg.tensors("W1:h,d W2:k,h X:d,N Y:k,N")
z = (W1 @ X).named("z")
a = sg.relu(z).named("a")
r = (W2 @ a - Y).named("r")
loss = (0.5 * sg.sum(r**2)).named("L")

print(sg.tensor.backprop_table(loss))
print()
report = sg.check(loss, [W1, W2])
print(report.ok, "at sizes", sorted({tuple(c.sizes.values()) for c in report.cases}))
assert report.ok

rng = np.random.default_rng(0)
w1, w2 = rng.standard_normal((16, 2)), rng.standard_normal((1, 16)) * 0.1
xv = rng.uniform(-1, 1, (2, 200))
yv = np.sin(np.pi * xv[:1]) * xv[1:]  # a smooth target
grad_fn = sg.lambdify([W1, W2, X, Y], [loss, *sg.grad(loss, [W1, W2])])

# the course's matrix backprop, written by hand: the independent reference
zv = w1 @ xv
rv = w2 @ np.maximum(zv, 0) - yv
dw2 = rv @ np.maximum(zv, 0).T
dw1 = ((w2.T @ rv) * (zv > 0)) @ xv.T
value, g1, g2 = grad_fn(w1, w2, xv, yv)
assert np.allclose(g1, dw1) and np.allclose(g2, dw2)

first = value
for _ in range(500):
    value, g1, g2 = grad_fn(w1, w2, xv, yv)
    w1 -= 1e-3 * g1
    w2 -= 1e-3 * g2
print(f"loss {first:.3f} -> {value:.3f}")
assert value < first
