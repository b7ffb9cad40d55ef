"""sg.jvp, symbolic forward mode, against the other mode (the reverse sweep),
central differences, and the Hessian (forward over reverse)."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import dag_scale, expressions, safe_points

import symgraph as sg

x, y, z = sg.symbols("x y z")
SYMS = [x, y, z]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_jvp_is_the_gradient_dotted_with_the_tangent(data):
    f = data.draw(expressions(SYMS, max_depth=4))
    point = data.draw(safe_points([f], SYMS))
    v = data.draw(st.lists(st.floats(-2, 2), min_size=3, max_size=3))
    forward = sg.jvp(f, SYMS, v)
    reverse = sum(vi * gi for vi, gi in zip(v, sg.grad(f, SYMS)))
    with np.errstate(all="ignore"):
        a, b = sg.evaluate(forward, point), sg.evaluate(reverse, point)
    scale = dag_scale([f, forward], point) * (1 + sum(abs(t) for t in v))
    assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9 * scale), (f, point, v)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_jvp_matches_central_differences_along_the_tangent(data):
    f = data.draw(expressions(SYMS, max_depth=3, rational=True))
    point = data.draw(safe_points([f], SYMS))
    v = [0.3, -0.7, 1.1]
    h = 1e-6
    up = {s: point[s] + h * t for s, t in zip(SYMS, v)}
    down = {s: point[s] - h * t for s, t in zip(SYMS, v)}
    with np.errstate(all="ignore"):
        fd = (sg.evaluate(f, up) - sg.evaluate(f, down)) / (2 * h)
        got = sg.evaluate(sg.jvp(f, SYMS, v), point)
    scale = dag_scale([f], point)
    assert math.isclose(got, fd, rel_tol=1e-4, abs_tol=1e-5 * scale), (f, point)


def test_jvp_forms_and_symbolic_tangents():
    dx, dy = sg.symbols("dx dy")
    assert (
        str(sg.jvp(x * sg.sin(y), [x, y], [dx, dy]))
        == "sin(y) * dx + x * (cos(y) * dy)"
    )
    assert sg.jvp(x**2, x, 1) is 2 * x
    assert sg.jvp(x**2, "x", 3) is 6 * x
    assert sg.jvp([x * y, x + y], [x, y], [1, 0]) == [y, sg.parse("1")]
    out = sg.jvp(np.array([x * y, y], dtype=object), "x, y", [0, 1])
    assert out.shape == (2,) and out[0] is x and out[1].value == 1
    assert sg.jvp(y, [x], [1]).value == 0  # no path: the tangent is 0


def test_forward_over_reverse_gives_the_hessian_times_a_vector():
    f = sg.sin(x * y) + x**3 * z - sg.exp(y * z)
    v = [0.5, -1.0, 2.0]
    hvp = sg.jvp(sg.grad(f, SYMS), SYMS, v)
    hess = sg.hessian(f, SYMS)
    point = {x: 0.3, y: -0.4, z: 0.8}
    expected = sg.evaluate(hess, point) @ np.array(v)
    np.testing.assert_allclose(sg.evaluate(hvp, point), expected, rtol=1e-12)


def test_jvp_size_is_a_small_multiple_of_the_forward_dag():
    f = x
    for k in range(200):
        f = sg.sin(f) * y + x * k
    t = sg.jvp(f, [x, y], [1, 1])
    assert sg.count_nodes(t) <= 6 * sg.count_nodes(f)


def test_jvp_refuses_wrong_tangent_counts_and_non_symbols():
    with pytest.raises(ValueError, match="2 variable"):
        sg.jvp(x * y, [x, y], [1])
    with pytest.raises(sg.NotASymbolError):
        sg.jvp(x * y, [x * 2], [1])
