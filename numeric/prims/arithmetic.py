"""Binary arithmetic: add, subtract, multiply, divide, power, maximum, minimum.

Part of the registry in :mod:`numeric.registry`. Inputs broadcast like NumPy;
each VJP undoes the broadcasting with the shared :func:`unbroadcast`, and each
JVP is the sum of the partial derivatives times the tangents, broadcast to the
output's shape. ``maximum``/``minimum`` give half the gradient to each argument
at a tie (PyTorch's convention).
"""

from __future__ import annotations

import numpy as np

from numeric.prims.elementwise import _add_dots, _binary, log, negative, where
from numeric.prims.reduce import unbroadcast
from numeric.registry import defjvp, deflinear, defvjp, needs_grad

__all__ = [
    "add",
    "divide",
    "maximum",
    "minimum",
    "multiply",
    "power",
    "subtract",
]

# ----- Binary arithmetic -----

add_p, add = _binary("add", np.add, "Elementwise ``x + y`` (broadcasting).")
subtract_p, subtract = _binary(
    "subtract", np.subtract, "Elementwise ``x - y`` (broadcasting)."
)
multiply_p, multiply = _binary(
    "multiply", np.multiply, "Elementwise ``x * y`` (broadcasting)."
)
divide_p, divide = _binary("divide", np.divide, "Elementwise ``x / y`` (broadcasting).")
power_p, power = _binary("power", np.power, "Elementwise ``x ** y`` (broadcasting).")
maximum_p, maximum = _binary(
    "maximum",
    np.maximum,
    "Elementwise maximum; at a tie each argument gets half the gradient.",
)
minimum_p, minimum = _binary(
    "minimum",
    np.minimum,
    "Elementwise minimum; at a tie each argument gets half the gradient.",
)


def add_vjp(g, ans, x, y):
    return (
        unbroadcast(g, x.shape) if needs_grad(x) else None,
        unbroadcast(g, y.shape) if needs_grad(y) else None,
    )


def subtract_vjp(g, ans, x, y):
    return (
        unbroadcast(g, x.shape) if needs_grad(x) else None,
        unbroadcast(negative(g), y.shape) if needs_grad(y) else None,
    )


def multiply_vjp(g, ans, x, y):
    return (
        unbroadcast(g * y, x.shape) if needs_grad(x) else None,
        unbroadcast(g * x, y.shape) if needs_grad(y) else None,
    )


def divide_vjp(g, ans, x, y):
    # d(x/y)/dy = -x/y**2 = -ans/y
    return (
        unbroadcast(g / y, x.shape) if needs_grad(x) else None,
        unbroadcast(negative(g * ans / y), y.shape) if needs_grad(y) else None,
    )


def power_vjp(g, ans, x, y):
    gx = gy = None
    if needs_grad(x):
        # d(x**y)/dx = y * x**(y-1); where y == 0 the term is 0 (not 0 * inf at x=0)
        y_is_0 = y.data == 0
        exponent = where(y_is_0, 1.0, y - 1.0) if np.any(y_is_0) else y - 1.0
        gx = unbroadcast(g * y * x**exponent, x.shape)
    if needs_grad(y):
        # d(x**y)/dy = x**y * log(x); 0 at x == 0 with y >= 0 (PyTorch), by a
        # double where so log(0) cannot poison it
        zero = (x.data == 0) & (y.data >= 0)
        safe_x = where(zero, 1.0, x)
        gy = unbroadcast(g * where(zero, 0.0, ans * log(safe_x)), y.shape)
    return (gx, gy)


def _tie_weights(x, y):
    """Share of the gradient each argument of maximum gets: 1, 1/2 at a tie, 0."""
    tie = 0.5 * (x.data == y.data)
    return (x.data > y.data) + tie, (y.data > x.data) + tie


def maximum_vjp(g, ans, x, y):
    wx, wy = _tie_weights(x, y)
    return (
        unbroadcast(g * wx, x.shape) if needs_grad(x) else None,
        unbroadcast(g * wy, y.shape) if needs_grad(y) else None,
    )


def minimum_vjp(g, ans, x, y):
    wy, wx = _tie_weights(x, y)
    return (
        unbroadcast(g * wx, x.shape) if needs_grad(x) else None,
        unbroadcast(g * wy, y.shape) if needs_grad(y) else None,
    )


def multiply_jvp(dots, ans, x, y):
    dx, dy = dots
    return _add_dots(
        None if dx is None else dx * y, None if dy is None else x * dy, ans.shape
    )


def divide_jvp(dots, ans, x, y):
    dx, dy = dots
    return _add_dots(
        None if dx is None else dx / y,
        None if dy is None else negative(dy * ans / y),
        ans.shape,
    )


def power_jvp(dots, ans, x, y):
    # the partials of power_vjp, before unbroadcasting, times the tangents
    dx, dy = dots
    tx = ty = None
    if dx is not None:
        y_is_0 = y.data == 0
        exponent = where(y_is_0, 1.0, y - 1.0) if np.any(y_is_0) else y - 1.0
        tx = dx * y * x**exponent
    if dy is not None:
        zero = (x.data == 0) & (y.data >= 0)
        ty = dy * where(zero, 0.0, ans * log(where(zero, 1.0, x)))
    return _add_dots(tx, ty, ans.shape)


def maximum_jvp(dots, ans, x, y):
    wx, wy = _tie_weights(x, y)
    dx, dy = dots
    return _add_dots(
        None if dx is None else dx * wx, None if dy is None else dy * wy, ans.shape
    )


def minimum_jvp(dots, ans, x, y):
    wy, wx = _tie_weights(x, y)
    dx, dy = dots
    return _add_dots(
        None if dx is None else dx * wx, None if dy is None else dy * wy, ans.shape
    )


defvjp(add_p, add_vjp)
defvjp(subtract_p, subtract_vjp)
defvjp(multiply_p, multiply_vjp)
defvjp(divide_p, divide_vjp)
defvjp(power_p, power_vjp)
defvjp(maximum_p, maximum_vjp)
defvjp(minimum_p, minimum_vjp)
deflinear(add_p)
deflinear(subtract_p)
defjvp(multiply_p, multiply_jvp)
defjvp(divide_p, divide_jvp)
defjvp(power_p, power_jvp)
defjvp(maximum_p, maximum_jvp)
defjvp(minimum_p, minimum_jvp)
