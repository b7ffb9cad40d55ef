"""TF1's random ops and dropout in graphs: seeds and what they make
repeatable, the distributions (checked by their moments and bounds on large
draws), gradients through mean/stddev and dropout (central differences, with a
new session per evaluation so that each sees the same first draw), and one
TF1-style training loop that learns and repeats itself exactly."""

import numpy as np
import pytest

import numeric.graph as G
from numeric.errors import ArgumentError

# ----- seeds --------------------------------------------------------------------------------


def _first_two(node):
    with G.Session(node.graph) as sess:
        return sess.run(node), sess.run(node)


def test_an_op_seed_repeats_the_sequence_in_every_session_and_graph():
    values = []
    for _ in range(2):
        with G.Graph().as_default():
            values.append(_first_two(G.random_normal([3], seed=7)))
    (a1, a2), (b1, b2) = values
    np.testing.assert_array_equal(a1, b1)
    np.testing.assert_array_equal(a2, b2)
    assert not np.array_equal(a1, a2)  # each run draws anew


def test_a_graph_seed_makes_unseeded_ops_repeatable_in_build_order():
    def build():
        G.set_random_seed(42)
        return G.random_uniform([4]), G.truncated_normal([4])

    runs = []
    for _ in range(2):
        with G.Graph().as_default():
            u, t = build()
            runs.append(_first_two(u) + _first_two(t))
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)
    with G.Graph().as_default():  # one more op first: the op seeds move
        G.set_random_seed(42)
        G.constant(0.0)
        u = G.random_uniform([4])
        assert not np.array_equal(_first_two(u)[0], runs[0][0])


def test_without_seeds_sessions_draw_differently(graph):
    node = G.random_uniform([8])
    assert not np.array_equal(_first_two(node)[0], _first_two(node)[0])
    G.set_random_seed(1)
    G.set_random_seed(None)  # removes it again
    assert graph.seed is None


def test_seeds_must_be_ints(graph):
    with pytest.raises(TypeError, match=r"random_normal: seed must be an int"):
        G.random_normal([2], seed=1.5)
    with pytest.raises(TypeError, match=r"set_random_seed: seed must be an int"):
        G.set_random_seed("1")


# ----- distributions ---------------------------------------------------------------------------


def test_distributions_have_their_moments_and_bounds(graph):
    n = 40_000
    normal = G.random_normal([n], mean=2.0, stddev=0.5, seed=1)
    trunc = G.truncated_normal([n], mean=-1.0, stddev=2.0, seed=2)
    uniform = G.random_uniform([n], minval=-3.0, maxval=5.0, seed=3)
    dice = G.random_uniform([n], 1, 7, dtype=G.int32, seed=4)
    with G.Session() as sess:
        a, t, u, d = sess.run([normal, trunc, uniform, dice])
    # 5 standard errors of the mean and of the standard deviation
    se = 5 / np.sqrt(n)
    assert abs(a.mean() - 2.0) < 0.5 * se and abs(a.std() - 0.5) < 0.5 * se
    assert t.min() >= -5.0 and t.max() <= 3.0  # within 2 stddev of the mean
    # a normal truncated at +-2: std = sqrt(1 - 2 * 2 phi(2) / (2 Phi(2) - 1))
    phi2 = np.exp(-2.0) / np.sqrt(2 * np.pi)
    trunc_std = np.sqrt(1 - 4 * phi2 / 0.9544997361036416)
    assert abs(t.mean() + 1.0) < 2 * se and abs(t.std() - 2 * trunc_std) < 2 * se
    assert u.min() >= -3.0 and u.max() < 5.0
    assert abs(u.mean() - 1.0) < se * 8 / np.sqrt(12)  # the std of U(-3, 5)
    assert d.dtype == np.int64 and set(np.unique(d)) == {1, 2, 3, 4, 5, 6}


def test_random_ops_are_tf1_composites_with_tf1_names(graph):
    node = G.random_normal([2, 3], name="w_init")
    assert node.name == "w_init:0" and node.shape == (2, 3)
    types = {op.name: op.type for op in graph.get_operations()}
    assert types["w_init/RandomStandardNormal"] == "RandomStandardNormal"
    assert types["w_init/mul"] == "Mul" and types["w_init"] == "Add"


