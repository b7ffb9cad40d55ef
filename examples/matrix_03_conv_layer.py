"""Matrix calculus 3: a conv layer's gradients are convolutions.

For Y = X * K (valid cross-correlation) with upstream gradient G, the tensor
engine derives dL/dK = correlate2d(X, G) and dL/dX = convolve2d(G, K, 'full'),
the forms the course derives by hand; both are compared with
scipy.signal at random arrays.
"""

import numpy as np
import scipy.signal

import symgraph as sg

X, K, G = sg.tensors("X:6,7 K:3,2 G:4,6")
L = sg.sum(G * sg.correlate2d(X, K))
dK, dX = sg.grad(L, [K, X])
print("dL/dK =", dK, "  LaTeX:", sg.tensor.to_latex(dK))
print("dL/dX =", dX, "  LaTeX:", sg.tensor.to_latex(dX))

rng = np.random.default_rng(0)
point = {"X": rng.standard_normal((6, 7)), "K": rng.standard_normal((3, 2)),
         "G": rng.standard_normal((4, 6))}  # fmt: skip
got_k, got_x = sg.evaluate([dK, dX], point)
want_k = scipy.signal.correlate2d(point["X"], point["G"], mode="valid")
want_x = scipy.signal.convolve2d(point["G"], point["K"], mode="full")
print("matches scipy.signal:", np.allclose(got_k, want_k), np.allclose(got_x, want_x))
assert np.allclose(got_k, want_k) and np.allclose(got_x, want_x)
