"""Learning-rate schedules against TF1's formulas computed by hand here, the
global step, and a training loop whose learning rate decays with it."""

import math

import numpy as np
import pytest

import numeric.graph as G
from numeric.graph.op_registry import HOST_KERNELS
from numeric.graph.schedule_rules import RULES

STEPS = [0, 1, 37, 99, 100, 101, 250, 999, 1000, 5000]


def _values(make, steps=STEPS):
    """The schedule's value at each step, the step fed to an int64 placeholder."""
    with G.Graph().as_default():
        step = G.placeholder((), dtype=G.int64, name="step")
        lr = make(step)
        assert lr.dtype == G.float64 and lr.shape == ()
        with G.Session() as sess:
            return [float(sess.run(lr, {step: s})) for s in steps]


# TF1's documented formulas, one Python function per case
CASES = {
    "exponential": (
        lambda s: G.train.exponential_decay(0.1, s, 100, 0.96),
        lambda t: 0.1 * 0.96 ** (t / 100),
    ),
    "exponential-staircase": (
        lambda s: G.train.exponential_decay(0.1, s, 100, 0.5, staircase=True),
        lambda t: 0.1 * 0.5 ** math.floor(t / 100),
    ),
    "inverse-time": (
        lambda s: G.train.inverse_time_decay(0.1, s, 10, 0.5),
        lambda t: 0.1 / (1 + 0.5 * t / 10),
    ),
    "inverse-time-staircase": (
        lambda s: G.train.inverse_time_decay(0.1, s, 10, 0.5, staircase=True),
        lambda t: 0.1 / (1 + 0.5 * math.floor(t / 10)),
    ),
    "polynomial": (
        lambda s: G.train.polynomial_decay(0.1, s, 1000, 0.01),
        lambda t: (0.1 - 0.01) * (1 - min(t, 1000) / 1000) + 0.01,
    ),
    "polynomial-power": (
        lambda s: G.train.polynomial_decay(0.1, s, 1000, 0.0, power=2.0),
        lambda t: 0.1 * (1 - min(t, 1000) / 1000) ** 2,
    ),
    "polynomial-cycle": (
        lambda s: G.train.polynomial_decay(0.1, s, 100, 0.01, power=0.5, cycle=True),
        lambda t: (
            (0.1 - 0.01) * (1 - t / (100 * max(1, math.ceil(t / 100)))) ** 0.5 + 0.01
        ),
    ),
    "cosine": (
        lambda s: G.train.cosine_decay(0.1, s, 1000),
        lambda t: 0.1 * 0.5 * (1 + math.cos(math.pi * min(t, 1000) / 1000)),
    ),
    "cosine-alpha": (
        lambda s: G.train.cosine_decay(0.1, s, 1000, alpha=0.2),
        lambda t: (
            0.1 * (0.8 * 0.5 * (1 + math.cos(math.pi * min(t, 1000) / 1000)) + 0.2)
        ),
    ),
    "piecewise": (
        lambda s: G.train.piecewise_constant(s, [100, 250], [1.0, 0.5, 0.1]),
        lambda t: 1.0 if t <= 100 else 0.5 if t <= 250 else 0.1,
    ),
}


def test_every_schedule_host_op_has_a_case():
    # the other host ops (ArgMax, Equal, Cast, ...) are tested in
    # test_graph_tf1_idioms.py
    with G.Graph().as_default():
        step = G.placeholder((), dtype=G.int64)
        covered = {make(step).op.type for make, _ in CASES.values()}
    assert covered == set(RULES) and covered <= set(HOST_KERNELS)


@pytest.mark.parametrize("case", sorted(CASES))
def test_schedule_matches_tf1_formula(case):
    make, formula = CASES[case]
    got = _values(make)
    want = [formula(t) for t in STEPS]
    np.testing.assert_allclose(got, want, rtol=1e-15, atol=0)


