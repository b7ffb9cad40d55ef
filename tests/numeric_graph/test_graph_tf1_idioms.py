"""TF1 idioms of a course's training loop: ``G.nn``'s names and defaults, the
per-example softmax cross-entropies, ``reduction_indices``/``keep_dims``,
``argmax``/``equal``/``cast`` for accuracy, ``square`` and ``l2_loss``. Values
are checked against NumPy formulas, gradients against central differences."""

import numpy as np
import pytest
from _graph_checks import fd_check

import numeric.graph as G
from numeric.errors import LimitError
from numeric.graph.op_registry import HOST_KERNELS, NOT_DIFFERENTIABLE
from numeric.graph.schedule_rules import RULES

R = np.random.default_rng(3)


def _log_softmax(z):
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


# ----- reductions ---------------------------------------------------------------


@pytest.mark.parametrize("fn", [G.reduce_sum, G.reduce_mean, G.reduce_max])
def test_reduction_tf1_spellings_equal_axis_and_keepdims(graph, fn):
    x = G.constant(R.standard_normal((3, 4)))
    old = fn(x, reduction_indices=[1], keep_dims=True)
    new = fn(x, axis=1, keepdims=True)
    assert old.shape == new.shape == (3, 1)
    with G.Session() as sess:
        np.testing.assert_array_equal(sess.run(old), sess.run(new))


def test_reduction_refuses_both_spellings(graph):
    x = G.constant(np.ones((2, 2)))
    with pytest.raises(ValueError, match="axis or reduction_indices"):
        G.reduce_sum(x, axis=0, reduction_indices=0)
    with pytest.raises(ValueError, match="keepdims or keep_dims"):
        G.reduce_mean(x, keepdims=True, keep_dims=True)


# ----- G.nn ---------------------------------------------------------------------


def test_nn_activations_are_the_graph_ops_with_tf1_defaults(graph):
    assert G.nn.relu is G.relu and G.nn.sigmoid is G.sigmoid and G.nn.tanh is G.tanh
    x = G.constant([-2.0, 0.5])
    with G.Session() as sess:
        # TF1's tf.nn.leaky_relu slope is 0.2 (G.leaky_relu keeps PyTorch's 0.01)
        np.testing.assert_allclose(sess.run(G.nn.leaky_relu(x)), [-0.4, 0.5])
        np.testing.assert_allclose(sess.run(G.nn.leaky_relu(x, alpha=0.1)), [-0.2, 0.5])
        z = R.standard_normal((2, 3))
        np.testing.assert_allclose(
            sess.run(G.nn.softmax(z, dim=0)), np.exp(_log_softmax(z.T).T), rtol=1e-14
        )
        np.testing.assert_allclose(
            sess.run(G.nn.log_softmax(z)), _log_softmax(z), rtol=1e-14
        )
    assert not hasattr(G.nn, "conv2d")  # TF1's is NHWC: not ours under that name


def test_softmax_cross_entropy_with_logits_per_example_value_and_gradient(graph):
    z, labels = R.standard_normal((4, 3)), R.dirichlet(np.ones(3), size=4)
    logits = G.placeholder(G.float32, (None, 3), "logits")
    per_example = G.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    assert per_example.shape == (4,)  # the batch size comes from the labels
    loss = G.reduce_mean(per_example)
    with G.Session() as sess:
        want = -(labels * _log_softmax(z)).sum(axis=1)
        np.testing.assert_allclose(sess.run(per_example, {logits: z}), want, rtol=1e-13)
        g = fd_check(sess, loss, logits, {logits: z})
    # textbook: d mean(CE) / dz = (softmax(z) - labels) / batch (labels sum to 1)
    np.testing.assert_allclose(g, (np.exp(_log_softmax(z)) - labels) / 4, rtol=1e-12)
    assert G.nn.softmax_cross_entropy_with_logits_v2 is (
        G.nn.softmax_cross_entropy_with_logits
    )


def test_sparse_softmax_cross_entropy_per_example_value_and_gradient(graph):
    z, y = R.standard_normal((5, 4)), np.array([0, 3, 1, 2, 3])
    logits = G.placeholder(G.float32, (None, 4), "logits")
    labels = G.placeholder(G.int32, (None,), "labels")
    per_example = G.nn.sparse_softmax_cross_entropy_with_logits(
        labels=labels, logits=logits
    )
    assert per_example.shape == (None,)
    feed = {logits: z, labels: y}
    with G.Session() as sess:
        want = -_log_softmax(z)[np.arange(5), y]
        np.testing.assert_allclose(sess.run(per_example, feed), want, rtol=1e-13)
        fd_check(sess, G.reduce_mean(per_example), logits, feed)


def test_cross_entropies_take_keywords_only_and_check_labels(graph):
    z = G.constant(np.zeros((2, 3)))
    with pytest.raises(TypeError):
        G.nn.softmax_cross_entropy_with_logits(np.eye(3)[:2], z)
    with pytest.raises(TypeError, match=r"labels .* must be integers"):
        G.nn.sparse_softmax_cross_entropy_with_logits(labels=[0.5, 1.0], logits=z)
    with pytest.raises(G.ShapeError, match="batch sizes differ"):
        G.nn.sparse_softmax_cross_entropy_with_logits(labels=[0, 1, 2], logits=z)


# ----- argmax, equal, cast ----------------------------------------------------------


