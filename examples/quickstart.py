"""The main job in one script: a gradient derived, checked and printed.

f(x, y, z) = (x + y) * z is the first computational graph of CS231n's
backpropagation notes; at (x, y, z) = (-2, 5, -4) the notes give
f = -12 and (df/dx, df/dy, df/dz) = (-4, -4, 3).
"""

import sympy as sp

import symgraph as sg

x, y, z = sg.symbols("x y z")
q = (x + y).named("q")
f = q * z

grads = sg.grad(f, [x, y, z])
point = {x: -2.0, y: 5.0, z: -4.0}
values = sg.evaluate(grads, point)

print(f"f = {f}")
for v, g, val in zip("xyz", grads, values):
    print(f"  df/d{v} = {g}  =  {val:g}  at (x, y, z) = (-2, 5, -4)")

# Checked three independent ways: SymPy's own diff (exactly), and sg.check,
# which runs the same DAG through the numeric engine's reverse mode and takes
# central finite differences at the same point.
fs = f.to_sympy()
for v, g in zip((x, y, z), grads):
    assert sp.simplify(g.to_sympy() - sp.diff(fs, v.to_sympy())) == 0
report = sg.check(f, [x, y, z], at=point)
print(report)
assert report.ok
assert sg.evaluate(f, point) == -12.0
assert values == [-4.0, -4.0, 3.0]
print("checked against sympy.diff, the numeric engine and finite differences: ok")
