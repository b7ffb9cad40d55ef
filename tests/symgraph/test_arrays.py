"""Object arrays of nodes: symbols_array, elementwise functions, and
correlate2d / convolve2d against scipy.signal in all three modes."""

import numpy as np
import pytest
import scipy.signal
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import shapes_2d

import symgraph as sg

MODES = ["full", "same", "valid"]


def _numbers(shape, seed):
    rng = np.random.default_rng(seed)
    return rng.integers(-4, 5, size=shape).astype(float)


def _bind(sym_array, values):
    return dict(zip(sym_array.ravel(), values.ravel()))


def _valid_ok(s1, s2):
    return all(a >= b for a, b in zip(s1, s2)) or all(b >= a for a, b in zip(s1, s2))


@pytest.mark.parametrize("fn_name", ["correlate2d", "convolve2d"])
@pytest.mark.parametrize("mode", MODES)
@settings(max_examples=25, deadline=None)
@given(s1=shapes_2d(4), s2=shapes_2d(4), seed=st.integers(0, 2**16))
def test_symbolic_conv_equals_scipy(fn_name, mode, s1, s2, seed):
    if mode == "valid" and not _valid_ok(s1, s2):
        with pytest.raises(sg.ShapeError):
            getattr(sg, fn_name)(
                sg.symbols_array("a", s1), sg.symbols_array("b", s2), mode
            )
        return
    A, B = sg.symbols_array("a", s1), sg.symbols_array("b", s2)
    a, b = _numbers(s1, seed), _numbers(s2, seed + 1)
    out = getattr(sg, fn_name)(A, B, mode)
    expected = getattr(scipy.signal, fn_name)(a, b, mode)
    assert isinstance(out, np.ndarray) and out.dtype == object
    assert out.shape == expected.shape
    got = (
        sg.evaluate(out, {**_bind(A, a), **_bind(B, b)})
        if out.size
        else np.zeros(out.shape)
    )
    np.testing.assert_array_equal(got, expected)
    # numbers in, numbers out too (constant folding): the same values
    folded = getattr(sg, fn_name)(a, b, mode)
    assert all(n.op == "const" for n in folded.ravel())
    np.testing.assert_array_equal(
        sg.evaluate(folded) if folded.size else folded, expected
    )


def test_valid_mode_with_the_second_input_larger():
    # SciPy swaps the inputs when the second is the larger one in every dimension
    small, big = np.array([[1.0, 2.0]]), np.arange(12.0).reshape(3, 4)
    for fn_name in ["correlate2d", "convolve2d"]:
        out = getattr(sg, fn_name)(small, big, "valid")
        expected = getattr(scipy.signal, fn_name)(small, big, "valid")
        assert out.shape == expected.shape == (3, 3)
        np.testing.assert_array_equal(sg.evaluate(out), expected)


def test_valid_mode_refuses_mixed_sizes():
    with pytest.raises(sg.ShapeError) as info:
        sg.correlate2d(np.ones((3, 1)), np.ones((1, 3)), "valid")
    assert "(3, 1)" in str(info.value) and "(1, 3)" in str(info.value)


def test_conv_rejects_bad_input():
    X = sg.symbols_array("x", (3, 3))
    with pytest.raises(sg.ShapeError):
        sg.correlate2d(X.ravel(), X)
    with pytest.raises(sg.ShapeError):
        sg.convolve2d(X, np.ones((2, 2, 2)))
    with pytest.raises(ValueError):
        sg.correlate2d(X, X, mode="circular")


def test_conv_entries_are_readable_sums_with_gradients():
    X, W = sg.symbols_array("x", (2, 3)), sg.symbols_array("w", (1, 2))
    out = sg.correlate2d(X, W)
    assert str(out[0, 0]) == "x_0_0 * w_0_0 + x_0_1 * w_0_1"
    g = sg.grad(out.sum(), W)
    assert g.shape == (1, 2)
    assert sorted(str(g[0, 0]).split(" + ")) == ["x_0_0", "x_0_1", "x_1_0", "x_1_1"]
    assert sorted(str(g[0, 1]).split(" + ")) == ["x_0_1", "x_0_2", "x_1_1", "x_1_2"]


def test_symbols_array_names_and_shapes():
    W = sg.symbols_array("W", (2, 3))
    assert W.shape == (2, 3) and W[1, 2] is sg.symbols("W_1_2")
    v = sg.symbols_array("v", 4)
    assert v.shape == (4,) and v[3] is sg.symbols("v_3")
    assert sg.symbols_array("s", ()).shape == ()


def test_elementwise_functions_on_object_arrays():
    X = sg.symbols_array("x", (2, 2))
    S = sg.sin(X)
    assert S.shape == (2, 2) and S[1, 0] is sg.sin(X[1, 0])
    M = sg.maximum(X, 0)  # broadcasting a number
    assert M[0, 1] is sg.relu(X[0, 1]) or M[0, 1] is sg.maximum(X[0, 1], 0)
    L = sg.leaky_relu(X, 0.2)
    assert L[1, 1] is sg.leaky_relu(X[1, 1], 0.2)
    W = sg.where(X, X, np.zeros((2, 2)))
    assert W.shape == (2, 2)
    with pytest.raises(ValueError):
        sg.maximum(X, sg.symbols_array("y", (3,)))


def test_mismatched_shapes_in_evaluate_raise_shape_error():
    x, y = sg.symbols("x y")
    with pytest.raises(sg.ShapeError) as info:
        sg.evaluate(x + y, {x: np.ones(2), y: np.ones(3)})
    assert (
        "(2,)" in str(info.value)
        and "(3,)" in str(info.value)
        and "add" in str(info.value)
    )
    with pytest.raises(sg.ShapeError):
        sg.evaluate(sg.sin(x) * sg.exp(y), {x: np.ones((2, 2)), y: np.ones(3)})
    # object-array results of different batch shapes still broadcast where they can
    out = sg.evaluate(np.array([x, y], dtype=object), {x: np.ones(3), y: 2.0})
    assert out.shape == (2, 3)
