"""The TF1 names a training loop reaches for after the basics: fills,
one_hot, concat/stack/unstack/expand_dims/squeeze, clip_by_value,
reduce_min/reduce_prod, comparisons and logical ops, stop_gradient,
placeholder_with_default, nn.bias_add and nn.dropout.

Values are checked against NumPy, gradients against central differences in a
random direction (and, for the registry ops, against the eager engine in
test_graph_ops.py), static shapes against the computed values with unknown
sizes, and bad arguments against errors that name them. The random ops and
the end-to-end loop are in test_graph_tf1_random.py.
"""

import numpy as np
import pytest
from _graph_checks import fd_check
from hypothesis import given, settings
from hypothesis import strategies as st

import numeric.graph as G
from numeric.errors import ArgumentError, FeedError, LimitError

R = np.random.default_rng(11)


def _weighted(t, shape, seed=1):
    """sum(t * w) for a fixed random w: a scalar whose gradient is t's VJP of w."""
    return G.reduce_sum(t * np.random.default_rng(seed).standard_normal(shape))


# ----- fills ---------------------------------------------------------------------------


def test_zeros_ones_fill_match_numpy(graph):
    with G.Session() as sess:
        z, o, f = sess.run([G.zeros([2, 3]), G.ones(4, G.int32), G.fill((2, 2), 2.5)])
    np.testing.assert_array_equal(z, np.zeros((2, 3)))
    assert o.dtype == np.int64 and o.tolist() == [1, 1, 1, 1]
    np.testing.assert_array_equal(f, np.full((2, 2), 2.5))
    assert G.zeros([2], G.bool).dtype == np.bool_


def test_fills_refuse_unknown_sizes_and_non_scalars(graph):
    with pytest.raises(G.ShapeError, match=r"zeros: shape must be fully known"):
        G.zeros([None, 3])
    with pytest.raises(ArgumentError, match=r"fill: value must be a scalar"):
        G.fill([2], [1.0, 2.0])
    with pytest.raises(ArgumentError, match=r"ones: shape"):
        G.ones([2, -3])


def test_zeros_like_of_an_unknown_shape_is_computed_at_run_time(graph):
    x = G.placeholder((None, 3), name="x")
    z, o = G.zeros_like(x), G.ones_like(x, dtype=G.int32)
    assert z.shape == (None, 3) and o.dtype == np.int64
    assert G.zeros_like(G.ones((2, 2))).op.type == "Const"
    with G.Session() as sess:
        a, b = sess.run([z, o], {x: R.standard_normal((4, 3))})
    np.testing.assert_array_equal(a, np.zeros((4, 3)))
    np.testing.assert_array_equal(b, np.ones((4, 3), dtype=np.int64))
    # not differentiable (TF1): x + zeros_like(x) has gradient 1, not 2
    (g,) = G.gradients(G.reduce_sum(x + G.zeros_like(x)), [x])
    with G.Session() as sess:
        np.testing.assert_array_equal(
            sess.run(g, {x: np.ones((2, 3))}), np.ones((2, 3))
        )


# ----- one_hot ---------------------------------------------------------------------------


@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_one_hot_matches_numpy_on_every_axis(graph, axis):
    idx = np.array([[0, 2, 5], [-1, 1, 3]])  # 5 and -1 are out of range: all off
    depth = 4
    want = (idx[..., None] == np.arange(depth)).astype(float) * 4.0 - 1.0
    want = np.moveaxis(want, -1, axis)
    labels = G.placeholder(G.int32, (None, 3), "labels")
    y = G.one_hot(labels, depth, on_value=3.0, off_value=-1.0, axis=axis)
    with G.Session() as sess:
        got = sess.run(y, {labels: idx})
    np.testing.assert_array_equal(got, want)
    static = {-1: (None, 3, 4), 0: (4, None, 3), 1: (None, 4, 3)}[axis]
    assert y.shape == static


def test_one_hot_dtypes_follow_tf1(graph):
    assert G.one_hot([0, 1], 2).dtype == np.float64
    assert G.one_hot([0, 1], 2, on_value=1, off_value=0).dtype == np.int64
    assert G.one_hot([0, 1], 2, on_value=True, off_value=False).dtype == np.bool_
    assert G.one_hot([0, 1], 2, dtype=G.int32).dtype == np.int64


def test_one_hot_errors_name_the_argument(graph):
    with pytest.raises(TypeError, match=r"one_hot: indices .* must be integers"):
        G.one_hot([0.0, 1.0], 2)
    with pytest.raises(ArgumentError, match=r"one_hot: depth must be at least 0"):
        G.one_hot([0], -1)
    with pytest.raises(TypeError, match=r"one_hot: depth must be an int"):
        G.one_hot([0], 2.0)
    with pytest.raises(G.ShapeError, match=r"axis 3 is out of range"):
        G.one_hot([[0]], 2, axis=3)
    with pytest.raises(TypeError, match=r"one_hot: on_value=0.5 is not an integer"):
        G.one_hot([0], 2, on_value=0.5, dtype=G.int32)


