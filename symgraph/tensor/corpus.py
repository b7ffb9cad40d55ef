"""A corpus of matrix derivatives: The Matrix Cookbook and standard ML layers.

One declarative table. Each entry gives shapes, a scalar function and the
variable in NumPy syntax (read by the safe tensor parser), the closed form
the reference states, where it comes from (equation numbers of The Matrix
Cookbook, Petersen & Pedersen, version of November 15, 2012; or the course
the layer gradient is taught in) and how to draw points (``near_identity``
keeps square matrices invertible with a positive determinant; ``onehot:Y``
makes the columns of Y one-hot, the assumption of the course's softmax
cross-entropy form). The tests derive every entry symbolically, print it,
and check it against the closed form and against central differences at
random sizes; the benchmark times the derivations and compares SymPy's
MatrixSymbol differentiation on the same entries.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CORPUS", "Identity"]


@dataclass(frozen=True)
class Identity:
    """One corpus entry (see the module doc)."""

    name: str
    source: str
    shapes: str
    f: str
    wrt: str
    closed: str
    points: str = "normal"
    sizes: tuple = ()

    def build(self):
        """``(f, wrt symbol, closed form)`` as tensor nodes."""
        from .node import tensors
        from .parse import parse

        declared = tensors(self.shapes)
        symbols = declared if isinstance(declared, tuple) else (declared,)
        by_name = {s.value: s for s in symbols}
        return (
            parse(self.f, list(symbols)),
            by_name[self.wrt],
            parse(self.closed, list(symbols)),
        )


_C = "Matrix Cookbook"
CORPUS = (
    # ----- traces (Cookbook 2.5) ------------------------------------------------------
    Identity("tr(X)", f"{_C} (99)", "X:n,n", "trace(X)", "X", "eye(n)"),
    Identity("tr(XA)", f"{_C} (100)", "X:n,m A:m,n", "trace(X @ A)", "X", "A.T"),
    Identity("tr(AXB)", f"{_C} (102)", "A:p,n X:n,m B:m,p", "trace(A @ X @ B)", "X", "A.T @ B.T"),
    Identity("tr(AX'B)", f"{_C} (103)", "A:p,m X:n,m B:n,p", "trace(A @ X.T @ B)", "X", "B @ A"),
    Identity("tr(X'A)", f"{_C} (104)", "X:n,m A:n,m", "trace(X.T @ A)", "X", "A"),
    Identity("tr(AX')", f"{_C} (105)", "A:n,m X:n,m", "trace(A @ X.T)", "X", "A"),
    Identity("tr(X^2)", f"{_C} (106)", "X:n,n", "trace(X @ X)", "X", "2 * X.T"),
    Identity("tr(X^2 B)", f"{_C} (107)", "X:n,n B:n,n", "trace(X @ X @ B)", "X", "(X @ B + B @ X).T"),
    Identity("tr(X'BX)", f"{_C} (108)", "X:n,m B:n,n", "trace(X.T @ B @ X)", "X", "B @ X + B.T @ X"),
    Identity("tr(BXX')", f"{_C} (109)", "X:n,m B:n,n", "trace(B @ X @ X.T)", "X", "B @ X + B.T @ X"),
    Identity("tr(XX'B)", f"{_C} (110)", "X:n,m B:n,n", "trace(X @ X.T @ B)", "X", "B @ X + B.T @ X"),
    Identity("tr(XBX')", f"{_C} (111)", "X:n,m B:m,m", "trace(X @ B @ X.T)", "X", "X @ B.T + X @ B"),
    Identity("tr(BX'X)", f"{_C} (112)", "X:n,m B:m,m", "trace(B @ X.T @ X)", "X", "X @ B.T + X @ B"),
    Identity("tr(X'XB)", f"{_C} (113)", "X:n,m B:m,m", "trace(X.T @ X @ B)", "X", "X @ B.T + X @ B"),
    Identity("tr(AXBX)", f"{_C} (114)", "A:n,n X:n,n B:n,n", "trace(A @ X @ B @ X)", "X",
             "A.T @ X.T @ B.T + B.T @ X.T @ A.T"),
    Identity("tr(X'X)", f"{_C} (115)", "X:n,m", "trace(X.T @ X)", "X", "2 * X"),
    Identity("tr(B'X'CXB)", f"{_C} (116)", "B:m,p X:n,m C:n,n", "trace(B.T @ X.T @ C @ X @ B)",
             "X", "C.T @ X @ B @ B.T + C @ X @ B @ B.T"),
    Identity("tr(X'BXC)", f"{_C} (117)", "X:n,m B:n,n C:m,m", "trace(X.T @ B @ X @ C)", "X",
             "B @ X @ C + B.T @ X @ C.T"),
    Identity("tr(AXBX'C)", f"{_C} (118)", "A:p,n X:n,m B:m,m C:n,p",
             "trace(A @ X @ B @ X.T @ C)", "X", "A.T @ C.T @ X @ B.T + C @ A @ X @ B"),
    Identity("tr((AXB+C)(AXB+C)')", f"{_C} (119)", "A:p,n X:n,m B:m,q C:p,q",
             "trace((A @ X @ B + C) @ (A @ X @ B + C).T)", "X", "2 * A.T @ (A @ X @ B + C) @ B.T"),
    Identity("tr(X^3)", f"{_C} (121), k = 3", "X:n,n", "trace(X @ X @ X)", "X", "3 * (X @ X).T"),
    Identity("tr(AX^-1B)", f"{_C} (124)", "A:n,n X:n,n B:n,n", "trace(A @ inv(X) @ B)", "X",
             "-(inv(X) @ B @ A @ inv(X)).T", "near_identity"),
    Identity("tr(X^-1)", f"{_C} (124), A = B = I", "X:n,n", "trace(inv(X))", "X",
             "-(inv(X) @ inv(X)).T", "near_identity"),
    Identity("tr(X'X)/2 + tr(AX)", f"{_C} (100), (115)", "X:n,m A:m,n",
             "0.5 * trace(X.T @ X) + trace(A @ X)", "X", "X + A.T"),
    # ----- determinants (Cookbook 2.1.3, 2.4) -------------------------------------------
    Identity("det(X)", f"{_C} (49)", "X:n,n", "det(X)", "X", "det(X) * inv(X).T", "near_identity"),
    Identity("det(X')", f"{_C} (49), det(X') = det(X)", "X:n,n", "det(X.T)", "X",
             "det(X) * inv(X.T)", "near_identity"),
    Identity("det(AXB)", f"{_C} (51)", "A:n,n X:n,n B:n,n", "det(A @ X @ B)", "X",
             "det(A @ X @ B) * inv(X).T", "near_identity"),
    Identity("det(X^2)", f"{_C} (52), k = 2", "X:n,n", "det(X @ X)", "X",
             "2 * det(X @ X) * inv(X).T", "near_identity"),
    Identity("ln|det X|", f"{_C} (57)", "X:n,n", "logdet(X)", "X", "inv(X).T", "near_identity"),
    Identity("ln det(X'X)", f"{_C} (53)", "X:n,m", "logdet(X.T @ X)", "X",
             "2 * X @ inv(X.T @ X)", "normal", ({"n": 4, "m": 2}, {"n": 3, "m": 3}, {"n": 2, "m": 1})),
    Identity("det(X'AX)", f"{_C} (55)", "X:n,m A:n,n", "det(X.T @ A @ X)", "X",
             "det(X.T @ A @ X) * (A @ X @ inv(X.T @ A @ X) + A.T @ X @ inv(X.T @ A.T @ X))",
             "near_identity", ({"n": 3, "m": 2}, {"n": 2, "m": 2}, {"n": 4, "m": 1})),
    Identity("ln det(A + X)", f"{_C} (57) with a shift", "X:n,n A:n,n", "logdet(A + X)", "X",
             "inv(A + X).T", "near_identity"),
    # ----- inverses (Cookbook 2.2) --------------------------------------------------------
    Identity("a'X^-1b", f"{_C} (61)", "a:n X:n,n b:n", "a @ inv(X) @ b", "X",
             "-(inv(X).T @ outer(a, b) @ inv(X).T)", "near_identity"),
    Identity("tr(A X^-1)", f"{_C} (124), B = I", "A:n,n X:n,n", "trace(A @ inv(X))", "X",
             "-(inv(X) @ A @ inv(X)).T", "near_identity"),
    # ----- linear and quadratic forms (Cookbook 2.4.1-2.4.2) -------------------------------
    Identity("x'a", f"{_C} (69)", "x:n a:n", "x @ a", "x", "a"),
    Identity("a'x", f"{_C} (69)", "x:n a:n", "a @ x", "x", "a"),
    Identity("a'Xb", f"{_C} (70)", "a:n X:n,m b:m", "a @ X @ b", "X", "outer(a, b)"),
    Identity("a'X'b", f"{_C} (71)", "a:m X:n,m b:n", "a @ X.T @ b", "X", "outer(b, a)"),
    Identity("a'Xa", f"{_C} (72)", "a:n X:n,n", "a @ X @ a", "X", "outer(a, a)"),
    Identity("b'X'Xc", f"{_C} (77)", "X:n,m b:m c:m", "b @ X.T @ X @ c", "X",
             "X @ (outer(b, c) + outer(c, b))"),
    Identity("(Bx+b)'C(Dx+d)", f"{_C} (78)", "x:n B:p,n b:p C:p,q D:q,n d:q",
             "(B @ x + b) @ C @ (D @ x + d)", "x", "B.T @ C @ (D @ x + d) + D.T @ C.T @ (B @ x + b)"),
    Identity("b'X'DXc", f"{_C} (79)", "X:n,m D:n,n b:m c:m", "b @ X.T @ D @ X @ c", "X",
             "D.T @ X @ outer(b, c) + D @ X @ outer(c, b)"),
    Identity("(Xb+c)'D(Xb+c)", f"{_C} (80)", "X:n,m b:m c:n D:n,n",
             "(X @ b + c) @ D @ (X @ b + c)", "X", "outer((D + D.T) @ (X @ b + c), b)"),
    Identity("x'Bx", f"{_C} (81)", "x:n B:n,n", "x @ B @ x", "x", "(B + B.T) @ x"),
    Identity("x'Bx / 2", f"{_C} (81)", "x:n B:n,n", "0.5 * x @ B @ x", "x", "0.5 * (B + B.T) @ x"),
    Identity("b'X'Xb", f"{_C} (82)", "X:n,m b:m", "b @ X.T @ X @ b", "X", "2 * X @ outer(b, b)"),
    Identity("(x-s)'W(x-s), W sym.", f"{_C} (84)", "x:n s:n C:n,n",
             "(x - s) @ (C + C.T) @ (x - s)", "x", "2 * (C + C.T) @ (x - s)"),
    Identity("(x-As)'W(x-As) d/ds", f"{_C} (86)", "x:n A:n,m s:m C:n,n",
             "(x - A @ s) @ (C + C.T) @ (x - A @ s)", "s", "-2 * A.T @ (C + C.T) @ (x - A @ s)"),
    Identity("(x-As)'W(x-As) d/dx", f"{_C} (87)", "x:n A:n,m s:m C:n,n",
             "(x - A @ s) @ (C + C.T) @ (x - A @ s)", "x", "2 * (C + C.T) @ (x - A @ s)"),
    Identity("(x-As)'W(x-As) d/dA", f"{_C} (88)", "x:n A:n,m s:m C:n,n",
             "(x - A @ s) @ (C + C.T) @ (x - A @ s)", "A", "-2 * outer((C + C.T) @ (x - A @ s), s)"),
    Identity("a'X'Xb", f"{_C} (77), b != c", "X:n,m a:m b:m", "a @ X.T @ X @ b", "X",
             "X @ (outer(a, b) + outer(b, a))"),
    # ----- norms (Cookbook 2.6) -------------------------------------------------------------
    Identity("|x-a|_2", f"{_C} (129)", "x:n a:n", "norm(x - a)", "x", "(x - a) / norm(x - a)"),
    Identity("|x|_2^2", f"{_C} (131)", "x:n", "norm(x)**2", "x", "2 * x"),
    Identity("|X|_F^2", f"{_C} (132)", "X:n,m", "norm(X)**2", "X", "2 * X"),
    Identity("|X|_F", f"{_C} (132), chain rule", "X:n,m", "norm(X)", "X", "X / norm(X)"),
    Identity("|x|_1", "abs'(x) = sign(x)", "x:n", "norm(x, 1)", "x", "sign(x)"),
    Identity("|Ax-b|^2", f"{_C} (131), chain rule", "A:n,m x:m b:n", "norm(A @ x - b)**2", "x",
             "2 * A.T @ (A @ x - b)"),
    Identity("x'x", f"{_C} (69), (81)", "x:n", "x @ x", "x", "2 * x"),
    # ----- elementwise and reductions ------------------------------------------------------
    Identity("sum(X)", "d sum = 1", "X:n,m", "sum(X)", "X", "ones((n, m))"),
    Identity("sum(a * x**2)", "elementwise", "x:n a:n", "sum(a * x**2)", "x", "2 * a * x"),
    Identity("sum(log(x))", "elementwise", "x:n", "sum(log(x))", "x", "1 / x", "positive"),
    Identity("logsumexp(x)", "softmax is the gradient of log-sum-exp", "x:n", "logsumexp(x)",
             "x", "softmax(x)"),
    Identity("sum(sigmoid(x))", "sigma' = sigma (1 - sigma)", "x:n", "sum(sigmoid(x))", "x",
             "sigmoid(x) * (1 - sigmoid(x))"),
    Identity("lam/2 |W|_F^2", "L2 regularisation", "W:n,m lam", "0.5 * lam * sum(W**2)", "W",
             "lam * W"),
    # ----- ML layer gradients (CS231n, Goodfellow et al. ch. 6) ----------------------------
    Identity("least squares d/dw", "linear regression", "X:n,m w:m y:n",
             "0.5 * sum((X @ w - y)**2)", "w", "X.T @ (X @ w - y)"),
    Identity("least squares d/dX", "linear regression", "X:n,m w:m y:n",
             "0.5 * sum((X @ w - y)**2)", "X", "outer(X @ w - y, w)"),
    Identity("MSE with bias d/dc", "linear regression", "X:n,m w:m c y:n",
             "0.5 * sum((X @ w + c - y)**2)", "c", "sum(X @ w + c - y)"),
    Identity("affine layer d/dW", "CS231n affine_backward", "X:N,D W:D,M b:M G:N,M",
             "sum(G * (X @ W + b))", "W", "X.T @ G"),
    Identity("affine layer d/dX", "CS231n affine_backward", "X:N,D W:D,M b:M G:N,M",
             "sum(G * (X @ W + b))", "X", "G @ W.T"),
    Identity("affine layer d/db", "CS231n affine_backward", "X:N,D W:D,M b:M G:N,M",
             "sum(G * (X @ W + b))", "b", "sum(G, axis=0)"),
    Identity("logistic regression", "Bishop (4.91)", "X:n,m w:m y:n",
             "sum(softplus(X @ w) - y * (X @ w))", "w", "X.T @ (sigmoid(X @ w) - y)"),
    Identity("softmax cross-entropy", "CS231n softmax_loss", "W:k,d X:d,N Y:k,N",
             "-sum(Y * log_softmax(W @ X, axis=0))", "W", "(softmax(W @ X, axis=0) - Y) @ X.T",
             "onehot:Y"),
    Identity("softmax cross-entropy, any Y", "the same, targets not normalised",
             "W:k,d X:d,N Y:k,N", "-sum(Y * log_softmax(W @ X, axis=0))", "W",
             "(softmax(W @ X, axis=0) * sum(Y, axis=0) - Y) @ X.T"),
    Identity("cross-entropy of logits", "d/dz (lse(z) - y'z)", "z:k y:k",
             "logsumexp(z) - y @ z", "z", "softmax(z) - y"),
    Identity("batch cross-entropy", "rows are samples", "Z:N,k Y:N,k",
             "sum(logsumexp(Z, axis=1)) - sum(Y * Z)", "Z", "softmax(Z, axis=1) - Y"),
    Identity("hinge loss", "linear SVM", "X:n,m w:m y:n",
             "sum(relu(1 - y * (X @ w)))", "w", "-X.T @ (y * heaviside(1 - y * (X @ w), 0))"),
    Identity("tanh layer", "backprop through tanh", "W:m,n x:n G:m",
             "sum(G * tanh(W @ x))", "W", "outer(G * (1 - tanh(W @ x)**2), x)"),
    Identity("two-layer net d/dW2", "CS231n two-layer net", "W1:h,d W2:k,h x:d y:k",
             "0.5 * sum((W2 @ relu(W1 @ x) - y)**2)", "W2",
             "outer(W2 @ relu(W1 @ x) - y, relu(W1 @ x))"),
    Identity("two-layer net d/dW1", "CS231n two-layer net", "W1:h,d W2:k,h x:d y:k",
             "0.5 * sum((W2 @ relu(W1 @ x) - y)**2)", "W1",
             "outer(heaviside(W1 @ x, 0) * (W2.T @ (W2 @ relu(W1 @ x) - y)), x)"),
    Identity("conv layer d/dK", "CS231n conv backward", "X:H,V K:a,b",
             "0.5 * sum(correlate2d(X, K)**2)", "K",
             "correlate2d(X, correlate2d(X, K))", "normal",
             ({"H": 5, "V": 6, "a": 2, "b": 3}, {"H": 4, "V": 4, "a": 1, "b": 1},
              {"H": 3, "V": 5, "a": 3, "b": 2})),
    Identity("conv layer d/dX", "CS231n conv backward: a full convolution", "X:H,V K:a,b",
             "0.5 * sum(correlate2d(X, K)**2)", "X",
             "convolve2d(correlate2d(X, K), K, mode='full')", "normal",
             ({"H": 5, "V": 6, "a": 2, "b": 3}, {"H": 4, "V": 4, "a": 1, "b": 1},
              {"H": 3, "V": 5, "a": 3, "b": 2})),
    Identity("Gaussian log-likelihood d/dS", f"{_C} (57), (61)", "S:n,n x:n",
             "0.5 * logdet(S) + 0.5 * x @ inv(S) @ x", "S",
             "0.5 * inv(S).T - 0.5 * inv(S).T @ outer(x, x) @ inv(S).T", "near_identity"),
    Identity("Mahalanobis d/dmu", f"{_C} (86)", "S:n,n x:n mu:n",
             "(x - mu) @ inv(S) @ (x - mu)", "mu", "-(inv(S) + inv(S).T) @ (x - mu)",
             "near_identity"),
)  # fmt: skip
