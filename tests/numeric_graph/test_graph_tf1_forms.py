"""TF1's call forms of the graph's sources: ``placeholder(dtype, shape, name)``
beside ``placeholder(shape, name, dtype)``, ``constant(value, dtype, shape,
name)``, the TF1 dtype names, and clear errors for ambiguous calls."""

import numpy as np
import pytest

import numeric.graph as G
from numeric.errors import ShapeError


@pytest.mark.parametrize(
    "dtype", [G.float32, G.float64, np.float32, "float32", "float", float]
)
def test_placeholder_tf1_order_with_a_floating_dtype_holds_float64(graph, dtype):
    x = G.placeholder(dtype, shape=(None, 3), name="x")
    y = G.placeholder(dtype, (None, 3), "y")
    for node, name in ((x, "x"), (y, "y")):
        assert node.name == f"{name}:0"
        assert node.shape == (None, 3)
        assert node.dtype == np.float64
    with G.Session() as sess:
        value = sess.run(x * 2.0, {x: np.ones((2, 3), dtype=np.float32)})
    assert value.dtype == np.float64
    np.testing.assert_array_equal(value, np.full((2, 3), 2.0))


@pytest.mark.parametrize("dtype", [G.int32, G.int64, np.int32, "int64", int])
def test_placeholder_tf1_order_with_an_integer_dtype_holds_int64(graph, dtype):
    labels = G.placeholder(dtype, [None], name="labels")
    assert labels.dtype == np.int64 and labels.shape == (None,)
    with G.Session() as sess:
        assert sess.run(labels + 1, {labels: [1, 2]}).tolist() == [2, 3]


def test_placeholder_tf1_order_bool_and_default_shape(graph):
    flag = G.placeholder(G.bool)
    assert flag.dtype == np.bool_ and flag.shape.dims is None
    keyword_only = G.placeholder(dtype=G.float32, shape=(2,), name="k")
    assert keyword_only.name == "k:0" and keyword_only.shape == (2,)


def test_placeholder_our_order_still_works(graph):
    x = G.placeholder((None, 3), name="x")
    counts = G.placeholder((4,), "counts", G.int64)
    anything = G.placeholder(None)
    assert (x.name, x.shape, x.dtype) == ("x:0", (None, 3), np.float64)
    assert (counts.name, counts.dtype) == ("counts:0", np.int64)
    assert anything.shape.dims is None


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (((None, 3),), {"shape": (None, 3)}, "shape given twice.*unless it is a dtype"),
        (
            (G.float32, (2,)),
            {"shape": (2,)},
            "shape given twice, as positional argument 2",
        ),
        ((G.float32,), {"dtype": G.int64}, "dtype given twice"),
        (((2,), "x"), {"name": "y"}, "name given twice"),
        (((2,), "x", G.int64), {"dtype": G.int64}, "dtype given twice"),
        ((G.float32, (2,), "x", "extra"), {}, "at most 3 positional"),
        ((), {"shape": G.float32}, "shape must be .* got the dtype"),
        (("floaty",), {}, "placeholder: unsupported dtype 'floaty'"),
        (((2,), 3), {}, "name must be a str"),
    ],
)
def test_placeholder_ambiguous_calls_are_refused(graph, args, kwargs, message):
    before = len(graph.get_operations())
    with pytest.raises(TypeError, match=message):
        G.placeholder(*args, **kwargs)
    assert len(graph.get_operations()) == before


def test_tf1_dtype_names_are_numpy_dtypes():
    assert G.float32 == np.float32 and G.int32 == np.int32 and G.bool == np.bool_
    assert G.float64 == np.float64 and G.int64 == np.int64


def test_constant_tf1_shape_fills_a_scalar_and_reshapes_a_full_value(graph):
    filled = G.constant(0.5, G.float32, (2, 3), "half")
    reshaped = G.constant([1, 2, 3, 4, 5, 6], shape=[3, 2])
    assert filled.name == "half:0" and filled.dtype == np.float64
    assert reshaped.dtype == np.int64
    with G.Session() as sess:
        np.testing.assert_array_equal(sess.run(filled), np.full((2, 3), 0.5))
        np.testing.assert_array_equal(sess.run(reshaped), np.arange(1, 7).reshape(3, 2))


@pytest.mark.parametrize(
    ("value", "shape", "error", "message"),
    [
        ([1.0, 2.0, 3.0], (2, 2), ShapeError, r"shape \(3,\) \(3 elements\)"),
        (1.0, (None, 2), ShapeError, "fully known"),
        (1.0, G.float32, TypeError, "shape must be a sequence"),
    ],
)
def test_constant_bad_shape_is_refused(graph, value, shape, error, message):
    before = len(graph.get_operations())
    with pytest.raises(error, match=message):
        G.constant(value, shape=shape)
    assert len(graph.get_operations()) == before


def test_constant_and_variable_refuse_a_name_that_is_not_a_string(graph):
    with pytest.raises(TypeError, match="constant: name must be a str"):
        G.constant(1.0, None, None, 7)
    with pytest.raises(TypeError, match="trainable="):
        G.Variable(1.0, True)
    assert graph.get_operations() == []
    w = G.Variable(np.zeros(2), name="w", dtype=G.float32)
    assert w.dtype == np.float64 and w.name == "w:0"
