"""Course exercise 2: a sigmoid neuron, gate by gate.

f(w, x) = 1 / (1 + exp(-(w0 x0 + w1 x1 + w2))) with w = (2, -3, -3) and
x = (-1, -2), as in CS231n's notes: the forward output is 0.73 and the
gradients are dw = (-0.197, -0.393, 0.197), dx = (0.393, -0.590). Grouping
the last four gates into one sigmoid gate gives the same numbers through
sigma'(z) = sigma(z) (1 - sigma(z)).
"""

import math

import numpy as np

import symgraph as sg

w0, w1, w2, x0, x1 = sg.symbols("w0 w1 w2 x0 x1")
z = (w0 * x0 + w1 * x1 + w2).named("z")
f = 1 / (1 + sg.exp(-z))
at = {w0: 2, w1: -3, w2: -3, x0: -1, x1: -2}

table = sg.backprop_table(f, at)
print("sigmoid neuron, every gate separately:\n")
print(table)

g = table.gradients
dw = [g["w0"], g["w1"], g["w2"]]
dx = [g["x0"], g["x1"]]
print(f"\nf = {table.value:.4f}")
print("dw =", np.round(dw, 3), " dx =", np.round(dx, 3))

# Textbook values, and the closed form sigma'(z) = sigma(1 - sigma).
assert abs(table.value - 0.73) < 5e-3
assert np.allclose(dw, [-0.197, -0.393, 0.197], atol=1e-3)
assert np.allclose(dx, [0.393, -0.590], atol=1e-3)
s = 1 / (1 + math.exp(-1.0))  # z = 2*(-1) + (-3)*(-2) - 3 = 1
assert np.allclose(dw, [-1 * s * (1 - s), -2 * s * (1 - s), s * (1 - s)], rtol=1e-12)

compact = sg.backprop_table(sg.sigmoid(z), at)
print("\nthe same neuron with one sigmoid gate:\n")
print(compact)
assert np.allclose([compact.gradients[k] for k in g], list(g.values()), rtol=1e-12)
print("matches CS231n's dw = (-0.197, -0.393, 0.197), dx = (0.393, -0.590)")
