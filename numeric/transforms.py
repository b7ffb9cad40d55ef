"""Function transforms: ``grad`` and ``value_and_grad`` (JAX/autograd style).

Each call starts a new trace: the arguments being differentiated become fresh
leaves, ``fn`` runs on Tensors, and :func:`numeric.backward.backward_pass` sweeps
back to those leaves only. Inside an outer ``grad`` the sweep records itself
(``create_graph``) and the results stay Tensors, so ``grad(grad(f))`` works.
"""

from __future__ import annotations

import functools
import numbers

import numpy as np

from numeric.backward import backward_pass
from numeric.errors import ArgumentError, ShapeError
from numeric.registry import lookup
from numeric.tape import _STATE, Tensor, _float_array, _make, apply

__all__ = ["grad", "make_leaf", "value_and_grad"]


def _is_live(x) -> bool:
    """True for a Tensor of an outer trace or carrying a forward-mode tangent."""
    return isinstance(x, Tensor) and (x._tracked or x._dual is not None)


def make_leaf(arg) -> Tensor:
    """A fresh traced leaf for ``arg``, the node a backward sweep stops at.

    A value of an outer trace, or one carrying forward-mode tangents, becomes
    an identity node of it, so the outer trace and the tangents go through.
    """
    if _is_live(arg):
        leaf = apply(lookup("identity"), arg)
        if not leaf._tracked:  # tangents only: a leaf that keeps them
            leaf._tracked = leaf.requires_grad = True
        return leaf
    # no copy: the engine never writes into its inputs
    return Tensor(_float_array(arg), True)


def _argnums(argnums) -> tuple:
    nums = (argnums,) if isinstance(argnums, numbers.Integral) else tuple(argnums)
    if not nums or not all(isinstance(i, numbers.Integral) for i in nums):
        raise ArgumentError(
            f"argnums must be an int or a non-empty tuple of ints, got {argnums!r}"
        )
    if len(set(nums)) != len(nums):
        raise ArgumentError(f"argnums must not repeat a position, got {argnums!r}")
    return tuple(int(i) for i in nums)


def value_and_grad(fn, argnums=0):
    """Make a function returning ``(fn(*args), gradient of fn)``.

    Parameters
    ----------
    fn : callable
        A function of arrays (or Tensors) returning a scalar: a Tensor of
        shape ``()`` or a number.
    argnums : int or tuple of ints
        Which positional arguments to differentiate with respect to.

    Returns
    -------
    callable
        ``f(*args, **kwargs) -> (value, g)``: ``g`` has the shape of
        ``args[argnums]`` (a tuple of such when ``argnums`` is a tuple). Values
        and gradients are plain NumPy values, except inside an outer ``grad``,
        where they stay Tensors so the outer trace can differentiate them.

    Raises
    ------
    ShapeError
        If ``fn`` returns anything but a scalar.

    Examples
    --------
    >>> import numeric as nm
    >>> nm.value_and_grad(lambda x: (x * x).sum())([1.0, 2.0])
    (np.float64(5.0), array([2., 4.]))
    """
    nums = _argnums(argnums)
    single = isinstance(argnums, numbers.Integral)

    @functools.wraps(fn)
    def value_and_grad_fn(*args, **kwargs):
        args = list(args)
        for i in nums:
            if not -len(args) <= i < len(args):
                raise ArgumentError(
                    f"argnums {i} is out of range for a call with {len(args)} "
                    "positional arguments"
                )
        nested = _STATE.depth > 0 or any(_is_live(args[i]) for i in nums)
        recording = _STATE.recording
        _STATE.depth += 1
        _STATE.recording = True
        try:
            leaves = []
            for i in nums:
                leaf = make_leaf(args[i])
                leaves.append(leaf)
                args[i] = leaf
            out = fn(*args, **kwargs)
            if not isinstance(out, Tensor):
                out = Tensor(out)
            if out.shape != ():
                raise ShapeError(
                    f"grad: {getattr(fn, '__name__', 'fn')} must return a scalar "
                    f"(shape ()), got shape {out.shape}"
                )
            if out._tracked:
                _, grads = backward_pass(
                    out, _make(np.ones((), dtype=out.dtype)), leaves, nested
                )
            else:  # fn does not depend on its arguments
                grads = [
                    _make(np.zeros(leaf.shape, dtype=leaf.dtype)) for leaf in leaves
                ]
        finally:
            _STATE.depth -= 1
            _STATE.recording = recording
        if nested:
            value, results = out, grads
        else:
            value = out.data[()]
            results = [
                g.data if g.data.flags.writeable else g.data.copy() for g in grads
            ]
        return value, (results[0] if single else tuple(results))

    return value_and_grad_fn


def grad(fn, argnums=0):
    """Make a function returning the gradient of scalar ``fn``.

    Same contract as :func:`value_and_grad`, without the value.

    Examples
    --------
    >>> import numeric as nm
    >>> d2 = nm.grad(nm.grad(nm.sin))
    >>> float(d2(0.5)) == float(-np.sin(0.5))
    True
    """
    vg = value_and_grad(fn, argnums)

    @functools.wraps(fn)
    def grad_fn(*args, **kwargs):
        return vg(*args, **kwargs)[1]

    return grad_fn