# ----- joining and axis edits ------------------------------------------------------------


def test_join_and_axis_ops_infer_shapes_with_unknown_sizes(graph):
    x = G.placeholder((None, 3), name="x")
    y = G.placeholder((2, None), name="y")
    assert G.concat([x, y], 0).shape == (None, 3)
    assert G.concat([x, y], 1).shape == (2, None)
    assert G.concat([x, G.placeholder(None)], 1).shape == (None, None)
    assert G.stack([x, y], axis=-1).shape == (2, 3, 2)
    assert G.expand_dims(x, 0).shape == (1, None, 3)
    assert G.expand_dims(G.placeholder(None), 0).shape.ndims is None
    assert G.squeeze(G.placeholder((None, 1, 3))).shape.ndims is None  # ? may be 1
    assert G.squeeze(G.placeholder((2, 1, 3, 1))).shape == (2, 3)
    assert [t.shape for t in G.unstack(y, num=2)] == [(None,), (None,)]


def test_join_and_axis_ops_refuse_bad_arguments(graph):
    x = G.placeholder((None, 3), name="x")
    with pytest.raises(G.ShapeError, match=r"values differ in dimension 1"):
        G.concat([x, G.ones((2, 4))], 0)
    with pytest.raises(G.ShapeError, match=r"different ranks"):
        G.stack([x, G.ones(3)])
    with pytest.raises(G.ShapeError, match=r"cannot concatenate scalars"):
        G.concat([1.0, 2.0], 0)
    with pytest.raises(TypeError, match=r"concat: axis must be an int"):
        G.concat([x, x], 1.0)
    with pytest.raises(TypeError, match=r"concat: values must be a list"):
        G.concat(x, 0)
    with pytest.raises(ArgumentError, match=r"stack: values is empty"):
        G.stack([])
    with pytest.raises(G.ShapeError, match=r"axis 3 is out of range \[-3, 2\]"):
        G.expand_dims(x, 3)
    with pytest.raises(G.ShapeError, match=r"cannot squeeze axis 1 of size 3"):
        G.squeeze(x, [1])
    with pytest.raises(G.ShapeError, match=r"along axis 0 is unknown .* give num="):
        G.unstack(x)
    with pytest.raises(G.ShapeError, match=r"num=2 but x:0 has 3 entries"):
        G.unstack(x, num=2, axis=1)


def test_join_and_axis_ops_values_and_gradients(graph):
    a, b = R.standard_normal((2, 3)), R.standard_normal((4, 3))
    x = G.placeholder((None, 3), name="x")
    y = G.placeholder((None, 3), name="y")
    joined = G.concat([x, 2.0 * y], 0)
    rows = G.unstack(G.stack([x, x * x], axis=2), num=3, axis=1)
    reshaped = G.squeeze(G.expand_dims(rows[1], 1), axis=1)
    feed = {x: a, y: b}
    with G.Session() as sess:
        np.testing.assert_array_equal(
            sess.run(joined, feed), np.concatenate([a, 2 * b])
        )
        np.testing.assert_array_equal(
            sess.run(reshaped, feed), np.stack([a, a * a], axis=2)[:, 1]
        )
        g = fd_check(sess, _weighted(joined, (6, 3)), y, feed)
        w = np.random.default_rng(1).standard_normal((6, 3))
        np.testing.assert_allclose(g, 2 * w[2:], rtol=1e-14)
        fd_check(sess, _weighted(reshaped, (2, 2)), x, feed)


@settings(max_examples=25, deadline=None)
@given(
    shape=st.lists(st.integers(1, 3), min_size=1, max_size=3),
    unknown=st.lists(st.booleans(), min_size=3, max_size=3),
    axis=st.integers(-4, 3),
)
def test_static_shapes_fit_the_computed_values(shape, unknown, axis):
    """Whatever is known statically agrees with the value computed."""
    shape = tuple(shape)
    static = tuple(None if u else d for d, u in zip(shape, unknown))
    value = np.arange(float(np.prod(shape))).reshape(shape)
    rank = len(shape)
    with G.Graph().as_default():
        x = G.placeholder(static, name="x")
        outs = {"squeeze": (G.squeeze(x), np.squeeze(value))}
        if -rank - 1 <= axis <= rank:
            outs["expand"] = (G.expand_dims(x, axis), np.expand_dims(value, axis))
            outs["stack"] = (G.stack([x, x], axis), np.stack([value, value], axis))
        if -rank <= axis < rank:
            outs["concat"] = (G.concat([x, x], axis), np.concatenate([value] * 2, axis))
        with G.Session() as sess:
            for name, (node, want) in outs.items():
                got = sess.run(node, {x: value})
                np.testing.assert_array_equal(got, want, err_msg=name)
                dims = node.shape.dims
                if dims is not None:
                    assert len(dims) == got.ndim, name
                    assert all(d is None or d == s for d, s in zip(dims, got.shape))


