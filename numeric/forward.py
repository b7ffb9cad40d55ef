"""Forward mode and the transforms built on both modes: ``jvp``, ``vjp``,
``jacobian``, ``hessian`` and ``hvp`` (JAX's signatures).

Forward mode is dual numbers on Tensors: :func:`jvp` gives each input a
tangent under a fresh tag, and :func:`numeric.tape.apply` pushes the tangents
(:mod:`numeric.tangents`, which this module imports) through every primitive
with the JVP rule declared beside its VJP in the registry, in the same single
pass that computes the values. Tags keep nested
calls apart (no perturbation confusion), and because JVP rules compute with the
engine's own primitives, forward mode composes with reverse mode either way:
:func:`hessian` is forward over reverse, a jvp of ``grad``.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from numeric import tangents as _tangents  # noqa: F401  (installs the tangent push)
from numeric._state import no_grad
from numeric.backward import backward_pass
from numeric.errors import ArgumentError, ShapeError
from numeric.registry import lookup
from numeric.tape import STATE, Tensor, TensorLike, _float_array, _make, apply
from numeric.transforms import _argnums, _is_live, grad, make_leaf

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vjp"]

_MODES = ("auto", "forward", "reverse")


def _as_tuple(values, what: str) -> tuple:
    if not isinstance(values, (tuple, list)):
        raise ArgumentError(
            f"{what} must be a tuple (or list) of arrays, got {values!r}"
        )
    return tuple(values)


def _result(x, nested: bool):
    if isinstance(x, (tuple, list)):
        return type(x)(_result(v, nested) for v in x)
    if not isinstance(x, Tensor):
        return np.asarray(x, dtype=np.float64) if not nested else x
    return x if nested else x.data


def _tangent_of(out, tag):
    if isinstance(out, (tuple, list)):
        return type(out)(_tangent_of(o, tag) for o in out)
    if isinstance(out, Tensor):
        if out._dual is not None and tag in out._dual:
            return out._dual[tag]
        return _make(np.zeros(out.shape))  # does not depend on the inputs
    return _make(np.zeros(np.shape(out)))


def jvp(
    fn: Callable[..., Any],
    primals: Sequence[TensorLike],
    tangents: Sequence[TensorLike],
) -> tuple[Any, Any]:
    """Forward mode: ``(fn(*primals), J(primals) @ tangents)`` in one pass.

    Parameters
    ----------
    fn : callable
        A function of arrays returning an array (or a tuple of arrays).
    primals, tangents : tuple of array_like
        The point and one tangent per argument, of the argument's shape.

    Returns
    -------
    (out, tangent_out)
        Arrays of ``fn``'s output shape (Tensors inside an outer transform).

    Raises
    ------
    ShapeError
        If a tangent's shape differs from its primal's.
    NotImplementedError
        If ``fn`` goes through a primitive without a JVP rule (named).

    Examples
    --------
    >>> import numeric as nm
    >>> nm.jvp(nm.sin, (0.0,), (2.0,))
    (array(0.), array(2.))
    """
    primals = _as_tuple(primals, "jvp: primals")
    tangents = _as_tuple(tangents, "jvp: tangents")
    if len(primals) != len(tangents):
        raise ArgumentError(f"jvp: {len(primals)} primals but {len(tangents)} tangents")
    nested = STATE.depth > 0 or any(map(_is_live, primals + tangents))
    tag = object()
    outer = STATE.tags
    STATE.tags = outer + (tag,)
    try:
        inputs = []
        for k, (p, t) in enumerate(zip(primals, tangents)):
            x = apply(lookup("identity"), p)
            dot = t if isinstance(t, Tensor) else _make(_float_array(t))
            if dot.shape != x.shape:
                raise ShapeError(
                    f"jvp: tangent {k} has shape {dot.shape}, but its primal has "
                    f"shape {x.shape}"
                )
            x._dual = {**(x._dual or {}), tag: dot}
            inputs.append(x)
        out = fn(*inputs)
    finally:
        STATE.tags = outer
    return _result(out, nested), _result(_tangent_of(out, tag), nested)


def vjp(
    fn: Callable[..., Any], *primals: TensorLike
) -> tuple[Any, Callable[[TensorLike], tuple[Any, ...]]]:
    """Reverse mode: ``(fn(*primals), vjp_fn)``, like ``jax.vjp``.

    Parameters
    ----------
    fn : callable
        A function of arrays returning one array.
    *primals : array_like
        The point.

    Returns
    -------
    (out, vjp_fn)
        ``out`` is ``fn``'s value; ``vjp_fn(ct)`` returns a tuple with one
        cotangent per primal for a cotangent ``ct`` of ``out``'s shape, and may
        be called many times (one forward pass, many sweeps). Arrays, or
        Tensors inside an outer transform.

    Raises
    ------
    ShapeError
        If ``ct``'s shape differs from ``out``'s.

    Examples
    --------
    >>> import numeric as nm
    >>> out, pullback = nm.vjp(lambda x: x * x, np.array([1.0, 3.0]))
    >>> pullback(np.array([1.0, 1.0]))
    (array([2., 6.]),)
    """
    nested = STATE.depth > 0 or any(map(_is_live, primals))
    recording = STATE.recording
    STATE.depth += 1
    STATE.recording = True
    try:
        leaves = [make_leaf(p) for p in primals]
        out = fn(*leaves)
        if not isinstance(out, Tensor):
            out = Tensor(out)
    finally:
        STATE.depth -= 1
        STATE.recording = recording

    def vjp_fn(ct):
        ct_t = ct if isinstance(ct, Tensor) else _make(_float_array(ct))
        if ct_t.shape != out.shape:
            raise ShapeError(
                f"vjp: the cotangent has shape {ct_t.shape}, but the output has "
                f"shape {out.shape}"
            )
        create = nested or STATE.depth > 0 or _is_live(ct_t)
        if out._tracked:
            _, grads = backward_pass(out, ct_t, leaves, create)
        else:
            grads = [_make(np.zeros(leaf.shape)) for leaf in leaves]
        return tuple(g if create else g.data for g in grads)

    return (out if nested else out.data), vjp_fn


def _stack_results(items):
    """Stack equal-shape results along a new first axis, keeping gradients."""
    if any(isinstance(i, Tensor) for i in items):
        return lookup("stack")(*items, axis=0)
    return np.stack([np.asarray(i) for i in items]) if items else np.zeros((0,))


def _jacobian_reverse(fn, arg, nested):
    out, pullback = vjp(fn, arg)
    out_shape = np.shape(out.data if isinstance(out, Tensor) else out)
    rows = []
    for index in np.ndindex(out_shape):
        e = np.zeros(out_shape)
        e[index] = 1.0
        rows.append(pullback(e)[0])
    arg_shape = np.shape(arg.data if isinstance(arg, Tensor) else arg)
    return _stack_results(rows).reshape(out_shape + arg_shape)


def _jacobian_forward(fn, arg, nested):
    arg_shape = np.shape(arg.data if isinstance(arg, Tensor) else arg)
    cols, out_shape = [], None
    for index in np.ndindex(arg_shape):
        e = np.zeros(arg_shape)
        e[index] = 1.0
        _, col = jvp(fn, (arg,), (e,))
        out_shape = np.shape(col.data if isinstance(col, Tensor) else col)
        cols.append(col)
    if out_shape is None:  # an empty input: run once for the output shape
        out_shape = np.shape(_result(fn(arg), False))
    stacked = _stack_results(cols)  # (n_in, *out_shape)
    columns = stacked.reshape((len(cols), -1)).T  # (out size, n_in)
    return columns.reshape(out_shape + arg_shape)


def jacobian(
    fn: Callable[..., Any], argnums: int | Sequence[int] = 0, mode: str = "auto"
) -> Callable[..., Any]:
    """Make a function returning the Jacobian of ``fn``, of shape
    ``out.shape + arg.shape`` (a tuple of them for a tuple ``argnums``).

    Parameters
    ----------
    fn : callable
        A function of arrays returning one array.
    argnums : int or tuple of ints
        The arguments to differentiate with respect to.
    mode : {'auto', 'forward', 'reverse'}
        'forward' builds the Jacobian a column at a time with :func:`jvp` (one
        pass per input entry, like ``jax.jacfwd``), 'reverse' a row at a time
        with :func:`vjp` (one forward pass and a sweep per output entry, like
        ``jax.jacrev``). 'auto' picks forward when the inputs have fewer
        entries than the output.

    Returns
    -------
    callable
        ``jac(*args)`` giving an array of shape ``out.shape + arg.shape`` (a
        tuple of them for a tuple ``argnums``).

    Raises
    ------
    ArgumentError
        For an unknown ``mode`` or an ``argnums`` out of range.
    NotImplementedError
        In forward mode, through a primitive without a JVP rule (named).

    Examples
    --------
    >>> import numeric as nm
    >>> nm.jacobian(lambda x: x * x, mode="forward")(np.array([1.0, 2.0]))
    array([[2., 0.],
           [0., 4.]])
    """
    if mode not in _MODES:
        raise ArgumentError(f"jacobian: mode must be one of {_MODES}, got {mode!r}")
    nums = _argnums(argnums)
    single = isinstance(argnums, numbers.Integral)

    def jacobian_fn(*args):
        for i in nums:
            if not -len(args) <= i < len(args):
                raise ArgumentError(
                    f"argnums {i} is out of range for a call with {len(args)} "
                    "positional arguments"
                )
        nested = STATE.depth > 0 or any(_is_live(args[i]) for i in nums)
        chosen = mode
        if mode == "auto":
            with no_grad():
                out = fn(*args)
            out_size = int(np.size(out.data if isinstance(out, Tensor) else out))
            in_size = sum(int(np.size(_float_array(args[i]))) for i in nums)
            chosen = "forward" if in_size < out_size else "reverse"
        results = []
        for i in nums:

            def partial(x, i=i):
                full = list(args)
                full[i] = x
                return fn(*full)

            build = _jacobian_forward if chosen == "forward" else _jacobian_reverse
            results.append(build(partial, args[i], nested))
        return results[0] if single else tuple(results)

    return jacobian_fn


def hessian(
    fn: Callable[..., Any], argnums: int | Sequence[int] = 0
) -> Callable[..., Any]:
    """Make a function returning the Hessian of scalar ``fn``: forward mode
    over reverse mode (the Jacobian, by :func:`jvp`, of ``grad(fn)``).

    Parameters
    ----------
    fn : callable
        A function of arrays returning a scalar.
    argnums : int or tuple of ints
        The arguments to differentiate with respect to.

    Returns
    -------
    callable
        ``h(*args)`` giving an array of shape ``arg.shape + arg.shape``; for a
        tuple ``argnums``, a nested tuple ``H[i][j]`` of blocks, like
        ``jax.hessian``.

    Examples
    --------
    >>> import numeric as nm
    >>> nm.hessian(lambda x: nm.sum(x**3))(np.array([1.0, 2.0]))
    array([[ 6.,  0.],
           [ 0., 12.]])
    """
    nums = _argnums(argnums)
    if isinstance(argnums, numbers.Integral):
        return jacobian(grad(fn, argnums), argnums, mode="forward")
    rows = []
    for k in range(len(nums)):

        def grad_k(*args, k=k):
            return grad(fn, nums)(*args)[k]

        rows.append(jacobian(grad_k, nums, mode="forward"))

    def hessian_fn(*args):
        return tuple(row(*args) for row in rows)

    return hessian_fn


def hvp(
    fn: Callable[..., Any],
    primals: Sequence[TensorLike],
    tangents: Sequence[TensorLike],
) -> Any:
    """Hessian-vector product of scalar ``fn``, forward over reverse, without
    forming the Hessian (JAX's recipe ``jvp(grad(f), primals, tangents)[1]``).

    Parameters
    ----------
    fn : callable
        A function of arrays returning a scalar.
    primals, tangents : tuple of array_like
        The point and the vector, one entry per argument.

    Returns
    -------
    ndarray or tuple of ndarray
        One array per primal (a tuple when there are several).

    Examples
    --------
    >>> import numeric as nm
    >>> nm.hvp(lambda x: nm.sum(x**3), (np.array([1.0, 2.0]),), (np.array([1.0, 0.0]),))
    array([6., 0.])
    """
    primals = _as_tuple(primals, "hvp: primals")
    argnums = 0 if len(primals) == 1 else tuple(range(len(primals)))
    return jvp(grad(fn, argnums), primals, tangents)[1]