def test_gradients_reach_mean_and_stddev_tensors(graph):
    mean = G.placeholder((), name="mean")
    std = G.placeholder((), name="std")
    draw = G.random_normal([50], mean=mean, stddev=std, seed=5)
    g_mean, g_std = G.gradients(G.reduce_sum(draw), [mean, std])
    with G.Session() as sess:
        value, gm, gs = sess.run([draw, g_mean, g_std], {mean: 1.0, std: 2.0})
    # draw = z * std + mean: d/dmean = 50, d/dstd = sum(z) = sum(draw - mean) / std
    assert gm == 50.0
    assert np.isclose(gs, np.sum(value - 1.0) / 2.0, rtol=1e-12)


def test_random_ops_as_variable_initial_values(graph):
    w = G.Variable(G.truncated_normal([30, 20], stddev=0.1, seed=1), name="w")
    b = G.Variable(G.zeros([20]), name="b")
    with G.Session() as sess:
        sess.run(G.global_variables_initializer())
        first = sess.run(w)
        assert sess.run(b).tolist() == [0.0] * 20
        assert np.abs(first).max() <= 0.2 and np.array_equal(sess.run(w), first)
        sess.run(w.initializer)  # re-running the initializer draws again
        assert not np.array_equal(sess.run(w), first)


def test_random_op_arguments_are_checked(graph):
    with pytest.raises(G.ShapeError, match=r"random_normal: shape must be fully known"):
        G.random_normal([None, 3])
    with pytest.raises(TypeError, match=r"random_normal: dtype must be floating"):
        G.random_normal([2], dtype=G.int32)
    with pytest.raises(ArgumentError, match=r"maxval is required"):
        G.random_uniform([2], dtype=G.int32)
    with pytest.raises(ArgumentError, match=r"needs minval < maxval"):
        G.random_uniform([2], 3, 3, dtype=G.int32)
    with pytest.raises(TypeError, match=r"random_uniform: maxval must be a number"):
        G.random_uniform([2], maxval="1")


# ----- dropout ------------------------------------------------------------------------------------


def test_dropout_keeps_with_probability_keep_prob_and_rescales(graph):
    x = G.placeholder((None, 1000), name="x")
    a = np.random.default_rng(0).uniform(1.0, 2.0, (20, 1000))
    h = G.nn.dropout(x, keep_prob=0.8, seed=3)
    same = G.nn.dropout(x, rate=0.2, seed=3)
    assert h.shape == (None, 1000)
    with G.Session() as s1, G.Session() as s2:
        out = s1.run(h, {x: a})
        np.testing.assert_array_equal(s2.run(same, {x: a}), out)  # rate = 1 - keep
    kept = out != 0
    np.testing.assert_allclose(out[kept], a[kept] / 0.8, rtol=1e-15)
    assert abs(kept.mean() - 0.8) < 5 * np.sqrt(0.8 * 0.2 / kept.size)


def test_dropout_mask_is_shared_by_value_and_gradient_of_one_run(graph):
    x = G.placeholder((None, 6), name="x")
    a = np.random.default_rng(1).uniform(1.0, 2.0, (4, 6))
    h = G.nn.dropout(x, keep_prob=0.5)  # unseeded
    (g,) = G.gradients(G.reduce_sum(h), [x])
    with G.Session() as sess:
        value, grad = sess.run([h, g], {x: a})
    np.testing.assert_allclose(grad, value / a, rtol=1e-15)  # mask / keep_prob
    assert set(np.unique(grad)) <= {0.0, 2.0}


def test_a_random_op_draws_once_per_run_however_many_gradients_need_it(graph):
    x = G.placeholder((None, 4), name="x")
    w = G.Variable(np.ones((4, 2)), name="w")
    h = G.nn.dropout(G.matmul(x, w), keep_prob=0.5)
    loss = G.reduce_sum(h)
    (g1,) = G.gradients(loss, [w])
    (g2,) = G.gradients(loss, [w], name="again")
    g3, _ = G.gradients(loss, [w, h])  # h depends on w: one pass per x
    with G.Session() as sess:
        sess.run(w.initializer)
        a, b, c, value = sess.run([g1, g2, g3, h], {x: np.ones((3, 4))})
    # d(sum h)/dw[i, j] = sum over rows of x[r, i] * mask[r, j] / keep_prob
    want = np.tile((value != 0).sum(axis=0) * 2.0, (4, 1))
    for grad in (a, b, c):
        np.testing.assert_array_equal(grad, want)