# ----- clip_by_value, reduce_min, reduce_prod -----------------------------------------------


def test_clip_by_value_gradient_is_one_inside_the_bounds_inclusive(graph):
    x = G.placeholder((6,), name="x")
    y = G.clip_by_value(x, -1.0, 1.0)
    (g,) = G.gradients(G.reduce_sum(y), [x])
    point = np.array([-2.0, -1.0, -0.5, 0.5, 1.0, 2.0])
    with G.Session() as sess:
        value, grad = sess.run([y, g], {x: point})
        np.testing.assert_array_equal(value, np.clip(point, -1.0, 1.0))
        # TF1 (minimum then maximum, ties to x): 1 on [min, max], bounds included
        np.testing.assert_array_equal(grad, [0, 1, 1, 1, 1, 0])
        fd_check(
            sess, _weighted(y, (6,)), x, {x: np.array([-3, -0.9, 0, 0.3, 0.9, 4.0])}
        )


def test_clip_by_value_bounds_may_not_enlarge_t(graph):
    x = G.placeholder((3,), name="x")
    with pytest.raises(
        G.ShapeError, match=r"clip_value_min \(2, 1\) .* would broadcast"
    ):
        G.clip_by_value(x, np.zeros((2, 1)), 1.0)
    assert G.clip_by_value(x, np.zeros(3), 1.0).shape == (3,)
    with G.Session() as sess:
        assert sess.run(G.clip_by_value([1, 5, 9], 2, 6)).tolist() == [2, 5, 6]


def test_reduce_min_and_prod_match_numpy_with_tf1_spellings(graph):
    a = R.standard_normal((3, 4))
    x = G.placeholder((None, 4), name="x")
    lo = G.reduce_min(x, reduction_indices=[1], keep_dims=True)
    prod = G.reduce_prod(x, 0)
    assert lo.shape == (None, 1) and prod.shape == (4,)
    with G.Session() as sess:
        np.testing.assert_array_equal(sess.run(lo, {x: a}), a.min(1, keepdims=True))
        np.testing.assert_allclose(sess.run(prod, {x: a}), a.prod(0), rtol=1e-15)
        fd_check(sess, _weighted(lo, (3, 1)), x, {x: a})
        fd_check(sess, _weighted(prod, (4,)), x, {x: a})
        with pytest.raises(ValueError, match="axis or reduction_indices"):
            G.reduce_min(x, 0, reduction_indices=0)


def test_reduce_min_ties_and_prod_zeros_follow_the_conventions(graph):
    x = G.placeholder((3,), name="x")
    (g_min,) = G.gradients(G.reduce_min(x), [x])
    (g_prod,) = G.gradients(G.reduce_prod(x), [x])
    with G.Session() as sess:
        np.testing.assert_array_equal(
            sess.run(g_min, {x: [1.0, 3.0, 1.0]}), [0.5, 0, 0.5]
        )
        # d(prod)/dx_k = product of the others, exact at a zero
        np.testing.assert_array_equal(
            sess.run(g_prod, {x: [2.0, 0.0, 5.0]}), [0, 10, 0]
        )
        assert sess.run(G.reduce_prod(G.constant([2**31, 2**31 - 1]))) == 2**62 - 2**31
        with pytest.raises(LimitError, match="int64 overflow"):
            sess.run(G.reduce_prod(G.constant([2**32, 2**32])))


# ----- comparisons, logical ops, stop_gradient ---------------------------------------------


@pytest.mark.parametrize(
    "fn, ufunc",
    [
        (G.less, np.less),
        (G.less_equal, np.less_equal),
        (G.greater, np.greater),
        (G.greater_equal, np.greater_equal),
        (G.not_equal, np.not_equal),
        (G.equal, np.equal),
    ],
)
def test_comparisons_match_numpy_with_broadcasting(graph, fn, ufunc):
    a = np.array([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]])
    b = np.array([1.0, 1.0, 1.0])
    x = G.placeholder((None, 3), name="x")
    out = fn(x, b)
    assert out.dtype == np.bool_ and out.shape == (None, 3)
    with G.Session() as sess:
        np.testing.assert_array_equal(sess.run(out, {x: a}), ufunc(a, b))


