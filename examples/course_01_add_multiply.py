"""Course exercise 1: f(x, y, z) = (x + y) z, backpropagated node by node.

The first circuit of CS231n's backpropagation notes. At (x, y, z) = (-2, 5, -4)
the notes give q = x + y = 3, f = -12 and (df/dx, df/dy, df/dz) = (-4, -4, 3):
the add gate distributes the upstream gradient, the multiply gate swaps its
inputs.
"""

import sympy as sp

import symgraph as sg

x, y, z = sg.symbols("x y z")
q = (x + y).named("q")
f = (q * z).named("f")
at = {x: -2, y: 5, z: -4}

table = sg.backprop_table(f, at)
print("f = (x + y) * z at (x, y, z) = (-2, 5, -4)\n")
print(table)
print(
    "\nDOT drawing (render with: symgraph dot '(x+y)*z' --at x=-2,y=5,z=-4 -o f.svg):"
)
print(sg.to_dot(f, at))

# Textbook values (CS231n), and sympy.diff as an independent derivation.
assert table["q"].value == 3 and table["f"].value == -12
assert table.gradients == {"x": -4, "y": -4, "z": 3}
assert table["q"].gate == "distributor" and table["f"].gate == "swap/switcher"
fs = f.to_sympy()
subs = {sp.Symbol("x"): -2, sp.Symbol("y"): 5, sp.Symbol("z"): -4}
for name, g in table.gradients.items():
    assert float(sp.diff(fs, sp.Symbol(name)).subs(subs)) == g
print("matches CS231n's (-4, -4, 3) and sympy.diff")
