"""Course exercise 4: L(w1, w2) = (f2(w2 * f1(w1 * x)) - y)^2.

A two-weight chain with f1 = tanh and f2 = sigmoid, at x = 1.5, y = 0.2,
w1 = 0.8, w2 = -1.1. The chain rule gives
  dL/dw2 = 2 (a2 - y) * f2'(z2) * a1
  dL/dw1 = 2 (a2 - y) * f2'(z2) * w2 * f1'(z1) * x
with z1 = w1 x, a1 = f1(z1), z2 = w2 a1, a2 = f2(z2); checked against that
formula in NumPy, sympy.diff and central differences.
"""

import math

import sympy as sp

import symgraph as sg

w1, w2, x, y = sg.symbols("w1 w2 x y")
z1 = (w1 * x).named("z1")
a1 = sg.tanh(z1).named("a1")
z2 = (w2 * a1).named("z2")
a2 = sg.sigmoid(z2).named("a2")
err = (a2 - y).named("e")
L = (err**2).named("L")
at = {w1: 0.8, w2: -1.1, x: 1.5, y: 0.2}

table = sg.backprop_table(L, at)
print(table)
g = table.gradients
print(f"\ndL/dw1 = {g['w1']:.6f}   dL/dw2 = {g['w2']:.6f}")

# The chain rule written out by hand.
Z1 = 0.8 * 1.5
A1 = math.tanh(Z1)
Z2 = -1.1 * A1
A2 = 1 / (1 + math.exp(-Z2))
dA2 = 2 * (A2 - 0.2)
dZ2 = dA2 * A2 * (1 - A2)
assert math.isclose(g["w2"], dZ2 * A1, rel_tol=1e-12)
assert math.isclose(g["w1"], dZ2 * -1.1 * (1 - A1**2) * 1.5, rel_tol=1e-12)

# sympy.diff of the whole formula, and central differences.
W1, W2, X, Y = sp.symbols("w1 w2 x y")
Ls = (1 / (1 + sp.exp(-W2 * sp.tanh(W1 * X))) - Y) ** 2
subs = {W1: 0.8, W2: -1.1, X: 1.5, Y: 0.2}
for name, sym in (("w1", W1), ("w2", W2)):
    assert math.isclose(g[name], float(sp.diff(Ls, sym).subs(subs)), rel_tol=1e-10)
report = sg.check(L, [w1, w2], at=at)
assert report.ok
print("matches the hand-written chain rule, sympy.diff and finite differences")
