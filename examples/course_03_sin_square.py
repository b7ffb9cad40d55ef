"""Course exercise 3: d/dx sin(x^2) by the chain rule, in a graph of two nodes.

Forward: u = x^2, f = sin(u). Backward: df/du = cos(u), du/dx = 2x, so
df/dx = 2x cos(x^2); checked with sympy.diff and central differences.
"""

import math

import sympy as sp

import symgraph as sg

x = sg.symbols("x")
u = (x**2).named("u")
f = sg.sin(u).named("f")

(dfdx,) = sg.grad(f, [x])
print(f"f = {f}   df/dx = {dfdx}")
print("\nsymbolic table:\n")
print(sg.backprop_table(f))
print("\nat x = 1.5:\n")
table = sg.backprop_table(f, {x: 1.5})
print(table)

xs = sp.Symbol("x")
assert sp.simplify(dfdx.to_sympy() - sp.diff(sp.sin(xs**2), xs)) == 0
assert sg.verify(f, x, "2*x*cos(x**2)").correct
h = 1e-6
fd = (math.sin((1.5 + h) ** 2) - math.sin((1.5 - h) ** 2)) / (2 * h)
assert abs(table.gradients["x"] - 2 * 1.5 * math.cos(1.5**2)) < 1e-12
assert abs(table.gradients["x"] - fd) < 1e-8
print("\ndf/dx = 2 x cos(x^2): matches sympy.diff and central differences")
