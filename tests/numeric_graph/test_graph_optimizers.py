"""RMSProp and Adagrad against TF1's formulas written out in NumPy here, over
several steps; optimizer slots read and set like TF1's (a step from a given
state equals the hand formula from that state; a restored checkpoint resumes
exactly); PyTorch where its formulas coincide with TF1's (optional)."""

import numpy as np
import pytest

import numeric.graph as G
from numeric.errors import FeedError

A = np.array([0.5, 3.0, -1.5])
W0 = np.array([1.0, -2.0, 0.25])


def _grad(w):
    # loss = sum(A * w**2) + sum(sin(w))  =>  dloss/dw = 2 A w + cos(w)
    return 2 * A * w + np.cos(w)


def _loss(w):
    return G.reduce_sum(G.constant(A) * w * w) + G.reduce_sum(G.sin(w))


def _train(optimizer, steps, graph, before_steps=None):
    """Values of w after each step; ``before_steps(sess, w)`` runs after the
    initializer (to set slots)."""
    w = G.Variable(W0, name="w")
    train = optimizer.minimize(_loss(w))
    out = []
    with G.Session() as sess:
        sess.run(G.global_variables_initializer())
        if before_steps is not None:
            before_steps(sess, w)
        for _ in range(steps):
            sess.run(train)
            out.append(sess.run(w))
    return w, out


# ----- TF1's formulas, by hand (the textbook form of TF1's documentation) ------


def tf1_rmsprop(steps, lr, decay, momentum, eps, centered, ms=None, mg=None, mom=None):
    w = W0.copy()
    ms = np.ones(3) if ms is None else ms  # TF1 starts the "rms" slot at ones
    mg = np.zeros(3) if mg is None else mg
    mom = np.zeros(3) if mom is None else mom
    out = []
    for _ in range(steps):
        g = _grad(w)
        ms = decay * ms + (1 - decay) * g * g
        if centered:
            mg = decay * mg + (1 - decay) * g
            mom = momentum * mom + lr * g / np.sqrt(ms - mg * mg + eps)
        else:
            mom = momentum * mom + lr * g / np.sqrt(ms + eps)
        w = w - mom
        out.append(w)
    return out, (ms, mg, mom)


def tf1_adagrad(steps, lr, accum):
    w, out = W0.copy(), []
    for _ in range(steps):
        g = _grad(w)
        accum = accum + g * g
        w = w - lr * g / np.sqrt(accum)
        out.append(w)
    return out, accum


@pytest.mark.parametrize("centered", [False, True])
@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_rmsprop_matches_tf1_formula_over_steps(graph, centered, momentum):
    lr, decay, eps = 0.01, 0.9, 1e-10
    opt = G.train.RMSPropOptimizer(lr, decay, momentum, eps, centered=centered)
    _, got = _train(opt, 6, graph)
    want, _ = tf1_rmsprop(6, lr, decay, momentum, eps, centered)
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15)


def test_rmsprop_defaults_are_tf1s(graph):
    opt = G.train.RMSPropOptimizer(0.05)
    assert (opt.decay, opt.momentum, opt.epsilon, opt.centered) == (
        0.9, 0.0, 1e-10, False
    )  # fmt: skip
    _, got = _train(opt, 3, graph)
    np.testing.assert_allclose(
        got, tf1_rmsprop(3, 0.05, 0.9, 0.0, 1e-10, False)[0], rtol=1e-13
    )


@pytest.mark.parametrize("initial", [0.1, 2.5])
def test_adagrad_matches_tf1_formula_over_steps(graph, initial):
    opt = G.train.AdagradOptimizer(0.3, initial_accumulator_value=initial)
    _, got = _train(opt, 6, graph)
    want, _ = tf1_adagrad(6, 0.3, np.full(3, initial))
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15)


def test_adagrad_refuses_a_non_positive_accumulator():
    with pytest.raises(ValueError, match="initial_accumulator_value"):
        G.train.AdagradOptimizer(0.1, initial_accumulator_value=0.0)


