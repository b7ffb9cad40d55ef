"""Check the engine's gradients against central finite differences."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from numeric.errors import GradcheckError
from numeric.tape import Tensor, no_grad
from numeric.transforms import value_and_grad

__all__ = ["gradcheck"]


def _value(out) -> np.ndarray:
    return np.asarray(out.data if isinstance(out, Tensor) else out, dtype=np.float64)


def gradcheck(
    fn: Callable[..., Any],
    *arrays: npt.ArrayLike,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """Compare the engine's gradient of ``fn`` with central differences.

    Parameters
    ----------
    fn : callable
        ``fn(*arrays)`` built from numeric functions. A non-scalar output is
        reduced to the scalar ``sum(out * r)`` with a fixed random ``r``
        (seeded), which checks every entry of the Jacobian's image.
    *arrays : array_like
        The point; every input is checked. It is converted to float64, float32
        inputs included (their rounding would swamp the central differences),
        so ``fn`` is checked in float64.
    eps : float
        Step of the central difference ``(f(x + eps) - f(x - eps)) / (2 eps)``.
    atol, rtol : float
        An entry passes when ``|engine - fd| <= atol + rtol * |fd|``.

    Returns
    -------
    True

    Raises
    ------
    GradcheckError
        Naming the input (by position), the index and both values of the
        first entry that disagrees.

    Examples
    --------
    >>> import numeric as nm
    >>> nm.gradcheck(lambda x: nm.sin(x).sum(), np.array([0.1, 0.2]))
    True
    """
    points = [np.array(a, dtype=np.float64) for a in arrays]  # copies, perturbed below
    with no_grad():
        out_shape = _value(fn(*points)).shape
    weights = np.random.default_rng(0).standard_normal(out_shape)

    def scalar_fn(*xs):
        out = fn(*xs)
        if out_shape == ():
            return out
        return (out * weights).sum()

    def plain(*xs) -> float:
        with no_grad():
            return float(_value(scalar_fn(*xs)))

    _, grads = value_and_grad(scalar_fn, tuple(range(len(points))))(*points)
    for i, (x, g) in enumerate(zip(points, grads)):
        for index in np.ndindex(x.shape):
            orig = x[index]
            x[index] = orig + eps
            up = plain(*points)
            x[index] = orig - eps
            down = plain(*points)
            x[index] = orig
            fd = (up - down) / (2 * eps)
            got = float(g[index])
            same_nonfinite = not np.isfinite(fd) and got == fd
            if not same_nonfinite and not abs(got - fd) <= atol + rtol * abs(fd):
                raise GradcheckError(
                    f"gradcheck: input {i} at index {index}: engine gradient "
                    f"{got!r}, finite difference {fd!r}"
                )
    return True
