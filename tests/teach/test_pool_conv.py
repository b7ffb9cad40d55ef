"""Pooling and convolution on object arrays: values against NumPy loops and
scipy.signal, gradients against hand rules and finite differences, and the
flip-180 identities entry by entry in SymPy."""

import numpy as np
import pytest
import scipy.signal
import sympy as sp

import symgraph as sg


def np_pool(a, k, s, reduce):
    h, w = a.shape
    out = np.empty(((h - k) // s + 1, (w - k) // s + 1))
    for i, j in np.ndindex(out.shape):
        out[i, j] = reduce(a[i * s : i * s + k, j * s : j * s + k])
    return out


def values_of(X, a):
    return {X[idx].value: a[idx] for idx in np.ndindex(X.shape)}


@pytest.mark.parametrize("k,s", [(2, 2), (2, 1), (3, 2)])
def test_max_pool2d_values_match_numpy_loop(k, s):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((5, 5))
    X = sg.symbols_array("X", (5, 5))
    got = sg.evaluate(sg.max_pool2d(X, k, s), values_of(X, a))
    assert np.array_equal(got, np_pool(a, k, s, np.max))


@pytest.mark.parametrize("k,s", [(2, 2), (2, 1), (3, 2)])
def test_avg_pool2d_values_match_numpy_loop(k, s):
    rng = np.random.default_rng(1)
    a = rng.standard_normal((5, 5))
    X = sg.symbols_array("X", (5, 5))
    got = sg.evaluate(sg.avg_pool2d(X, k, s), values_of(X, a))
    assert np.allclose(got, np_pool(a, k, s, np.mean), rtol=1e-14, atol=1e-15)


def test_max_pool2d_gradient_routes_to_argmax():
    rng = np.random.default_rng(2)
    a = rng.permutation(16).reshape(4, 4).astype(float)  # distinct: no ties
    G = rng.integers(-3, 4, (2, 2)).astype(float)
    X = sg.symbols_array("X", (4, 4))
    L = sum((G * sg.max_pool2d(X, 2)).ravel())
    dX = sg.evaluate(sg.grad(L, X), values_of(X, a))
    expected = np.zeros((4, 4))
    for i, j in np.ndindex(2, 2):
        win = a[2 * i : 2 * i + 2, 2 * j : 2 * j + 2]
        r, c = np.unravel_index(np.argmax(win), (2, 2))
        expected[2 * i + r, 2 * j + c] = G[i, j]
    assert np.array_equal(dX, expected)


def test_avg_pool2d_gradient_matches_finite_differences():
    rng = np.random.default_rng(3)
    a = rng.standard_normal((4, 4))
    G = rng.standard_normal((3, 3))
    X = sg.symbols_array("X", (4, 4))
    L = sum((G * sg.avg_pool2d(X, 2, 1)).ravel())
    dX = sg.evaluate(sg.grad(L, X), values_of(X, a))
    h = 1e-6
    fd = np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        up, down = a.copy(), a.copy()
        up[idx] += h
        down[idx] -= h
        fd[idx] = (
            sg.evaluate(L, values_of(X, up)) - sg.evaluate(L, values_of(X, down))
        ) / (2 * h)
    assert np.allclose(dX, fd, atol=1e-8)


def test_max_pool2d_tie_conserves_gradient():
    X = sg.symbols_array("X", (2, 2))
    dX = sg.evaluate(
        sg.grad(sg.max_pool2d(X, 2)[0, 0], X), values_of(X, np.ones((2, 2)))
    )
    assert dX.sum() == 1.0 and (dX >= 0).all()


def test_pool2d_keeps_leading_axes():
    rng = np.random.default_rng(4)
    a = rng.standard_normal((3, 4, 4))
    X = sg.symbols_array("X", (3, 4, 4))
    got = sg.evaluate(sg.max_pool2d(X, 2), values_of(X, a))
    assert got.shape == (3, 2, 2)
    for c in range(3):
        assert np.array_equal(got[c], np_pool(a[c], 2, 2, np.max))


@pytest.mark.parametrize(
    "args,err",
    [((np.zeros((3, 3)), 4), sg.ShapeError), ((np.zeros(3), 2), sg.ShapeError),
     ((np.zeros((3, 3)), 0), ValueError), ((np.zeros((3, 3)), 2, (1, 2, 3)), ValueError),
     ((np.zeros((3, 3)), True), ValueError)],
)  # fmt: skip
def test_pool2d_bad_arguments_rejected(args, err):
    for pool in (sg.max_pool2d, sg.avg_pool2d):
        with pytest.raises(err):
            pool(*args)


@pytest.mark.parametrize("mode", ["valid", "full", "same"])
@pytest.mark.parametrize(
    "shapes", [((3, 3), (2, 2)), ((4, 5), (3, 2)), ((2, 2), (3, 3))]
)
def test_conv2d_modes_match_scipy(mode, shapes):
    rng = np.random.default_rng(5)
    a, k = rng.standard_normal(shapes[0]), rng.standard_normal(shapes[1])
    X, W = sg.symbols_array("X", shapes[0]), sg.symbols_array("W", shapes[1])
    vals = {**values_of(X, a), **values_of(W, k)}
    for ours, theirs in ((sg.correlate2d, scipy.signal.correlate2d),
                         (sg.convolve2d, scipy.signal.convolve2d)):  # fmt: skip
        got = sg.evaluate(ours(X, W, mode), vals)
        assert np.allclose(got, theirs(a, k, mode), rtol=1e-12, atol=1e-12)


def _flip_setup():
    X = sg.symbols_array("X", (3, 3))
    W = sg.symbols_array("W", (2, 2))
    G = sg.symbols_array("G", (2, 2))
    L = sum((G * sg.correlate2d(X, W)).ravel())
    return X, W, G, L


def test_conv_backprop_weight_gradient_is_correlation_with_upstream():
    X, W, G, L = _flip_setup()
    dW = sg.grad(L, W)
    expected = sg.correlate2d(X, G)
    assert dW.shape == expected.shape == (2, 2)
    for idx in np.ndindex(2, 2):
        assert sp.expand(dW[idx].to_sympy() - expected[idx].to_sympy()) == 0, idx


def test_conv_backprop_input_gradient_is_full_convolution_with_filter():
    X, W, G, L = _flip_setup()
    dX = sg.grad(L, X)
    expected = sg.convolve2d(G, W, "full")
    assert dX.shape == expected.shape == (3, 3)
    for idx in np.ndindex(3, 3):
        assert sp.expand(dX[idx].to_sympy() - expected[idx].to_sympy()) == 0, idx


def test_conv_backprop_identity_is_not_vacuous():
    # the unflipped filter is wrong for dL/dX: the identity test can fail
    X, W, G, L = _flip_setup()
    dX = sg.grad(L, X)
    wrong = sg.correlate2d(G, W, "full")
    assert any(
        sp.expand(dX[i].to_sympy() - wrong[i].to_sympy()) != 0 for i in np.ndindex(3, 3)
    )


def test_jacobian_of_vector_function_matches_sympy():
    x, y = sg.symbols("x y")
    F = np.array([x * y, sg.sin(x) + y**2, sg.exp(x * y)], dtype=object)
    J = sg.jacobian(F, [x, y])
    Js = sp.Matrix([f.to_sympy() for f in F]).jacobian(sp.symbols("x y"))
    assert J.shape == (3, 2)
    for i, j in np.ndindex(3, 2):
        assert sp.simplify(J[i, j].to_sympy() - Js[i, j]) == 0
