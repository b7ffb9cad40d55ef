"""Tensor nodes: declaration, hash-consing, shape checks at construction,
unification of symbolic and concrete dimensions, and immutability."""

import numpy as np
import pytest

import symgraph as sg
from symgraph.errors import ShapeError, SymbolNameError


def test_tensors_declares_shapes_in_one_call():
    X, w, _y, a = sg.tensors("X:n,m w:m y:n a")
    assert [str(d) for d in X.shape] == ["n", "m"]
    assert [str(d) for d in w.shape] == ["m"]
    assert a.shape == () and sg.tensors("b:").shape == ()
    assert sg.tensors("Z:3,4").shape == (3, 4)


def test_tensors_dict_spelling_is_the_same_node():
    X = sg.tensors("X:n,m")
    assert sg.tensors({"X": ("n", "m")}) is X


def test_building_twice_gives_the_same_node():
    X, w = sg.tensors("X:n,m w:m")
    assert X @ w is X @ w
    assert sg.exp(X @ w).T is sg.exp(X @ w).T


@pytest.mark.parametrize(
    "build, shapes",
    [
        (lambda X, w, y: X @ y, ("(n, m)", "(n,)")),
        (lambda X, w, y: X + y, ("(n, m)", "(n,)")),
        (lambda X, w, y: w @ X, ("(m,)", "(n, m)")),
        (lambda X, w, y: sg.trace(X), ("(n, m)",)),
    ],
)
def test_shape_mismatch_names_both_shapes(build, shapes):
    X, w, y = sg.tensors("X:n,m w:m y:n")
    with pytest.raises(ShapeError) as err:
        build(X, w, y)
    for s in shapes:
        assert s in str(err.value)


def test_concrete_and_symbolic_dimensions_unify_and_the_binding_travels():
    X, v = sg.tensors("X:n,m v:3")
    h = X @ v
    assert h.shape[0].name == "n"
    assert [(s.name, k) for s, k in h.bound] == [("m", 3)]
    u = sg.tensors("u:4")
    with pytest.raises(ShapeError, match="m is 3 in one operand and 4 in another"):
        h + (X @ u)


def test_bound_dimension_is_enforced_at_evaluation():
    X, v = sg.tensors("X:n,m v:3")
    f = sg.sum(X @ v)
    with pytest.raises(ShapeError, match="axis 1"):
        sg.evaluate(f, {X: np.ones((2, 4)), v: np.ones(3)})
    assert sg.evaluate(f, {X: np.ones((2, 3)), v: np.ones(3)}) == 6.0


def test_nodes_are_immutable_and_not_pickled():
    import pickle

    X = sg.tensors("X:n,m")
    with pytest.raises(AttributeError):
        X.op = "const"
    with pytest.raises(TypeError):
        pickle.dumps(X)


@pytest.mark.parametrize(
    "spec", ["sum:n", "X:n,X", "1X:n", "X:n,,m", "X:n X:m", "class:n"]
)
def test_bad_declarations_are_refused(spec):
    with pytest.raises((ShapeError, SymbolNameError)):
        sg.tensors(spec)


def test_scalar_nodes_cannot_be_mixed_in_silently():
    x = sg.symbols("x")
    w = sg.tensors("w:m")
    with pytest.raises(TypeError, match="scalar node"):
        w * x


def test_evaluate_matches_numpy():
    X, w, y = sg.tensors("X:n,m w:m y:n")
    rng = np.random.default_rng(0)
    Xv, wv, yv = (
        rng.standard_normal((4, 3)),
        rng.standard_normal(3),
        rng.standard_normal(4),
    )
    f = 0.5 * sg.sum((X @ w - y) ** 2)
    want = 0.5 * np.sum((Xv @ wv - yv) ** 2)
    assert sg.evaluate(f, {X: Xv, w: wv, y: yv}) == pytest.approx(want, rel=1e-14)


def test_evaluate_names_the_argument_and_dimension():
    X, w = sg.tensors("X:n,m w:m")
    with pytest.raises(
        ShapeError, match=r"argument w: axis 0 has size 4 but the dimension m = 3"
    ):
        sg.evaluate(X @ w, {X: np.ones((2, 3)), w: np.ones(4)})
    with pytest.raises(ShapeError, match=r"argument X: expected shape \(n, m\)"):
        sg.evaluate(X @ w, {X: np.ones(3), w: np.ones(3)})
