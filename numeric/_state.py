"""The engine's global tracing state and its debug mode, ``detect_anomaly``.

:mod:`numeric.tape` reads this state on every primitive application: whether
the tape records (``no_grad``), how many ``grad`` calls enclose the current
one, which forward-mode (``jvp``) perturbations are live, and whether every
value is checked for inf/NaN. Nothing here knows about Tensors.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

import numpy as np

from numeric.errors import NonFiniteError

__all__ = ["STATE", "detect_anomaly", "no_grad"]


class _State(threading.local):
    """The tracing state, one per thread: each thread's ``grad``, ``no_grad``,
    ``jvp`` and ``detect_anomaly`` are its own, so threads can differentiate
    at the same time (each on its own tensors)."""

    def __init__(self):
        self.recording = True  # False inside no_grad and first-order backward
        self.depth = 0  # number of enclosing grad / value_and_grad calls
        self.anomaly = False  # detect_anomaly(): check every value for inf/NaN
        self.vjp_of = None  # the primitive whose VJP is running (for messages)
        # the live forward-mode perturbations, outermost first: one tag per
        # enclosing jvp call; a tangent is pushed only for a live tag
        self.tags: tuple = ()


STATE = _State()


@contextmanager
def no_grad():
    """Context manager: operations inside record nothing on the tape."""
    previous = STATE.recording
    STATE.recording = False
    try:
        yield
    finally:
        STATE.recording = previous


@contextmanager
def detect_anomaly():
    """Debug mode: stop at the first op that makes a non-finite value.

    Inside the context, every primitive's result and every cotangent its VJP
    returns is checked. The first one holding an inf or NaN computed from
    finite inputs raises :class:`~numeric.errors.NonFiniteError` naming the
    primitive, the direction (forward or backward), the input, and the index of
    the first bad entry. It costs one ``isfinite`` pass per value, so it is for
    debugging, like PyTorch's ``torch.autograd.detect_anomaly``. NumPy's
    divide, overflow and invalid warnings are off inside (the error says more).

    Examples
    --------
    >>> import numeric as nm
    >>> with nm.detect_anomaly():
    ...     nm.log(nm.tensor([1.0, 0.0]))
    Traceback (most recent call last):
    ...
    numeric.errors.NonFiniteError: forward: log produced -inf at index (1,) from finite inputs
    """
    previous = STATE.anomaly
    STATE.anomaly = True
    try:
        # NumPy's warnings would only repeat, less precisely, what is raised
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            yield
    finally:
        STATE.anomaly = previous


def _first_non_finite(arr: np.ndarray):
    """(index, value) of the first inf/NaN entry of ``arr``, or None."""
    bad = ~np.isfinite(arr)
    if not bad.any():
        return None
    index = tuple(int(i) for i in np.unravel_index(int(np.argmax(bad)), arr.shape))
    return index, arr[index] if arr.ndim else arr.item()


def _all_finite(arrays) -> bool:
    return all(
        a.dtype.kind == "b" or bool(np.isfinite(a).all())
        for a in map(np.asarray, arrays)
    )


def check_forward(prim, datas, out):
    """Raise if ``out`` of ``prim`` is non-finite while its inputs are finite."""
    bad = _first_non_finite(out)
    if bad is not None and _all_finite(datas):
        index, value = bad
        where = "forward" if STATE.vjp_of is None else f"backward of {STATE.vjp_of}"
        raise NonFiniteError(
            f"{where}: {prim.name} produced {value} at index {index} from finite inputs"
        )


def check_backward(prim, i, ct, node, parents, term):
    """Raise if a VJP's cotangent ``term`` is non-finite from finite values."""
    bad = _first_non_finite(term.data)
    if bad is not None and _all_finite(
        [ct.data, node.data] + [p.data for p in parents]
    ):
        index, value = bad
        raise NonFiniteError(
            f"backward: the VJP of {prim.name} produced {value} at index {index} "
            f"in the gradient of its input {i}, from finite values and cotangent"
        )
