"""Matrix calculus 1: least squares, derived once for every size.

d/dw of 0.5 ||X w - y||^2 is X^T (X w - y): derived at the matrix level,
printed in NumPy syntax and LaTeX, verified as a claim, lowered to a
standalone NumPy module, and used for gradient descent on a 2,000 x 50
problem whose solution is compared with numpy.linalg.lstsq.
"""

import numpy as np

import symgraph as sg

X, w, y = sg.tensors("X:n,m w:m y:n")
f = 0.5 * sg.sum((X @ w - y) ** 2)
g = sg.grad(f, w)
print("d/dw =", g)
print("LaTeX:", sg.tensor.to_latex(g))
print(sg.verify(f, w, "X.T @ X @ w - X.T @ y").verdict, "(the expanded form)")

namespace = {}
exec(
    compile(sg.codegen(f, w, name="loss"), "<generated>", "exec"), namespace
)  # our module
loss_grad = namespace["loss_grad"]

rng = np.random.default_rng(0)
Xv = rng.standard_normal((2000, 50))
w_true = rng.standard_normal(50)
yv = Xv @ w_true + 0.01 * rng.standard_normal(2000)
wv = np.zeros(50)
step = 1.0 / np.linalg.norm(Xv, 2) ** 2  # 1 / Lipschitz constant of the gradient
for _ in range(300):
    value, (dw,) = loss_grad(wv, Xv, yv)
    wv -= step * dw
w_lstsq = np.linalg.lstsq(Xv, yv, rcond=None)[0]
print(f"loss {value:.6f}; |w - lstsq| = {np.linalg.norm(wv - w_lstsq):.2e}")
assert np.linalg.norm(wv - w_lstsq) < 1e-6
