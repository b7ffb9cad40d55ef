"""Optimizers: first steps against TF1's update formulas computed by hand here,
the global step, slot variables, and refusal of non-finite steps."""

import numpy as np
import pytest

import numeric.graph as G
from numeric.errors import NonFiniteError

A = np.array([0.5, 3.0])
W0 = np.array([1.0, -2.0])


def _grad(w):
    # loss = sum(A * w**2)  =>  dloss/dw = 2 A w
    return 2 * A * w


def _run_steps(optimizer, n, graph):
    w = G.Variable(W0, name="w")
    step = G.train.get_or_create_global_step()
    train = optimizer.minimize(G.reduce_sum(G.constant(A) * w * w), global_step=step)
    with G.Session() as sess:
        sess.run(G.global_variables_initializer())
        out = []
        for _ in range(n):
            sess.run(train)
            out.append(sess.run(w))
        assert sess.run(step) == n
    return out


def test_gradient_descent_first_steps_match_formula(graph):
    lr = 0.1
    got = _run_steps(G.train.GradientDescentOptimizer(lr), 2, graph)
    w1 = W0 - lr * _grad(W0)
    w2 = w1 - lr * _grad(w1)
    np.testing.assert_allclose(got, [w1, w2], rtol=1e-15)


def test_momentum_first_steps_match_formula(graph):
    lr, mu = 0.1, 0.9
    got = _run_steps(G.train.MomentumOptimizer(lr, mu), 2, graph)
    accum1 = _grad(W0)  # accum = mu * 0 + g
    w1 = W0 - lr * accum1
    accum2 = mu * accum1 + _grad(w1)
    w2 = w1 - lr * accum2
    np.testing.assert_allclose(got, [w1, w2], rtol=1e-15)


def test_nesterov_momentum_first_steps_match_formula(graph):
    lr, mu = 0.1, 0.9
    got = _run_steps(G.train.MomentumOptimizer(lr, mu, use_nesterov=True), 2, graph)
    g1 = _grad(W0)
    accum1 = g1
    w1 = W0 - (lr * g1 + lr * mu * accum1)
    g2 = _grad(w1)
    accum2 = mu * accum1 + g2
    w2 = w1 - (lr * g2 + lr * mu * accum2)
    np.testing.assert_allclose(got, [w1, w2], rtol=1e-15)


def test_adam_first_steps_match_formula(graph):
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    got = _run_steps(G.train.AdamOptimizer(lr, b1, b2, eps), 3, graph)
    w, m, v, want = W0, 0.0, 0.0, []
    for t in (1, 2, 3):
        g = _grad(w)
        lr_t = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        w = w - lr_t * m / (np.sqrt(v) + eps)
        want.append(w)
    np.testing.assert_allclose(got, want, rtol=1e-14)
    # first step is about lr * sign(g): the hallmark of Adam
    np.testing.assert_allclose(want[0], W0 - lr * np.sign(_grad(W0)), rtol=1e-6)


def test_adam_slots_hold_the_moments(graph):
    opt = G.train.AdamOptimizer(0.1)
    w = G.Variable(W0, name="w")
    train = opt.minimize(G.reduce_sum(G.constant(A) * w * w))
    with G.Session() as sess:
        sess.run(G.global_variables_initializer())
        sess.run(train)
        g = _grad(W0)
        np.testing.assert_allclose(sess.run(opt.get_slot(w, "m")), 0.1 * g)
        np.testing.assert_allclose(sess.run(opt.get_slot(w, "v")), 0.001 * g * g)
        assert sess.run("beta1_power:0") == pytest.approx(0.81)


def test_apply_gradients_equals_minimize(graph):
    w = G.Variable(W0, name="w")
    loss = G.reduce_sum(G.constant(A) * w * w)
    opt = G.train.GradientDescentOptimizer(0.1)
    pairs = opt.compute_gradients(loss)
    assert pairs[0][1] is w
    train = opt.apply_gradients(pairs)
    with G.Session() as sess:
        sess.run(w.initializer)
        sess.run(train)
        np.testing.assert_allclose(sess.run(w), W0 - 0.1 * _grad(W0))


def test_learning_rate_may_be_a_placeholder(graph):
    lr = G.placeholder((), name="lr")
    w = G.Variable(W0, name="w")
    train = G.train.GradientDescentOptimizer(lr).minimize(
        G.reduce_sum(G.constant(A) * w * w)
    )
    with G.Session() as sess:
        sess.run(w.initializer)
        sess.run(train, {lr: 0.5})
        np.testing.assert_allclose(sess.run(w), W0 - 0.5 * _grad(W0))


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")
def test_non_finite_step_is_refused_and_changes_nothing(graph):
    w = G.Variable(np.array([1.0, 4.0]), name="w")
    x = G.placeholder((2,), name="x")
    step = G.train.get_or_create_global_step()
    opt = G.train.AdamOptimizer(0.1)
    train = opt.minimize(G.reduce_sum(G.sqrt(w * x)), global_step=step)
    with G.Session() as sess:
        sess.run(G.global_variables_initializer())
        sess.run(train, {x: [1.0, 1.0]})
        before = {v.op.name: sess.run(v) for v in G.global_variables()}
        with pytest.raises(NonFiniteError, match="w"):
            sess.run(train, {x: [0.0, 1.0]})  # d sqrt(w x)/dw = inf at x = 0
        after = {v.op.name: sess.run(v) for v in G.global_variables()}
    assert before.keys() == after.keys()
    for name, value in before.items():
        np.testing.assert_array_equal(value, after[name], err_msg=name)


def test_minimize_without_gradients_raises(graph):
    w = G.Variable(1.0, name="w")
    G.Variable(2.0, name="other")
    with pytest.raises(ValueError, match="No gradients"):
        G.train.GradientDescentOptimizer(0.1).minimize(
            w * 0.0 + 1.0, var_list=[G.global_variables()[1]]
        )
