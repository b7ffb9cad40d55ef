"""Session.run from several threads at once gives right answers (TF1's Session
is thread-safe): every value and gradient is compared with its own expected
value, and concurrent training steps on one session add up exactly like the
same steps taken one after another.

The switch interval is lowered while these tests run so that threads
interleave inside a run, where a race would show.
"""

import sys
import threading

import numpy as np
import pytest

import numeric.graph as G

W0 = np.array([0.5, -1.0, 2.0])
THREADS, RUNS = 8, 50  # concurrent runs on one session, each checked
TRAIN_STEPS = 30  # steps per thread, each thread with its own session
SHARED_THREADS, SHARED_STEPS = 4, 25  # training steps on one shared session


@pytest.fixture(autouse=True)
def _interleave_often():
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(previous)


def _in_threads(target, n):
    """Run ``target(k)`` in ``n`` threads; re-raise the first exception."""
    errors = []

    def wrapped(k):
        try:
            target(k)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=wrapped, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def _model():
    """loss = sum(sin(w * x) * x); its gradient by hand: cos(w * x) * x**2."""
    graph = G.Graph()
    with graph.as_default():
        x = G.placeholder((3,), name="x")
        w = G.Variable(W0, name="w")
        loss = G.reduce_sum(G.sin(w * x) * x)
        (dw,) = G.gradients(loss, [w])
    return graph, x, w, loss, dw


def test_concurrent_runs_on_one_session_each_get_their_own_answer():
    graph, x, w, loss, dw = _model()
    sess = G.Session(graph=graph)
    sess.run(w.initializer)
    wrong = []

    def work(k):
        rng = np.random.default_rng(k)
        for _ in range(RUNS):
            xv = rng.standard_normal(3)
            got_loss, got_dw = sess.run([loss, dw], {x: xv})
            want_loss = np.sum(np.sin(W0 * xv) * xv)
            want_dw = np.cos(W0 * xv) * xv * xv
            if not (
                np.allclose(got_loss, want_loss, rtol=1e-13, atol=1e-15)
                and np.allclose(got_dw, want_dw, rtol=1e-13, atol=1e-15)
            ):
                wrong.append((k, xv))

    _in_threads(work, THREADS)
    sess.close()
    assert not wrong, f"{len(wrong)} of {THREADS * RUNS} runs were wrong"


def _regression(lr=0.05):
    graph = G.Graph()
    with graph.as_default():
        x = G.placeholder((None, 3), name="x")
        y = G.placeholder((None,), name="y")
        w = G.Variable(W0, name="w")
        pred = G.reduce_sum(x * w, axis=1)
        loss = G.reduce_mean((pred - y) * (pred - y))
        step = G.train.get_or_create_global_step()
        train = G.train.GradientDescentOptimizer(lr).minimize(loss, global_step=step)
        init = G.global_variables_initializer()
    return graph, x, y, w, step, train, init


def _gd_by_hand(xv, yv, steps, lr=0.05):
    w = W0.copy()
    for _ in range(steps):
        residual = xv @ w - yv
        w = w - lr * (2.0 / len(yv)) * (xv.T @ residual)
    return w


def test_concurrent_training_on_separate_sessions():
    graph, x, y, w, step, train, init = _regression()
    results = {}

    def work(k):
        rng = np.random.default_rng(100 + k)
        xv, yv = rng.standard_normal((6, 3)), rng.standard_normal(6)
        with G.Session(graph=graph) as sess:
            sess.run(init)
            for _ in range(TRAIN_STEPS):
                sess.run(train, {x: xv, y: yv})
            results[k] = (xv, yv, sess.run(w), sess.run(step))

    _in_threads(work, THREADS)
    assert sorted(results) == list(range(THREADS))
    for xv, yv, got, steps in results.values():
        assert steps == TRAIN_STEPS
        want = _gd_by_hand(xv, yv, TRAIN_STEPS)
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_concurrent_training_steps_on_one_session_all_count():
    graph, x, y, w, step, train, init = _regression()
    rng = np.random.default_rng(3)
    feed = {x: rng.standard_normal((6, 3)), y: rng.standard_normal(6)}
    with G.Session(graph=graph) as sequential:
        sequential.run(init)
        for _ in range(SHARED_THREADS * SHARED_STEPS):
            sequential.run(train, feed)
        want = sequential.run(w)

    sess = G.Session(graph=graph)
    sess.run(init)
    seen = []

    def work(k):
        for _ in range(SHARED_STEPS):
            sess.run(train, feed)
            seen.append(sess.run([w, step]))  # read-only runs in between

    _in_threads(work, SHARED_THREADS)
    total = SHARED_THREADS * SHARED_STEPS
    assert sess.run(step) == total  # no step was lost
    # the same steps, serialized: bit for bit the sequential result
    assert sess.run(w).tobytes() == want.tobytes()
    sess.close()
    # every read saw the state after some whole number of steps
    by_steps = {}
    with G.Session(graph=graph) as replay:
        replay.run(init)
        for k in range(1, total + 1):
            replay.run(train, feed)
            by_steps[k] = replay.run(w).tobytes()
    for w_seen, steps_seen in seen:
        assert w_seen.tobytes() == by_steps[int(steps_seen)]


def test_concurrent_assign_add_on_one_session_loses_nothing():
    with G.Graph().as_default() as graph:
        counter = G.Variable(np.zeros(2), name="counter")
        inc = counter.assign_add([1.0, 2.0])
    sess = G.Session(graph=graph)
    sess.run(counter.initializer)
    _in_threads(lambda k: [sess.run(inc) for _ in range(RUNS)], THREADS)
    n = THREADS * RUNS
    np.testing.assert_array_equal(sess.run(counter), [n, 2.0 * n])
    sess.close()
