"""sg.check never says "ok" outside the domain, and takes any variables.

Each case failed before: a NaN difference printed as error 0 and "ok", an
unused variable raised KeyError, a 2,000-term sum took most of a minute.
"""

import math

import numpy as np
import pytest

import symgraph as sg

x, y, z = sg.symbols("x y z")


@pytest.mark.parametrize(
    "expr, point, culprit",
    [
        (sg.log(x), {x: -1.0}, "f is"),
        (sg.log(x), {x: 0.0}, "f is"),
        (sg.sqrt(x) * y, {x: 0.0, y: 1.0}, "gradient"),
        (x / y, {x: 1.0, y: 0.0}, "f is"),
    ],
)
def test_a_given_point_outside_the_domain_is_refused_naming_it(expr, point, culprit):
    with pytest.raises(sg.DomainError, match="outside the domain") as info:
        sg.check(expr, [x, y], at=point)
    assert culprit in str(info.value)
    assert "x=" in str(info.value)


def test_random_points_avoid_the_outside_of_the_domain():
    f = sg.log(x) + sg.sqrt(y) + 1 / (x - 1)
    report = sg.check(f, [x, y], n_points=5)
    assert report.ok and len(report.points) == 5
    assert all(math.isfinite(report.max_abs_error) for _ in [0])
    for p in report.points:
        assert np.all(np.isfinite(p.symbolic)) and np.all(
            np.isfinite(p.finite_difference)
        )


def test_a_nan_error_is_never_reported_as_zero():
    from symgraph.check import CheckReport, PointCheck

    report = CheckReport(wrt=["x"])
    nan = np.array([math.nan])
    report.add(
        PointCheck({"x": 1.0}, 1.0, np.array([1.0]), nan, np.array([1.0])),
        (1e-7, 1e-9, 1e-4, 1e-5),
    )
    assert not report.ok and math.isnan(report.max_abs_error)


def test_a_variable_the_expression_does_not_use_has_gradient_zero():
    report = sg.check(x * x, [x, z], at={x: 1.5})
    assert report.ok
    assert report.points[0].symbolic.tolist() == [3.0, 0.0]
    assert report.points[0].numeric.tolist() == [3.0, 0.0]
    random = sg.check(x * x, [x, z], n_points=2)
    assert random.ok and [p.symbolic[1] for p in random.points] == [0.0, 0.0]


def test_variables_by_name():
    assert sg.check("x*y", "x, y", at={"x": 1.0, "y": 2.0}).ok


def test_duplicated_variables_and_bad_point_counts_are_refused():
    with pytest.raises(sg.DuplicateSymbolError):
        sg.check(x * y, [x, x])
    for n in (0, -2, 1.5):
        with pytest.raises(ValueError, match="n_points"):
            sg.check(x * y, [x, y], n_points=n)


def test_a_two_thousand_term_sum_is_checked_in_linear_time():
    names = [f"v{i}" for i in range(2000)]
    f = sg.parse(" + ".join(f"{n}*{n}" for n in names))
    report = sg.check(f, names, n_points=1)
    point = report.points[0]
    assert report.ok
    np.testing.assert_allclose(point.symbolic, [2 * point.point[n] for n in names])