def test_dropout_gradient_matches_central_differences_at_a_fixed_draw(graph):
    x = G.placeholder((3, 4), name="x")
    keep = G.placeholder_with_default(0.6, (), name="keep_prob")
    loss = G.reduce_sum(G.tanh(G.nn.dropout(x, keep_prob=keep, seed=9)) ** 2)
    (g,) = G.gradients(loss, [x])
    a = np.random.default_rng(2).standard_normal((3, 4))

    def first_run(fetch, point):
        with G.Session() as sess:  # a new session: the seeded first draw
            return sess.run(fetch, {x: point})

    u = np.random.default_rng(3).standard_normal((3, 4))
    eps = 1e-6
    fd = (first_run(loss, a + eps * u) - first_run(loss, a - eps * u)) / (2 * eps)
    assert np.isclose(np.vdot(first_run(g, a), u), fd, rtol=1e-6)
    with G.Session() as sess:  # keep_prob fed 1: the identity
        np.testing.assert_array_equal(
            sess.run(G.nn.dropout(x, keep_prob=keep), {x: a, keep: 1.0}), a
        )


def test_dropout_noise_shape_shares_decisions(graph):
    x = G.placeholder((None, 5), name="x")
    h = G.nn.dropout(x, keep_prob=0.5, noise_shape=[None, 1], seed=4)
    with G.Session() as sess:
        out = sess.run(h, {x: np.ones((50, 5))})
    assert all(len(set(row)) == 1 for row in out)  # whole rows kept or dropped
    assert 0 < (out[:, 0] != 0).sum() < 50


def test_dropout_arguments_are_checked(graph):
    x = G.placeholder((None, 5), name="x")
    with pytest.raises(ArgumentError, match=r"exactly one of keep_prob and rate"):
        G.nn.dropout(x)
    with pytest.raises(ArgumentError, match=r"exactly one of keep_prob and rate"):
        G.nn.dropout(x, keep_prob=0.5, rate=0.5)
    with pytest.raises(ArgumentError, match=r"keep_prob must lie in \(0, 1\]"):
        G.nn.dropout(x, keep_prob=0.0)
    with pytest.raises(ArgumentError, match=r"rate must lie in \[0, 1\)"):
        G.nn.dropout(x, rate=1.0)
    with pytest.raises(TypeError, match=r"dropout: x .* must be floating"):
        G.nn.dropout(G.constant([1, 2]), keep_prob=0.5)
    with pytest.raises(G.ShapeError, match=r"noise_shape \(\?, 3\) does not broadcast"):
        G.nn.dropout(x, keep_prob=0.5, noise_shape=[None, 3])


# ----- a TF1 training loop ------------------------------------------------------------------------


def _train_mlp(data, labels):
    """A 2-layer MLP as a TF1 course writes it; returns losses and accuracy."""
    with G.Graph().as_default():
        G.set_random_seed(2024)
        x = G.placeholder(G.float32, [None, 2], "x")
        y = G.placeholder(G.int32, [None], "y")
        keep_prob = G.placeholder_with_default(1.0, shape=(), name="keep_prob")
        w1 = G.Variable(G.random_normal([2, 32], stddev=0.5), name="w1")
        b1 = G.Variable(G.zeros([32]), name="b1")
        w2 = G.Variable(G.truncated_normal([32, 3], stddev=0.1), name="w2")
        b2 = G.Variable(G.zeros([3]), name="b2")
        hidden = G.nn.dropout(G.nn.relu(G.nn.bias_add(G.matmul(x, w1), b1)), keep_prob)
        probs = G.nn.softmax(G.nn.bias_add(G.matmul(hidden, w2), b2))
        onehot = G.one_hot(y, 3)
        clipped = G.clip_by_value(probs, 1e-10, 1.0)
        loss = G.reduce_mean(-G.reduce_sum(onehot * G.log(clipped), axis=1))
        correct = G.equal(G.argmax(probs, 1), y)
        accuracy = G.reduce_mean(G.cast(correct, G.float32))
        step = G.train.AdamOptimizer(0.05).minimize(loss)
        losses = []
        with G.Session() as sess:
            sess.run(G.global_variables_initializer())
            for _ in range(150):
                _, value = sess.run([step, loss], {x: data, y: labels, keep_prob: 0.9})
                losses.append(value)
            return losses, sess.run(accuracy, {x: data, y: labels})


def test_a_tf1_mlp_learns_and_is_deterministic_with_seeds():
    rng = np.random.default_rng(0)
    data = rng.standard_normal((150, 2))
    angle = np.arctan2(data[:, 1], data[:, 0])
    labels = ((angle + np.pi) // (2 * np.pi / 3)).astype(np.int64) % 3  # 3 sectors
    losses, accuracy = _train_mlp(data, labels)
    assert losses[-1] < 0.3 * losses[0] and accuracy > 0.9
    again, accuracy_again = _train_mlp(data, labels)
    assert again == losses and accuracy_again == accuracy  # bit for bit
