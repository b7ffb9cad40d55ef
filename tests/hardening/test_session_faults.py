"""Sessions under bad feeds and non-finite steps: refused, nothing changed.

Every feed is checked before anything runs; an optimizer step whose gradient
is non-finite raises ``NonFiniteError`` and leaves every variable, slot,
Adam power and the global step unchanged, byte for byte.
"""

import numpy as np
import pytest

import numeric.graph as G
from numeric.errors import FeedError, NonFiniteError, ToolkitError

OPTIMIZERS = {
    "sgd": lambda: G.train.GradientDescentOptimizer(0.1),
    "momentum": lambda: G.train.MomentumOptimizer(0.1, 0.9),
    "nesterov": lambda: G.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True),
    "adam": lambda: G.train.AdamOptimizer(0.01),
}


def _model(make_optimizer):
    """A small regression with every kind of optimizer state, after two steps."""
    graph = G.Graph()
    with graph.as_default():
        x = G.placeholder((None, 3), name="x")
        y = G.placeholder((None,), name="y")
        w = G.Variable(np.array([0.5, -1.0, 2.0]), name="w")
        b = G.Variable(0.25, name="b")
        pred = G.reduce_sum(x * w, axis=1) + b
        loss = G.reduce_mean((pred - y) * (pred - y))
        step = G.train.get_or_create_global_step()
        train = make_optimizer().minimize(loss, global_step=step)
        init = G.global_variables_initializer()
    sess = G.Session(graph=graph)
    sess.run(init)
    rng = np.random.default_rng(7)
    good = {x: rng.standard_normal((4, 3)), y: rng.standard_normal(4)}
    for _ in range(2):
        sess.run(train, good)
    variables = graph.get_collection("variables")
    return sess, train, x, y, good, variables


def _snapshot(sess, variables):
    return [np.asarray(v).tobytes() for v in sess.run(list(variables))]


@pytest.fixture(params=sorted(OPTIMIZERS))
def model(request):
    sess, *rest = _model(OPTIMIZERS[request.param])
    with sess:
        yield (sess, *rest)


def test_model_has_optimizer_state(model):
    sess, train, _x, _y, good, variables = model
    assert len(variables) >= 3  # w, b, global_step (+ slots)
    before = _snapshot(sess, variables)
    sess.run(train, good)
    assert _snapshot(sess, variables) != before  # a good step does change state


@pytest.mark.parametrize(
    "bad",
    [
        "wrong_shape",
        "wrong_rank",
        "string_value",
        "ragged",
        "unknown_key",
        "missing_y",
        "object_value",
    ],
)
def test_bad_feed_refused_before_anything_changes(model, bad):
    sess, train, x, y, good, variables = model
    feed = dict(good)
    if bad == "wrong_shape":
        feed[x] = np.ones((4, 2))
    elif bad == "wrong_rank":
        feed[y] = np.ones((4, 1))
    elif bad == "string_value":
        feed[x] = np.array([["a", "b", "c"]] * 4)
    elif bad == "ragged":
        feed[x] = [[1.0, 2.0, 3.0], [1.0, 2.0]]
    elif bad == "unknown_key":
        feed["not_a_tensor"] = 1.0
    elif bad == "missing_y":
        del feed[y]
    elif bad == "object_value":
        feed[x] = np.array([[object()] * 3] * 4, dtype=object)
    before = _snapshot(sess, variables)
    with pytest.raises(ToolkitError) as info:
        sess.run(train, feed)
    assert isinstance(info.value, FeedError), type(info.value)
    assert _snapshot(sess, variables) == before


@pytest.mark.parametrize("poison", [np.inf, -np.inf, np.nan])
def test_non_finite_gradient_step_refused_state_unchanged(model, poison):
    sess, train, x, _y, good, variables = model
    feed = dict(good)
    xs = good[x].copy()
    xs[1, 2] = poison
    feed[x] = xs
    before = _snapshot(sess, variables)
    with pytest.raises(NonFiniteError, match=r"(?i)finite"):
        sess.run(train, feed)
    assert _snapshot(sess, variables) == before
    sess.run(train, good)  # the session still works afterwards
    assert _snapshot(sess, variables) != before


def test_overflowing_gradient_step_refused_state_unchanged(model):
    sess, train, x, y, _good, variables = model
    feed = {x: np.full((4, 3), 1e200), y: np.zeros(4)}
    before = _snapshot(sess, variables)
    with np.errstate(over="ignore", invalid="ignore"), pytest.raises(NonFiniteError):
        sess.run(train, feed)
    assert _snapshot(sess, variables) == before