# ----- slots -------------------------------------------------------------------


SLOTS = {
    "momentum": (lambda: G.train.MomentumOptimizer(0.1, 0.9), {"momentum": "w/Momentum"}),
    "adam": (lambda: G.train.AdamOptimizer(0.1), {"m": "w/Adam", "v": "w/Adam_1"}),
    "rmsprop": (lambda: G.train.RMSPropOptimizer(0.1, momentum=0.5),
                {"rms": "w/RMSProp", "momentum": "w/RMSProp_1"}),
    "centered": (lambda: G.train.RMSPropOptimizer(0.1, centered=True),
                 {"rms": "w/RMSProp", "mg": "w/RMSProp_1", "momentum": "w/RMSProp_2"}),
    "adagrad": (lambda: G.train.AdagradOptimizer(0.1), {"accumulator": "w/Adagrad"}),
    "sgd": (lambda: G.train.GradientDescentOptimizer(0.1), {}),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(SLOTS))
def test_slots_are_named_like_tf1(graph, name):
    make, expected = SLOTS[name]
    opt = make()
    w = G.Variable(W0, name="w")
    assert opt.get_slot(w, next(iter(expected), "m")) is None  # before minimize
    opt.minimize(_loss(w))
    assert opt.get_slot_names() == list(expected)
    for slot_name, var_name in expected.items():
        slot = opt.get_slot(w, slot_name)
        assert isinstance(slot, G.Variable) and slot.op.name == var_name
        assert slot.shape == w.shape and not slot.trainable
        assert slot in G.global_variables()
    assert opt.get_slot(w, "no such slot") is None
    assert all(v in G.global_variables() for v in opt.variables())


def test_rmsprop_step_from_given_slots(graph):
    lr, decay, mu, eps = 0.02, 0.8, 0.7, 1e-10
    ms, mg, mom = np.array([2.0, 0.5, 1.0]), np.array([0.3, -0.2, 0.1]), np.ones(3)
    opt = G.train.RMSPropOptimizer(lr, decay, mu, eps, centered=True)

    def set_slots(sess, w):
        opt.get_slot(w, "rms").load(ms, sess)
        opt.get_slot(w, "mg").load(mg, sess)
        opt.get_slot(w, "momentum").load(mom, sess)

    _, got = _train(opt, 1, graph, set_slots)
    want, _ = tf1_rmsprop(1, lr, decay, mu, eps, True, ms, mg, mom)
    np.testing.assert_allclose(got, want, rtol=1e-13)


def test_adagrad_step_from_given_accumulator(graph):
    accum = np.array([0.5, 4.0, 9.0])
    opt = G.train.AdagradOptimizer(0.3)
    _, got = _train(
        opt, 2, graph, lambda sess, w: opt.get_slot(w, "accumulator").load(accum, sess)
    )
    np.testing.assert_allclose(got, tf1_adagrad(2, 0.3, accum)[0], rtol=1e-13)


def test_momentum_step_from_given_accumulator(graph):
    accum = np.array([1.0, -2.0, 0.5])
    opt = G.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True)
    _, got = _train(
        opt, 1, graph, lambda sess, w: opt.get_slot(w, "momentum").assign(accum).eval()
    )  # assign works as well as load
    g = _grad(W0)
    new_accum = 0.9 * accum + g
    np.testing.assert_allclose(got[0], W0 - (0.1 * g + 0.1 * 0.9 * new_accum))


def test_adam_step_from_given_moments_and_step_count(graph):
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    m0, v0, t = np.array([0.1, -0.2, 0.3]), np.array([0.5, 0.1, 2.0]), 7
    opt = G.train.AdamOptimizer(lr, b1, b2, eps)

    def set_state(sess, w):
        opt.get_slot(w, "m").load(m0, sess)
        opt.get_slot(w, "v").load(v0, sess)
        b1p, b2p = opt._get_beta_accumulators()
        b1p.load(b1**t, sess)  # the state after t - 1 steps
        b2p.load(b2**t, sess)

    _, got = _train(opt, 1, graph, set_state)
    g = _grad(W0)
    lr_t = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
    m, v = b1 * m0 + (1 - b1) * g, b2 * v0 + (1 - b2) * g * g
    np.testing.assert_allclose(got[0], W0 - lr_t * m / (np.sqrt(v) + eps), rtol=1e-14)


