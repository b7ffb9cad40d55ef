"""Stable forms: finite values and gradients at +-1000, +-710 and -inf rows.

Every computation here runs under ``np.errstate(all="raise")``: an overflow,
an invalid operation, a division by zero or an underflow inside the toolkit
is a failure, not a warning. References are independent: SciPy's ``expit``,
``log_expit``, ``logsumexp`` and ``softmax``, and NumPy's ``logaddexp``.
"""

import numpy as np
import pytest
import scipy.special as sps

import numeric as nm
import numeric.graph as G
import symgraph as sg

EXTREMES = np.array([-1000.0, -710.0, -1.0, 0.0, 1.0, 710.0, 1000.0])
ROWS = np.array(
    [
        [1000.0, -1000.0, 710.0],
        [-710.0, 0.0, 710.0],
        [-1000.0, -1000.0, -1000.0],
        [1000.0, 1000.0, -710.0],
    ]
)
LABELS = np.array([1, 0, 2, 2])
NINF = -np.inf
MASKED = np.array([[0.0, NINF, 1.0], [NINF, NINF, 3.0], [NINF, 2.0, NINF]])


def _reference_unary(name, v):
    with np.errstate(all="ignore"):
        if name == "sigmoid":
            return sps.expit(v), sps.expit(v) * sps.expit(-v)
        return np.logaddexp(0.0, v), sps.expit(v)


@pytest.mark.parametrize("name", ["sigmoid", "softplus"])
def test_unary_stable_numeric_matches_reference(name):
    fn = getattr(nm, name)
    value_ref, grad_ref = _reference_unary(name, EXTREMES)
    with np.errstate(all="raise"):
        value = fn(nm.tensor(EXTREMES)).data
        grad = nm.grad(lambda v: nm.sum(fn(v)))(EXTREMES)
    assert np.isfinite(value).all() and np.isfinite(grad).all()
    np.testing.assert_allclose(value, value_ref, rtol=1e-15, atol=0)
    np.testing.assert_allclose(grad, grad_ref, rtol=1e-15, atol=1e-300)


def _symbolic_three_ways(name, errors):
    x = sg.symbols("x")
    f = getattr(sg, name)(x)
    (g,) = sg.grad(f, [x])
    value_ref, grad_ref = _reference_unary(name, EXTREMES)
    with np.errstate(**errors):
        results = [
            (sg.evaluate(f, {x: EXTREMES}), sg.evaluate(g, {x: EXTREMES})),
            tuple(sg.lambdify([x], [f, g])(EXTREMES)),
        ]
        codegen = getattr(sg, "codegen", None)
        if codegen is not None:
            namespace = {}
            source = codegen(f, [x], name="s")  # our own generated code
            exec(compile(source, "<codegen>", "exec"), namespace)
            value, (grad,) = namespace["s_grad"](EXTREMES)
            results.append((value, grad))
    for value, grad in results:
        assert np.isfinite(value).all() and np.isfinite(grad).all()
        np.testing.assert_allclose(value, value_ref, rtol=1e-15, atol=1e-300)
        np.testing.assert_allclose(grad, grad_ref, rtol=1e-14, atol=1e-300)


@pytest.mark.parametrize("name", ["sigmoid", "softplus"])
def test_unary_stable_symbolic_three_ways_match_reference(name):
    # Values and gradients finite and right; overflow, invalid and division
    # by zero raise; underflow is checked on its own below.
    _symbolic_three_ways(name, {"all": "raise", "under": "ignore"})


@pytest.mark.parametrize("name", ["sigmoid", "softplus"])
def test_unary_stable_symbolic_no_underflow_flag(name):
    _symbolic_three_ways(name, {"all": "raise"})


def test_logsumexp_extremes_finite_and_matches_scipy():
    with np.errstate(all="raise"):
        value = nm.logsumexp(nm.tensor(ROWS), axis=1).data
        grad = nm.grad(lambda v: nm.sum(nm.logsumexp(v, axis=1)))(ROWS)
    np.testing.assert_allclose(value, sps.logsumexp(ROWS, axis=1), rtol=1e-15)
    np.testing.assert_allclose(grad, sps.softmax(ROWS, axis=1), rtol=1e-12, atol=1e-300)