# ----- non-finite updates from finite gradients ---------------------------------

# name -> (optimizer from a learning-rate tensor, the learning rates that must be
# refused). Each learning rate is fed to the same graph, so the state compared
# byte for byte is the one two good steps left.
HUGE_LR = 1e308  # finite, but lr * g overflows to inf (and 0 * inf is nan)
LR_FAULTS = [HUGE_LR, np.nan, np.inf]


def _lr_model(make_optimizer):
    graph = G.Graph()
    with graph.as_default():
        x = G.placeholder((None, 3), name="x")
        lr = G.placeholder((), name="lr")
        w = G.Variable(np.array([0.5, -1.0, 2.0]), name="w")
        loss = G.reduce_mean((G.reduce_sum(x * w, axis=1) - 1.0) ** 2)
        step = G.train.get_or_create_global_step()
        train = make_optimizer(lr).minimize(loss, global_step=step)
        init = G.global_variables_initializer()
    sess = G.Session(graph=graph)
    sess.run(init)
    good = {x: np.random.default_rng(5).standard_normal((4, 3)), lr: 0.01}
    for _ in range(2):
        sess.run(train, good)
    return sess, train, lr, good, graph.get_collection("variables")


LR_OPTIMIZERS = {
    "sgd": lambda lr: G.train.GradientDescentOptimizer(lr),
    "momentum": lambda lr: G.train.MomentumOptimizer(lr, 0.9),
    "nesterov": lambda lr: G.train.MomentumOptimizer(lr, 0.9, use_nesterov=True),
    "adam": lambda lr: G.train.AdamOptimizer(lr),
}


# Adam's step is about lr_t * m / sqrt(v) with |m / sqrt(v)| <= 1-ish, so a
# huge but finite learning rate gives a huge but finite step: not a fault.
LR_CASES = [
    (name, lr)
    for name in sorted(LR_OPTIMIZERS)
    for lr in LR_FAULTS
    if not (name == "adam" and lr == HUGE_LR)
]


@pytest.mark.parametrize(("name", "bad_lr"), LR_CASES)
def test_non_finite_update_from_learning_rate_refused(name, bad_lr):
    sess, train, lr, good, variables = _lr_model(LR_OPTIMIZERS[name])
    with sess:
        before = _snapshot(sess, variables)
        with pytest.raises(NonFiniteError, match=r"(?i)update.*not finite"):
            sess.run(train, {**good, lr: bad_lr})
        assert _snapshot(sess, variables) == before
        sess.run(train, good)  # still usable
        assert _snapshot(sess, variables) != before


def _zero_gradient_model(optimizer):
    """w[1] does not affect the loss: its gradient is exactly 0 at every step."""
    graph = G.Graph()
    with graph.as_default():
        w = G.Variable(np.array([1.0, 2.0]), name="w")
        loss = G.reduce_sum(w[:1] * w[:1])
        step = G.train.get_or_create_global_step()
        train = optimizer.minimize(loss, global_step=step)
        init = G.global_variables_initializer()
    sess = G.Session(graph=graph)
    sess.run(init)
    return sess, train, graph.get_collection("variables")


@pytest.mark.parametrize(
    "make",
    [
        lambda: G.train.AdamOptimizer(0.1, epsilon=0.0),  # m / sqrt(v) = 0 / 0
        lambda: G.train.AdamOptimizer(0.1, beta1=1.0),  # lr_t = lr * .../0
    ],
    ids=["adam-epsilon-0", "adam-beta1-1"],
)
def test_adam_degenerate_hyperparameters_refused_state_unchanged(make):
    sess, train, variables = _zero_gradient_model(make())
    with sess:
        before = _snapshot(sess, variables)
        with (
            np.errstate(all="raise"),  # the engine must not warn either
            pytest.raises(NonFiniteError, match=r"w.*not finite"),
        ):
            sess.run(train)
        assert _snapshot(sess, variables) == before


def test_adam_second_moment_overflow_refused_state_unchanged():
    # g is about 1e200, finite; g * g overflows, so Adam's v slot would become
    # inf while the variable's own update, m / sqrt(v), would be a finite 0
    sess, train, x, y, _good, variables = _model(OPTIMIZERS["adam"])
    with sess:
        feed = {x: np.full((4, 3), 1e100), y: np.zeros(4)}
        before = _snapshot(sess, variables)
        with pytest.raises(NonFiniteError, match=r"Adam_1.*not finite"):
            sess.run(train, feed)
        assert _snapshot(sess, variables) == before
