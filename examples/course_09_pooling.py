"""Course exercise 9: max pooling and mean (average) pooling, forward and back.

2x2 windows with stride 2 on a 4x4 input. Max pooling routes each upstream
gradient to the window's largest entry (the max gate is a router); mean
pooling spreads it evenly, 1/4 to each entry. Checked against NumPy loops.
"""

import numpy as np

import symgraph as sg

x = np.array([[1.0, 1.5, 2.0, 4.0], [5.0, 6.0, 7.0, 8.0],
              [3.0, 2.0, 1.0, 0.0], [1.0, 2.0, 3.0, 4.5]])  # fmt: skip
g = np.array([[1.0, -1.0], [2.0, 0.5]])
X = sg.symbols_array("X", (4, 4))
at = {X[i]: x[i] for i in np.ndindex(4, 4)}

for name, pool, reduce in (
    ("max", sg.max_pool2d, np.max),
    ("mean", sg.avg_pool2d, np.mean),
):
    P = pool(X, 2)
    p = sg.evaluate(P, at)
    dX = sg.evaluate(sg.grad(sum((g * P).ravel()), X), at)
    print(
        f"{name} pooling: P[0, 0] = {P[0, 0]}\nP =\n{p}\ndL/dX for dL/dP =\n{g}\n{dX}\n"
    )
    ref_p = np.zeros((2, 2))
    ref_dx = np.zeros((4, 4))
    for i, j in np.ndindex(2, 2):
        win = x[2 * i : 2 * i + 2, 2 * j : 2 * j + 2]
        ref_p[i, j] = reduce(win)
        if name == "max":
            r, c = np.unravel_index(np.argmax(win), win.shape)
            ref_dx[2 * i + r, 2 * j + c] = g[i, j]
        else:
            ref_dx[2 * i : 2 * i + 2, 2 * j : 2 * j + 2] = g[i, j] / 4
    assert np.array_equal(p, ref_p)
    assert np.array_equal(dX, ref_dx)
print("max routes, mean spreads: both match NumPy loops")