def test_log_softmax_and_softmax_extremes_finite_and_match_scipy():
    weights = np.arange(ROWS.size, dtype=float).reshape(ROWS.shape)
    with np.errstate(all="raise"):
        value = nm.log_softmax(nm.tensor(ROWS), axis=1).data
        grad = nm.grad(lambda v: nm.sum(nm.log_softmax(v, axis=1) * weights))(ROWS)
        probs = nm.softmax(nm.tensor(ROWS), axis=1).data
    s = sps.softmax(ROWS, axis=1)
    np.testing.assert_allclose(value, sps.log_softmax(ROWS, axis=1), rtol=1e-14)
    expected = weights - s * weights.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(grad, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(probs, s, rtol=1e-15, atol=1e-300)


def test_cross_entropy_extremes_finite_and_matches_scipy():
    with np.errstate(all="raise"):
        value = nm.cross_entropy(nm.tensor(ROWS), LABELS).data
        grad = nm.grad(lambda v: nm.cross_entropy(v, LABELS))(ROWS)
    logp = sps.log_softmax(ROWS, axis=1)
    onehot = np.eye(3)[LABELS]
    np.testing.assert_allclose(value, -logp[np.arange(4), LABELS].mean(), rtol=1e-15)
    expected = (sps.softmax(ROWS, axis=1) - onehot) / len(LABELS)
    np.testing.assert_allclose(grad, expected, rtol=1e-12, atol=1e-300)


def test_logsumexp_all_ninf_row_is_ninf_with_zero_gradient():
    rows = np.array([[NINF, NINF, NINF], [0.0, NINF, 1.0]])
    with np.errstate(all="raise"):
        value = nm.logsumexp(nm.tensor(rows), axis=1).data
        grad = nm.grad(lambda v: nm.sum(nm.logsumexp(v, axis=1)))(rows)
        probs = nm.softmax(nm.tensor(rows), axis=1).data
    assert value[0] == NINF
    np.testing.assert_allclose(value[1], sps.logsumexp(rows[1]), rtol=1e-15)
    assert np.isfinite(grad).all()
    np.testing.assert_array_equal(grad[0], [0.0, 0.0, 0.0])
    np.testing.assert_allclose(grad[1], sps.softmax(rows[1]), rtol=1e-15)
    np.testing.assert_array_equal(probs[0], [0.0, 0.0, 0.0])


def test_masked_rows_give_finite_gradients():
    # -inf entries (a mask) are untaken branches: they must not poison the
    # gradient of the entries that remain.
    labels = np.array([2, 2, 1])
    with np.errstate(all="raise"):
        loss = nm.cross_entropy(nm.tensor(MASKED), labels).data
        grad_ce = nm.grad(lambda v: nm.cross_entropy(v, labels))(MASKED)
        grad_lse = nm.grad(lambda v: nm.sum(nm.logsumexp(v, axis=1)))(MASKED)
        logp = nm.log_softmax(nm.tensor(MASKED), axis=1).data
    assert np.isfinite(loss)
    assert np.isfinite(grad_ce).all() and np.isfinite(grad_lse).all()
    np.testing.assert_allclose(logp, sps.log_softmax(MASKED, axis=1), rtol=1e-15)
    expected = (sps.softmax(MASKED, axis=1) - np.eye(3)[labels]) / 3
    np.testing.assert_allclose(grad_ce, expected, rtol=1e-12, atol=1e-300)


def test_graph_losses_at_extremes_finite():
    with np.errstate(all="raise"), G.Graph().as_default():
        z = G.placeholder(ROWS.shape, name="z")
        losses = [
            G.cross_entropy(z, LABELS),
            G.reduce_sum(G.logsumexp(z, axis=1)),
            G.reduce_sum(G.log_softmax(z, axis=1)),
            G.reduce_sum(G.sigmoid(z) + G.softplus(z)),
        ]
        grads = [G.gradients(loss, [z])[0] for loss in losses]
        with G.Session() as sess:
            values, gradients = sess.run([losses, grads], {z: ROWS})
    assert all(np.isfinite(v).all() for v in values)
    assert all(np.isfinite(g).all() for g in gradients)
    np.testing.assert_allclose(
        gradients[1], sps.softmax(ROWS, axis=1), rtol=1e-12, atol=1e-300
    )