@pytest.mark.parametrize("name", ["adam", "centered", "adagrad", "momentum"])
def test_restored_checkpoint_resumes_every_slot_exactly(tmp_path, name):
    def build():
        w = G.Variable(W0, name="w")
        step = G.train.get_or_create_global_step()
        train = SLOTS[name][0]().minimize(_loss(w), global_step=step)
        return train, G.train.Saver(), G.global_variables_initializer()

    with G.Graph().as_default():
        train, saver, init = build()
        with G.Session() as sess:
            sess.run(init)
            for _ in range(3):
                sess.run(train)
            path = saver.save(sess, str(tmp_path / "m"))
            for _ in range(2):
                sess.run(train)
            straight = [sess.run(v) for v in G.global_variables()]
    with G.Graph().as_default():
        train, saver, _ = build()
        with G.Session() as sess:
            saver.restore(sess, path)  # no initializer: the slots come from disk
            for _ in range(2):
                sess.run(train)
            resumed = [sess.run(v) for v in G.global_variables()]
    assert [a.tobytes() for a in straight] == [b.tobytes() for b in resumed]


def test_load_checks_the_value_like_a_feed(graph):
    w = G.Variable(W0, name="w")
    n = G.Variable(np.int64(0), name="n")
    with G.Session() as sess:
        with pytest.raises(FeedError, match=r"w:0.*\(3,\)"):
            w.load(np.ones(4), sess)
        with pytest.raises(FeedError, match=r"n:0.*int64"):
            n.load(2**63, sess)
        w.load([1, 2, 3])  # the default session
        n.load(2**62)
        assert sess.run(w).tolist() == [1.0, 2.0, 3.0] and sess.run(n) == 2**62
    with pytest.raises(ValueError, match="no default session"):
        w.load(W0)


# ----- PyTorch, where its formulas coincide with TF1's (optional) ----------------


def test_adagrad_and_rmsprop_agree_with_torch(graph):
    torch = pytest.importorskip("torch")

    def torch_steps(make, steps):
        w = torch.tensor(W0, requires_grad=True)
        opt = make([w])
        out = []
        for _ in range(steps):
            opt.zero_grad()
            a = torch.tensor(A)
            (torch.sum(a * w * w) + torch.sum(torch.sin(w))).backward()
            opt.step()
            out.append(w.detach().numpy().copy())
        return out

    # Adagrad: torch divides by sqrt(accum) + eps; eps=0 makes it TF1's rule
    _, got = _train(G.train.AdagradOptimizer(0.3, 0.1), 5, graph)
    want = torch_steps(
        lambda p: torch.optim.Adagrad(p, lr=0.3, initial_accumulator_value=0.1, eps=0),
        5,
    )
    np.testing.assert_allclose(got, want, rtol=1e-12)

    # RMSProp: torch starts the mean square at 0 (TF1 at 1) and adds epsilon
    # outside the square root (TF1 inside); with the rms slot loaded with 0
    # and epsilon 0 the two rules are the same
    with G.Graph().as_default():
        opt = G.train.RMSPropOptimizer(0.01, 0.9, 0.5, 0.0, centered=True)
        _, got = _train(
            opt, 5, G.get_default_graph(),
            lambda sess, w: opt.get_slot(w, "rms").load(np.zeros(3), sess),
        )  # fmt: skip
    want = torch_steps(
        lambda p: torch.optim.RMSprop(
            p, lr=0.01, alpha=0.9, eps=0, momentum=0.5, centered=True
        ),
        5,
    )
    np.testing.assert_allclose(got, want, rtol=1e-12)
