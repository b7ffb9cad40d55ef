"""Session.run: values against the eager engine, the subgraph rule, fetch
structures, feeds checked before anything runs, and G.gradients."""

from collections import namedtuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numeric as nm
import numeric.graph as G
from numeric.errors import FeedError


def _two_layer(rng):
    x = rng.standard_normal((5, 3))
    y = rng.integers(0, 4, size=5)
    w1, b1 = rng.standard_normal((3, 6)), rng.standard_normal(6)
    w2, b2 = rng.standard_normal((6, 4)), rng.standard_normal(4)
    return x, y, w1, b1, w2, b2


def _eager_loss(x, y, w1, b1, w2, b2):
    h = nm.relu(nm.matmul(x, w1) + b1)
    return nm.cross_entropy(nm.matmul(h, w2) + b2, y)


def test_session_matches_eager_engine(graph, rng):
    x_val, y_val, *params = _two_layer(rng)
    x = G.placeholder((None, 3), name="x")
    y = G.placeholder((None,), dtype=G.int64, name="y")
    w1, b1, w2, b2 = (G.Variable(p) for p in params)
    h = G.relu(G.matmul(x, w1) + b1)
    loss = G.cross_entropy(G.matmul(h, w2) + b2, y)
    grads = G.gradients(loss, [w1, b1, w2, b2])
    with G.Session() as sess:
        sess.run(G.global_variables_initializer())
        got_loss, got_grads = sess.run([loss, grads], {x: x_val, y: y_val})

    tensors = [nm.tensor(p, requires_grad=True) for p in params]
    want = _eager_loss(nm.tensor(x_val), y_val, *tensors)
    want.backward()
    np.testing.assert_allclose(got_loss, want.data, rtol=1e-14)
    for g, t in zip(got_grads, tensors):
        np.testing.assert_allclose(g, t.grad, rtol=1e-12, atol=1e-14)


def test_gradients_equal_nm_grad_and_finite_differences(graph, rng):
    w_val = rng.standard_normal((3, 2))
    x_val = rng.standard_normal((4, 3))
    x = G.placeholder((None, 3))
    w = G.Variable(w_val)
    loss = G.reduce_sum(G.tanh(x @ w) ** 2) + G.reduce_mean(G.sigmoid(w))
    (dw,) = G.gradients(loss, [w])
    with G.Session() as sess:
        sess.run(w.initializer)
        got = sess.run(dw, {x: x_val})

        def f(wv):
            return sess.run(loss, {x: x_val, w: wv})

        eps, fd = 1e-6, np.zeros_like(w_val)
        for i in np.ndindex(*w_val.shape):
            e = np.zeros_like(w_val)
            e[i] = eps
            fd[i] = (f(w_val + e) - f(w_val - e)) / (2 * eps)

    def eager(wv):
        return nm.sum(nm.tanh(nm.matmul(x_val, wv)) ** 2) + nm.mean(nm.sigmoid(wv))

    np.testing.assert_allclose(got, nm.grad(eager)(w_val), rtol=1e-12)
    np.testing.assert_allclose(got, fd, rtol=1e-6, atol=1e-8)


def test_gradients_nested_xs_give_total_derivatives(graph, rng):
    w = G.Variable(rng.standard_normal(3))
    h = G.sin(w) * 2.0
    loss = G.reduce_sum(h * h) + G.reduce_sum(w)
    dw_total, dh = G.gradients(loss, [w, h])
    (dw_alone,) = G.gradients(loss, [w])
    with G.Session() as sess:
        sess.run(w.initializer)
        a, b, hv = sess.run([dw_total, dw_alone, h])
        np.testing.assert_allclose(a, b, rtol=1e-15)
        np.testing.assert_allclose(sess.run(dh), 2 * hv, rtol=1e-15)


def test_run_evaluates_each_node_once(graph, rng, monkeypatch):
    calls = {"tanh": 0}
    real_tanh = nm.tanh

    def counting_tanh(x):
        calls["tanh"] += 1
        return real_tanh(x)

    monkeypatch.setattr(nm, "tanh", counting_tanh)
    x = G.placeholder((None, 2))
    w = G.Variable(rng.standard_normal((2, 2)))
    h = G.tanh(x @ w)
    loss = G.reduce_sum(h * h)
    (dw,) = G.gradients(loss, [w])
    train = G.train.GradientDescentOptimizer(0.1).minimize(loss)
    with G.Session() as sess:
        sess.run(G.global_variables_initializer())
        md = G.RunMetadata()
        sess.run(
            [h, loss, dw, train, {"again": h}], {x: np.ones((3, 2))}, run_metadata=md
        )
    assert calls["tanh"] == 2  # once for `dw`, once for the optimizer's own gradients
    assert len(md.executed_ops) == len(set(md.executed_ops))
    assert md.executed_ops.count("Tanh") == 1


def test_run_evaluates_only_the_needed_subgraph(graph):
    a = G.placeholder((), name="a")
    unused = G.placeholder((), name="unused")
    w = G.Variable(3.0, name="w")
    b = a * 2.0
    _ = G.exp(unused) + w  # another branch, never fetched
    with G.Session() as sess:
        md = G.RunMetadata()
        assert sess.run(b, {a: 4.0}, run_metadata=md) == 8.0
        # w is uninitialized and `unused` unfed: neither is needed, so fine
    assert md.executed_ops == ["Const", "Mul"]