def test_schedule_boundaries_fall_where_tf1_puts_them():
    piecewise = _values(
        lambda s: G.train.piecewise_constant(s, [10, 20], [3.0, 2.0, 1.0]),
        [9, 10, 11, 20, 21],
    )
    assert piecewise == [3.0, 3.0, 2.0, 2.0, 1.0]  # x <= boundary: left value
    stairs = _values(
        lambda s: G.train.exponential_decay(1.0, s, 10, 0.5, staircase=True),
        [9, 10, 19, 20],
    )
    assert stairs == [1.0, 0.5, 0.5, 0.25]


def test_schedule_learning_rate_may_be_a_tensor(graph):
    base = G.placeholder((), name="base")
    step = G.Variable(np.int64(200), name="step")
    lr = G.train.exponential_decay(base, step, 100, 0.5)
    with G.Session() as sess:
        sess.run(step.initializer)
        assert sess.run(lr, {base: 0.8}) == pytest.approx(0.2, rel=1e-15)


def test_schedule_bad_arguments_are_refused(graph):
    step = G.train.get_or_create_global_step()
    with pytest.raises(ValueError, match="global_step is required"):
        G.train.exponential_decay(0.1, None, 100, 0.9)
    with pytest.raises(ValueError, match="decay_steps must be positive"):
        G.train.cosine_decay(0.1, step, 0)
    with pytest.raises(ValueError, match="1 less than"):
        G.train.piecewise_constant(step, [10, 20], [1.0, 0.5])
    with pytest.raises(ValueError, match="increase"):
        G.train.piecewise_constant(step, [20, 10], [1.0, 0.5, 0.1])
    with pytest.raises(TypeError, match="decay_rate must be a Python number"):
        G.train.exponential_decay(0.1, step, 100, G.constant(0.5))


def test_a_schedule_is_never_differentiated_silently(graph):
    base = G.placeholder((), name="base")
    lr = G.train.exponential_decay(base, G.constant(3), 10, 0.5)
    (d_base,) = G.gradients(lr * 2.0, [base])
    with (
        G.Session() as sess,
        pytest.raises(NotImplementedError, match="ExponentialDecay"),
    ):
        sess.run(d_base, {base: 1.0})


def test_global_step_is_created_once(graph):
    step = G.train.create_global_step()
    assert step.op.name == "global_step" and step.dtype == G.int64
    assert not step.trainable
    assert G.train.get_global_step() is step
    assert G.train.get_or_create_global_step() is step
    with pytest.raises(ValueError, match="already exists"):
        G.train.create_global_step()


@pytest.mark.parametrize("optimizer", ["sgd", "momentum"])
def test_training_loop_with_a_decaying_learning_rate(graph, optimizer):
    # loss = sum(A * w**2): gradient 2 A w. TF1's order: the step's learning
    # rate is computed from the global step before the step increments it.
    a, w0, mu = np.array([0.5, 2.0]), np.array([1.0, -1.0]), 0.9
    w = G.Variable(w0, name="w")
    step = G.train.get_or_create_global_step()
    lr = G.train.exponential_decay(0.2, step, 2, 0.5, staircase=True)
    if optimizer == "sgd":
        opt = G.train.GradientDescentOptimizer(lr)
    else:
        opt = G.train.MomentumOptimizer(lr, mu)
    train = opt.minimize(G.reduce_sum(G.constant(a) * w * w), global_step=step)
    want, accum, rates = w0, np.zeros(2), []
    with G.Session() as sess:
        sess.run(G.global_variables_initializer())
        for t in range(7):
            rate = 0.2 * 0.5 ** (t // 2)
            g = 2 * a * want
            if optimizer == "sgd":
                want = want - rate * g
            else:
                accum = mu * accum + g
                want = want - rate * accum
            rates.append(sess.run(lr))
            sess.run(train)
            np.testing.assert_allclose(sess.run(w), want, rtol=1e-14)
        assert sess.run(step) == 7
    assert rates == [0.2, 0.2, 0.1, 0.1, 0.05, 0.05, 0.025]