def test_logical_ops_match_numpy_and_require_bools(graph):
    p = np.array([True, True, False, False])
    q = np.array([True, False, True, False])
    with G.Session() as sess:
        got = sess.run([G.logical_and(p, q), G.logical_or(p, q), G.logical_not(p)])
    for g, want in zip(got, [p & q, p | q, ~p]):
        np.testing.assert_array_equal(g, want)
    with pytest.raises(TypeError, match=r"logical_and: y \(Const.*\) must be bool"):
        G.logical_and(p, [1, 0, 1, 0])
    with pytest.raises(TypeError, match=r"logical_not: x .* must be bool"):
        G.logical_not(G.zeros(2))


def test_a_comparison_mask_is_a_constant_to_gradients(graph):
    a = np.array([-1.5, 0.5, 2.0, -0.2])
    x = G.placeholder((4,), name="x")
    mask = G.cast(G.logical_and(G.greater(x, -1.0), G.less(x, 1.0)), G.float32)
    loss = G.reduce_sum(x * x * mask)  # TF1: d/dx = 2 x mask
    with G.Session() as sess:
        g = fd_check(sess, loss, x, {x: a})
        np.testing.assert_array_equal(g, 2 * a * [0, 1, 0, 1])
    assert G.gradients(G.reduce_sum(G.cast(G.greater(x, 0.0), G.float32)), [x]) == [
        None
    ]


def test_stop_gradient_blocks_only_its_path(graph):
    x = G.placeholder((3,), name="x")
    a = R.standard_normal(3)
    (g,) = G.gradients(G.reduce_sum(x * G.stop_gradient(x)), [x])
    with G.Session() as sess:
        np.testing.assert_array_equal(sess.run(g, {x: a}), a)  # not 2 a
        np.testing.assert_array_equal(sess.run(G.stop_gradient(x), {x: a}), a)
    assert G.gradients(G.reduce_sum(G.stop_gradient(x)), [x]) == [None]


# ----- placeholder_with_default ---------------------------------------------------------------


def test_placeholder_with_default_runs_the_default_unless_fed(graph):
    default = G.Variable(np.ones((2, 3)), name="v")
    x = G.placeholder_with_default(default * 2.0, (None, 3), name="batch")
    assert x.shape == (None, 3) and x.name == "batch:0"
    with G.Session() as sess:
        sess.run(default.initializer)
        np.testing.assert_array_equal(sess.run(x), 2 * np.ones((2, 3)))
        fed = R.standard_normal((5, 3))
        np.testing.assert_array_equal(sess.run(x, {x: fed}), fed)
        with pytest.raises(FeedError, match=r"Cannot feed value of shape \(5, 4\)"):
            sess.run(x, {x: np.zeros((5, 4))})
        (g,) = G.gradients(G.reduce_sum(x), [default])
        np.testing.assert_array_equal(sess.run(g), 2 * np.ones((2, 3)))  # identity
    with pytest.raises(
        G.ShapeError, match=r"default value of shape \(2,\) does not fit"
    ):
        G.placeholder_with_default([1.0, 2.0], (3,))


# ----- nn.bias_add ----------------------------------------------------------------------------


def test_bias_add_matches_numpy_in_both_layouts(graph):
    a = R.standard_normal((2, 3, 4, 5))
    bias_last, bias_first = R.standard_normal(5), R.standard_normal(3)
    x = G.placeholder((None, 3, 4, 5), name="x")
    b = G.placeholder((None,), name="b")
    last = G.nn.bias_add(x, b)
    first = G.nn.bias_add(x, b, data_format="NCHW")
    with G.Session() as sess:
        np.testing.assert_array_equal(
            sess.run(last, {x: a, b: bias_last}), a + bias_last
        )
        np.testing.assert_array_equal(
            sess.run(first, {x: a, b: bias_first}), a + bias_first[:, None, None]
        )
        g = fd_check(sess, _weighted(first, a.shape), b, {x: a, b: bias_first})
        w = np.random.default_rng(1).standard_normal(a.shape)
        np.testing.assert_allclose(g, w.sum(axis=(0, 2, 3)), rtol=1e-13)
        fd_check(sess, _weighted(last, a.shape), x, {x: a, b: bias_last})


def test_bias_add_errors_name_the_argument(graph):
    x = G.placeholder((None, 3), name="x")
    with pytest.raises(G.ShapeError, match=r"bias of size 4 does not match value"):
        G.nn.bias_add(x, np.zeros(4))
    with pytest.raises(G.ShapeError, match=r"bias must be 1-D"):
        G.nn.bias_add(x, np.zeros((1, 3)))
    with pytest.raises(G.ShapeError, match=r"value must have rank 2 or more"):
        G.nn.bias_add(G.ones(3), np.zeros(3))
    with pytest.raises(ArgumentError, match=r"unknown data_format 'HWCN'"):
        G.nn.bias_add(x, np.zeros(3), data_format="HWCN")
