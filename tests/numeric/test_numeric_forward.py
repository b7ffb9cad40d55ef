"""Forward mode: every JVP rule of the registry, and the transforms on it.

Parametrized over the registry (``_numeric_specs.SPECS``): each primitive's
JVP is checked against central finite differences in a random direction and
against its own VJP through the transpose identity <u, J v> == <J^T u, v>, so
a new primitive with a spec is tested here without a new test.
"""

import numpy as np
import pytest
from _numeric_specs import SPECS
from hypothesis import given, settings
from hypothesis import strategies as st

import numeric as nm
from numeric.registry import Primitive, defvjp, primitives

# the convolution and pooling primitives belong to another branch, which has
# not declared JVP rules yet: forward mode refuses them by name (tested below)
_OTHER_BRANCH = ("numeric.prims.conv", "numeric.prims.pool", "numeric.prims._conv")


def _other_branch(prim) -> bool:
    return getattr(prim.impl, "__module__", "").startswith(_OTHER_BRANCH)


WITHOUT_JVP = {p.name for p in primitives() if p.jvp is None}
NAMES = sorted(set(SPECS) - WITHOUT_JVP)
shapes = st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple)
seeds = st.integers(0, 2**32 - 1)
FAST = settings(max_examples=8, deadline=None, derandomize=True)


def _fd_jvp(fn, arrays, tangents, eps=1e-6):
    plus = fn(*[a + eps * t for a, t in zip(arrays, tangents)]).data
    minus = fn(*[a - eps * t for a, t in zip(arrays, tangents)]).data
    return (plus - minus) / (2 * eps)


def test_registry_primitives_without_jvp_are_only_the_conv_family():
    missing = sorted(
        p.name for p in primitives() if p.jvp is None and not _other_branch(p)
    )
    assert missing == []
    assert len(NAMES) >= 60  # the parametrized JVP tests below cover the rest


@pytest.mark.parametrize("name", NAMES)
@FAST
@given(seed=seeds, shape=shapes)
def test_registry_jvp_matches_finite_differences(name, seed, shape):
    rng = np.random.default_rng(seed)
    fn, arrays = SPECS[name](rng, shape)
    tangents = [rng.normal(size=a.shape) for a in arrays]
    out, tangent = nm.jvp(fn, arrays, tangents)
    np.testing.assert_allclose(out, fn(*arrays).data, rtol=1e-12, atol=1e-12)
    expected = _fd_jvp(fn, arrays, tangents)
    np.testing.assert_allclose(tangent, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", NAMES)
@FAST
@given(seed=seeds, shape=shapes)
def test_registry_jvp_and_vjp_are_transposes(name, seed, shape):
    rng = np.random.default_rng(seed)
    fn, arrays = SPECS[name](rng, shape)
    vs = [rng.normal(size=a.shape) for a in arrays]
    out, jv = nm.jvp(fn, arrays, vs)
    u = rng.normal(size=np.shape(out))
    _, pullback = nm.vjp(fn, *arrays)
    jtu = pullback(u)
    lhs = float(np.sum(u * jv))
    rhs = sum(float(np.sum(g * v)) for g, v in zip(jtu, vs))
    assert lhs == pytest.approx(rhs, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=3, deadline=None, derandomize=True)
@given(seed=seeds, shape=shapes)
def test_registry_jvp_rule_differentiates_again(name, seed, shape):
    # reverse over forward: grad_x <w, J(x) v> is checked by finite differences,
    # which needs the JVP rule's own operations to have correct VJPs
    rng = np.random.default_rng(seed)
    fn, arrays = SPECS[name](rng, shape)
    vs = [rng.normal(size=a.shape) for a in arrays]
    w = rng.normal(size=np.shape(fn(*arrays).data))

    def q(*xs):
        return nm.sum(nm.jvp(fn, xs, vs)[1] * w)

    assert nm.gradcheck(q, *arrays, atol=1e-4)


def _no_jvp_primitive():
    prim = Primitive("sin_without_jvp", np.sin, 1)
    defvjp(prim, lambda g, ans, x: (g * nm.cos(x),))
    return prim


def test_jvp_through_a_primitive_without_rule_raises_naming_it():
    prim = _no_jvp_primitive()
    with pytest.raises(NotImplementedError, match="JVP of sin_without_jvp"):
        nm.jvp(lambda x: prim(x) * 2.0, (1.0,), (1.0,))
    # reverse mode still works through it
    assert float(nm.grad(lambda x: prim(x))(0.0)) == 1.0


def test_jvp_through_the_conv_family_is_refused_not_zero():
    x, w = np.ones((4, 4)), np.ones((2, 2))
    with pytest.raises(NotImplementedError, match="correlate2d"):
        nm.jvp(lambda x: nm.correlate2d(x, w), (x,), (x,))


def test_jvp_of_a_function_not_depending_on_input_is_zero_tangent():
    _, t = nm.jvp(lambda x: nm.tensor([1.0, 2.0]), (3.0,), (1.0,))
    np.testing.assert_array_equal(t, [0.0, 0.0])


def test_jvp_argument_errors_name_the_problem():
    with pytest.raises(ValueError, match="tuple"):
        nm.jvp(nm.sin, 1.0, 1.0)
    with pytest.raises(ValueError, match="1 primals but 2 tangents"):
        nm.jvp(nm.sin, (1.0,), (1.0, 2.0))
    with pytest.raises(nm.ShapeError, match=r"tangent 0 has shape \(3,\)"):
        nm.jvp(nm.sin, (np.ones(2),), (np.ones(3),))


def test_jvp_tuple_output_and_several_inputs():
    out, t = nm.jvp(lambda x, y: (x * y, x + y), (2.0, 3.0), (1.0, 10.0))
    assert [float(o) for o in out] == [6.0, 5.0]
    assert [float(v) for v in t] == [1.0 * 3.0 + 2.0 * 10.0, 11.0]


def test_nested_jvp_is_free_of_perturbation_confusion():
    # d/dx [x * d/dy (x + y)] = d/dx [x * 1] = 1 (a confused engine gives 2)
    def inner(x):
        return x * nm.jvp(lambda y: x + y, (1.0,), (1.0,))[1]

    assert float(nm.jvp(inner, (1.0,), (1.0,))[1]) == 1.0


def test_forward_over_forward_second_derivative():
    xs = np.linspace(-2, 2, 5)
    d2 = nm.jvp(lambda x: nm.jvp(nm.tanh, (x,), (np.ones(5),))[1], (xs,), (np.ones(5),))
    t = np.tanh(xs)
    np.testing.assert_allclose(d2[1], -2 * t * (1 - t**2), rtol=1e-12)


def test_vjp_matches_grad_and_pullback_is_reusable():
    x = np.array([0.3, -1.2, 2.0])
    out, pullback = nm.vjp(lambda x: nm.exp(x) * x, x)
    np.testing.assert_allclose(out, np.exp(x) * x)
    np.testing.assert_allclose(pullback(np.ones(3))[0], np.exp(x) * (x + 1))
    np.testing.assert_allclose(pullback(2 * np.ones(3))[0], 2 * np.exp(x) * (x + 1))
    with pytest.raises(nm.ShapeError, match="cotangent"):
        pullback(np.ones(2))


def _loss(w, x):
    h = nm.tanh(nm.matmul(x, w))
    return nm.logsumexp(h) + 0.5 * nm.sum(w * w) * nm.sum(h)


def _fd_hessian(fn, x, eps=1e-5):
    g = nm.grad(fn)
    cols = []
    for index in np.ndindex(x.shape):
        e = np.zeros(x.shape)
        e[index] = eps
        cols.append((g(x + e) - g(x - e)) / (2 * eps))
    return np.stack(cols, axis=-1).reshape(x.shape + x.shape)


def test_hessian_matches_finite_differences_of_grad_and_reverse_over_reverse():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 3))
    w0 = rng.normal(size=(3, 2))

    def f(w):
        return _loss(w, x)

    h = nm.hessian(f)(w0)
    assert h.shape == (3, 2, 3, 2)
    np.testing.assert_allclose(h, _fd_hessian(f, w0), rtol=1e-6, atol=1e-7)
    h_rr = nm.jacobian(nm.grad(f), mode="reverse")(w0)
    np.testing.assert_allclose(h, h_rr, rtol=1e-10, atol=1e-12)
    flat = h.reshape(6, 6)
    np.testing.assert_allclose(flat, flat.T, rtol=1e-10, atol=1e-12)