def test_the_host_ops_besides_schedules_are_the_ones_tested_here():
    # the comparisons, logical ops, one_hot and the *_like fills are tested in
    # test_graph_tf1_names.py
    assert set(HOST_KERNELS) - set(RULES) == {
        "ArgMax", "ArgMin", "Cast", "Equal", "NotEqual", "Less", "LessEqual",
        "Greater", "GreaterEqual", "LogicalAnd", "LogicalOr", "LogicalNot",
        "OneHot", "ZerosLike", "OnesLike",
    }  # fmt: skip
    # all TF1 NotDifferentiable ops: constants inside a gradient
    assert set(HOST_KERNELS) - set(RULES) <= NOT_DIFFERENTIABLE


def test_argmax_argmin_equal_match_numpy(graph):
    a = R.standard_normal((3, 5))
    x = G.placeholder((None, 5), name="x")
    with G.Session() as sess:
        feed = {x: a}
        np.testing.assert_array_equal(sess.run(G.argmax(x, 1), feed), a.argmax(1))
        np.testing.assert_array_equal(sess.run(G.argmin(x, axis=1), feed), a.argmin(1))
        # axis=None is axis 0 in TF1; dimension= is its older name
        np.testing.assert_array_equal(sess.run(G.argmax(x), feed), a.argmax(0))
        np.testing.assert_array_equal(
            sess.run(G.argmax(x, dimension=0), feed), a.argmax(0)
        )
        same = G.equal(G.argmax(x, 1), [0, 1, 2])
        assert same.dtype == np.bool_ and same.shape == (3,)
        np.testing.assert_array_equal(sess.run(same, feed), a.argmax(1) == [0, 1, 2])
    assert G.argmax(x, 1).shape == (None,) and G.argmax(x, 1).dtype == np.int64


def test_cast_values(graph):
    with G.Session() as sess:
        assert sess.run(G.cast([-1.7, 2.9], G.int32)).tolist() == [-1, 2]  # truncates
        assert sess.run(G.cast([0.0, 2.0], G.bool)).tolist() == [False, True]
        value = sess.run(G.cast(G.constant([1, 2]), G.float32))
        assert value.dtype == np.float64 and value.tolist() == [1.0, 2.0]
        with pytest.raises(LimitError):
            sess.run(G.cast([1e300], G.int64))


def test_cast_between_floats_passes_gradients_and_argmax_is_a_constant(graph):
    x = G.placeholder((3,), name="x")
    assert G.cast(x, G.float32).op.type == "Identity"
    feed = {x: R.standard_normal(3)}
    with G.Session() as sess:
        g = fd_check(sess, G.reduce_sum(G.square(G.cast(x, G.float32))), x, feed)
        np.testing.assert_allclose(g, 2 * feed[x], rtol=1e-14)
        # TF1 declares ArgMax (and an int-to-float Cast) not differentiable:
        # only the factor x carries a gradient, d(k * x)/dx = k with k = argmax
        (through_argmax,) = G.gradients(
            G.reduce_sum(G.cast(G.argmax(x), G.float32) * x), [x]
        )
        k = float(np.argmax(feed[x]))
        np.testing.assert_array_equal(sess.run(through_argmax, feed), [k, k, k])


def test_square_and_l2_loss_values_and_gradients(graph):
    a = R.standard_normal((2, 3))
    w = G.placeholder((2, 3), name="w")
    with G.Session() as sess:
        np.testing.assert_allclose(sess.run(G.square(w), {w: a}), a * a, rtol=1e-15)
        assert np.isclose(sess.run(G.nn.l2_loss(w), {w: a}), (a**2).sum() / 2)
        g = fd_check(sess, G.nn.l2_loss(w), w, {w: a})
    np.testing.assert_allclose(g, a, rtol=1e-14)  # d(|w|^2 / 2) / dw = w


# ----- a course's training loop, written as in TF1 ---------------------------------------


def test_tf1_softmax_regression_loop_runs_and_learns(graph):
    rng = np.random.default_rng(0)
    data = rng.standard_normal((64, 4))
    targets = data[:, :3].argmax(axis=1)
    x = G.placeholder(G.float32, shape=(None, 4), name="x")
    y = G.placeholder(G.int64, shape=(None,), name="y")
    W = G.Variable(G.constant(0.0, shape=(4, 3)), name="W")
    b = G.Variable(G.constant(0.0, G.float32, [3]), name="b")
    logits = G.matmul(x, W) + b
    loss = G.reduce_mean(
        G.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
    )
    correct = G.equal(G.argmax(logits, 1), y)
    accuracy = G.reduce_mean(G.cast(correct, G.float32))
    train_op = G.train.AdamOptimizer(0.1).minimize(loss, var_list=[W, b])
    with G.Session() as sess:
        sess.run(G.global_variables_initializer())
        first = sess.run(
            {"loss": loss, "accuracy": accuracy}, {"x:0": data, "y:0": targets}
        )
        for _ in range(60):
            sess.run([train_op, loss], feed_dict={"x:0": data, "y:0": targets})
        last = sess.run({"loss": loss, "accuracy": accuracy}, {x: data, y: targets})
    assert np.isclose(first["loss"], np.log(3))  # zero weights: uniform
    assert last["loss"] < 0.3 * first["loss"] and last["accuracy"] > 0.9