def test_fetch_structures_are_preserved(graph):
    Pair = namedtuple("Pair", "first second")
    a, b = G.constant(1.0), G.constant(2)
    noop = G.no_op()
    with G.Session() as sess:
        out = sess.run({"x": [a, (b, noop)], "p": Pair(a, b), "n": "Const:0"})
    assert out["x"][0] == 1.0 and isinstance(out["x"][1], tuple)
    assert out["x"][1] == (2, None)
    assert out["p"] == Pair(1.0, 2) and isinstance(out["p"], Pair)
    assert out["n"] == 1.0
    assert isinstance(out["x"][1][0], np.int64)


def test_eval_and_run_use_the_default_session(graph):
    v = G.Variable(1.0)
    inc = v.assign_add(2.0)
    with G.Session():
        v.initializer.run()
        inc.op.run()
        assert v.eval() == 3.0
    with pytest.raises(ValueError, match="no default session"):
        v.eval()


def test_closed_session_refuses_use(graph):
    c = G.constant(1.0)
    sess = G.Session()
    assert sess.run(c) == 1.0
    sess.close()
    with pytest.raises(G.ClosedSessionError, match="closed Session"):
        sess.run(c)
    with pytest.raises(RuntimeError):
        c.eval(session=sess)


def test_feed_missing_placeholder_is_named(graph):
    x = G.placeholder((None, 3), name="inputs")
    y = G.reduce_sum(x)
    with G.Session() as sess, pytest.raises(FeedError, match=r"'inputs'.*\(\?, 3\)"):
        sess.run(y)


def test_feed_wrong_shape_names_both_shapes(graph):
    x = G.placeholder((None, 3), name="inputs")
    y = G.reduce_sum(x)
    with G.Session() as sess:
        with pytest.raises(FeedError) as info:
            sess.run(y, {x: np.ones((2, 4))})
        message = str(info.value)
        assert "inputs:0" in message and "(2, 4)" in message and "(?, 3)" in message
        with pytest.raises(FeedError, match=r"\(3,\)"):
            sess.run(y, {x: np.ones(3)})


def test_feed_non_numeric_value_rejected(graph):
    x = G.placeholder((2,), name="inputs")
    with G.Session() as sess:
        for bad in (["a", "b"], [object(), object()], [1 + 2j, 3j]):
            with pytest.raises(FeedError, match="inputs:0"):
                sess.run(x * 1.0, {x: bad})
        labels = G.placeholder((2,), dtype=G.int64, name="labels")
        with pytest.raises(FeedError, match="labels:0"):
            sess.run(labels, {labels: [0.5, 1.0]})


def test_feed_foreign_node_rejected(graph):
    x = G.placeholder((), name="x")
    with G.Graph().as_default():
        other = G.placeholder((), name="other")
    with (
        G.Session() as sess,
        pytest.raises(FeedError, match=r"other:0.*not an element"),
    ):
        sess.run(x * 2.0, {x: 1.0, other: 2.0})


def test_feed_errors_change_nothing(graph):
    x = G.placeholder((3,), name="x")
    v = G.Variable(np.zeros(3), name="v")
    update = v.assign_add(x)
    with G.Session() as sess:
        sess.run(v.initializer)
        with pytest.raises(FeedError):
            sess.run(update, {x: np.ones(4)})
        with pytest.raises(FeedError):
            sess.run([update, G.placeholder((), name="late") * 1.0], {x: np.ones(3)})
        np.testing.assert_array_equal(sess.run(v), np.zeros(3))


def test_uninitialized_variable_is_named(graph):
    w = G.Variable(np.ones(2), name="weights")
    with G.Session() as sess:
        with pytest.raises(
            G.FailedPreconditionError, match="uninitialized value weights"
        ):
            sess.run(w * 2.0)
        sess.run(G.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(w * 2.0), [2.0, 2.0])


def test_integer_nodes_hold_int64(graph):
    total = G.constant(2) + G.constant(3) * 4
    with G.Session() as sess:
        value = sess.run(total)
    assert value == 14 and isinstance(value, np.int64)


def test_fetched_values_are_copies(graph):
    v = G.Variable(np.zeros(2))
    with G.Session() as sess:
        sess.run(v.initializer)
        got = sess.run(v)
        got[0] = 5.0
        np.testing.assert_array_equal(sess.run(v), [0.0, 0.0])


@settings(max_examples=25, deadline=None)
@given(
    batch=st.integers(1, 6),
    width=st.integers(1, 5),
    seed=st.integers(0, 2**16),
)
def test_placeholder_none_dims_accept_any_size_like_eager(batch, width, seed):
    rng = np.random.default_rng(seed)
    x_val = rng.standard_normal((batch, width))
    with G.Graph().as_default():
        x = G.placeholder((None, None), name="x")
        y = G.reduce_sum(G.tanh(x) * x, axis=1) + G.reduce_max(x)
        with G.Session() as sess:
            got = sess.run(y, {x: x_val})
    want = nm.sum(nm.tanh(x_val) * x_val, axis=1) + nm.max(x_val)
    np.testing.assert_array_equal(got, want.data)


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=0, max_size=4))
def test_placeholder_known_dims_reject_other_shapes(shape):
    with G.Graph().as_default():
        x = G.placeholder((None, 3), name="x")
        y = x * 2.0
        with G.Session() as sess:
            value = np.zeros(shape)
            if len(shape) == 2 and shape[1] == 3:
                assert sess.run(y, {x: value}).shape == tuple(shape)
            else:
                with pytest.raises(FeedError, match=r"x:0.*\(\?, 3\)"):
                    sess.run(y, {x: value})