def test_hessian_of_tuple_argnums_gives_blocks():
    def f(x, y):
        return nm.sum(x * x * y) + nm.sum(nm.sin(y))

    x, y = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    (hxx, hxy), (hyx, hyy) = nm.hessian(f, (0, 1))(x, y)
    np.testing.assert_allclose(hxx, np.diag(2 * y))
    np.testing.assert_allclose(hxy, np.diag(2 * x))
    np.testing.assert_allclose(hyx, np.diag(2 * x))
    np.testing.assert_allclose(hyy, np.diag(-np.sin(y)))


def test_hvp_equals_hessian_times_vector():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4, 3))
    w0, v = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))

    def f(w):
        return _loss(w, x)

    h = nm.hessian(f)(w0).reshape(6, 6)
    np.testing.assert_allclose(
        nm.hvp(f, (w0,), (v,)), (h @ v.ravel()).reshape(3, 2), rtol=1e-10
    )


@pytest.mark.parametrize("mode", ["forward", "reverse", "auto"])
def test_jacobian_modes_agree_with_finite_differences(mode):
    rng = np.random.default_rng(2)
    a = rng.normal(size=(3, 2))

    def f(x):
        return nm.matmul(a, nm.sin(x)) * nm.sum(x)

    x = rng.normal(size=2)
    jac = nm.jacobian(f, mode=mode)(x)
    assert jac.shape == (3, 2)
    eps = 1e-6
    fd = np.stack(
        [(f(x + eps * e).data - f(x - eps * e).data) / (2 * eps) for e in np.eye(2)],
        axis=-1,
    )
    np.testing.assert_allclose(jac, fd, rtol=1e-6, atol=1e-8)


def test_jacobian_auto_picks_forward_for_fewer_inputs_than_outputs():
    # a primitive without a JVP rule shows which mode 'auto' chose
    prim = _no_jvp_primitive()
    wide = nm.jacobian(lambda x: nm.stack([prim(x)] * 3))  # 1 input, 3 outputs
    with pytest.raises(NotImplementedError, match="sin_without_jvp"):
        wide(0.5)
    narrow = nm.jacobian(lambda x: nm.sum(prim(x)))  # 3 inputs, 1 output
    np.testing.assert_allclose(narrow(np.zeros(3)), np.ones(3))


def test_jacobian_bad_mode_is_refused():
    with pytest.raises(ValueError, match="mode"):
        nm.jacobian(nm.sin, mode="sideways")


def test_hessian_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 3))
    w0 = rng.normal(size=(3, 2))
    ours = nm.hessian(lambda w: _loss(w, x))(w0)
    tx = torch.tensor(x)

    def loss_t(w):
        h = torch.tanh(tx @ w)
        return torch.logsumexp(h.reshape(-1), 0) + 0.5 * (w * w).sum() * h.sum()

    theirs = torch.autograd.functional.hessian(loss_t, torch.tensor(w0)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
