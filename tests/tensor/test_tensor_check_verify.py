"""sg.check and sg.verify on tensor expressions: three independent gradients
(numeric engine, finite differences, the scalar engine on the expansion),
and the three verdicts with their evidence."""

import numpy as np
import pytest

import symgraph as sg
from symgraph.tensor.expand import expand

X, w, y = sg.tensors("X:n,m w:m y:n")
A, x = sg.tensors("A:n,n x:n")
LSQ = 0.5 * sg.sum((X @ w - y) ** 2)


def test_check_least_squares_runs_every_method_at_sizes_with_1_and_non_square():
    report = sg.check(LSQ, [w, X, y])
    assert report.ok, str(report)
    sizes = [tuple(c.sizes.values()) for c in report.cases]
    assert (2, 3) in sizes and (1, 1) in sizes  # non-square, and size 1
    methods = set().union(*(c.errors for c in report.cases))
    assert methods == {"numeric", "finite diff", "scalar"}
    assert not report.skipped


def test_check_without_a_numeric_counterpart_says_so_and_still_checks():
    report = sg.check(sg.logdet(A) + x @ sg.inv(A) @ x, [A, x])
    assert report.ok, str(report)
    assert "numeric" in report.skipped and "nm." in report.skipped["numeric"]
    assert any(c.scalar is not None for c in report.cases)


def test_check_detects_a_sabotaged_adjoint_rule(monkeypatch):
    import dataclasses

    from symgraph.tensor import TOPS

    rule = TOPS["matmul"]

    def wrong(g, ans, a, b):  # A v: the adjoint of v doubled
        gx, gv = rule.vjp(g, ans, a, b)
        return gx, gv * 2

    monkeypatch.setitem(TOPS, "matmul", dataclasses.replace(rule, vjp=wrong))
    v = sg.tensors("v:m")
    report = sg.check(0.5 * sg.sum((X @ v - y) ** 2), v)
    assert not report.ok
    assert not report.engine_ok and not report.fd_ok and not report.scalar_ok
    assert "MISMATCH" in str(report)


def test_check_at_given_arrays():
    rng = np.random.default_rng(0)
    point = {
        X: rng.standard_normal((5, 2)),
        w: rng.standard_normal(2),
        y: rng.standard_normal(5),
    }
    report = sg.check(LSQ, w, at=point)
    assert report.ok and len(report.cases) == 1
    want = point[X].T @ (point[X] @ point[w] - point[y])
    np.testing.assert_allclose(report.cases[0].symbolic["w"], want, rtol=1e-12)


def test_scalar_expansion_gradient_equals_tensor_gradient():
    # the second, independent cross-check: expand to scalars, differentiate there
    f = sg.sum(sg.tanh(X @ w) * y) + sg.logsumexp(X @ w)
    fs = expand(f, {"n": 3, "m": 2})
    rng = np.random.default_rng(1)
    point = {
        "X": rng.standard_normal((3, 2)),
        "w": rng.standard_normal(2),
        "y": rng.standard_normal(3),
    }
    values = {f"X_{i}_{j}": point["X"][i, j] for i in range(3) for j in range(2)}
    values |= {f"w_{j}": point["w"][j] for j in range(2)}
    values |= {f"y_{i}": point["y"][i] for i in range(3)}
    for var, arr in (
        (X, sg.symbols_array("X", (3, 2))),
        (w, sg.symbols_array("w", (2,))),
    ):
        scalar = np.asarray(sg.evaluate(sg.grad(fs, arr), values), dtype=float)
        tensor = sg.evaluate(sg.grad(f, var), point)
        np.testing.assert_allclose(scalar, tensor, rtol=1e-12)


# ----- verify -------------------------------------------------------------------------
def test_verify_proves_the_textbook_form_by_identity():
    r = sg.verify(LSQ, w, "X.T @ (X @ w - y)")
    assert r.verdict == "proved" and r.correct and r.counterexample is None
    assert "identical" in r.method
    assert str(r).startswith("proved")


def test_verify_proves_an_expanded_form_with_sympy():
    r = sg.verify(LSQ, w, "X.T @ X @ w - X.T @ y")
    assert r.verdict == "proved", str(r)
    assert "SymPy" in r.method and "K=" in r.method


def test_verify_wrong_gives_a_confirmed_counterexample():
    r = sg.verify(LSQ, w, "X.T @ X @ w")
    assert r.verdict == "wrong" and not r.correct
    ce = r.counterexample
    assert set(ce) >= {"sizes", "point", "claimed", "actual", "finite_difference"}
    # the counterexample is real: recompute both sides at its arrays
    p = ce["point"]
    actual = p["X"].T @ (p["X"] @ p["w"] - p["y"])
    np.testing.assert_allclose(ce["actual"], actual, rtol=1e-12)
    np.testing.assert_allclose(ce["claimed"], p["X"].T @ p["X"] @ p["w"], rtol=1e-12)
    assert not np.allclose(ce["claimed"], actual)
    assert str(r).startswith("WRONG")


def test_verify_wrong_shape_is_the_cs231n_check():
    r = sg.verify(LSQ, w, "X @ w - y")
    assert r.verdict == "wrong"
    assert (
        "shape" in r.counterexample["reason"] and "(m,)" in r.counterexample["reason"]
    )


def test_verify_size_specific_ops_give_no_counterexample_with_evidence():
    r = sg.verify(sg.det(A), A, "det(A) * inv(A).T @ eye(n)")
    assert r.verdict in ("proved", "no counterexample")
    r = sg.verify(sg.logdet(A @ A), A, "2 * inv(A).T")
    assert r.verdict == "no counterexample", str(r)
    assert r.correct and r.counterexample is None
    assert r.evidence["sizes"] >= 3 and r.evidence["points"] >= 3
    assert "size-specific" in r.evidence["proof"]


def test_verify_at_points_where_an_assumption_holds():
    W, Xd, Y = sg.tensors("W:k,d Xd:d,N Y:k,N")
    f = -sg.sum(Y * sg.log_softmax(W @ Xd, axis=0))
    course = "(softmax(W @ Xd, axis=0) - Y) @ Xd.T"
    assert sg.verify(f, W, course).verdict == "wrong"  # not for every Y
    rng = np.random.default_rng(0)
    onehot = np.zeros((3, 5))
    onehot[rng.integers(0, 3, 5), np.arange(5)] = 1.0
    at = [
        {
            "W": rng.standard_normal((3, 4)),
            "Xd": rng.standard_normal((4, 5)),
            "Y": onehot,
        }
    ]
    r = sg.tensor.verify(f, W, course, at=at, budget=0.5)
    assert r.verdict == "no counterexample" and r.evidence["points"] == 1


def test_verify_refuses_unknown_tensors_in_the_claim():
    with pytest.raises(sg.ParseError, match="unknown tensor 'Z'"):
        sg.verify(LSQ, w, "Z @ w")
