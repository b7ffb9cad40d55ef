"""Standalone gradient code: a DAG printed as a NumPy module or as C99 source.

The writer (``module.py``) walks the topological order of the outputs and
their adjoints once and writes one line per op, taking each op's spelling
from its declaration (``OpDef.np_src`` for NumPy, ``OpDef.c_template`` for C)
and the helper functions it calls (``OpDef.py_helpers`` / ``c_helpers``). The
gradient is the DAG of :func:`symgraph.grad.adjoints` (one reverse sweep,
sharing the forward nodes), so ``f_grad`` is the forward lines followed by
the adjoint lines, each node computed once. No ``sympy.cse`` search runs:
the DAG's sharing is the common-subexpression structure, and generation is
linear in the DAG size. ``python.py`` and ``c.py`` are the two targets;
``names.py`` the reserved words; ``constants.py`` how numbers print.
"""

from __future__ import annotations

from typing import Any

from ..extensions import tensor as _tensor
from .c import c_module
from .errors import CodegenError
from .module import Module
from .planned import planned_module
from .python import python_module

__all__ = ["CodegenError", "codegen"]


def codegen(
    f: Any,
    wrt: Any,
    name: str = "f",
    target: str = "python",
    hessian: bool = False,
    plan: bool = False,
) -> str:
    """Source text of a standalone module computing ``f`` and its derivatives.

    Parameters
    ----------
    f : Node (or number) for one scalar output; a sequence or object array of
        nodes for several outputs (the module then has a Jacobian function).
    wrt : a symbol, a sequence of symbols (or of object arrays of symbols), or
        an object array of symbols; flattened in row-major order.
    name : the name of the value function; the others are ``name_grad``,
        ``name_jac`` and ``name_hess``.
    target : ``"python"`` (a module that imports only NumPy) or ``"c"`` (C99
        that includes only ``<math.h>``).
    hessian : also generate ``name_hess`` (single output only).
    plan : Python target, single output: write memory-planned functions.
        NumPy batches then run in blocks of a few thousand points through
        buffers allocated once per call, ufuncs writing through ``out=``,
        every result a row of one output array; Dask, JAX and CuPy arrays
        are computed with their own library (``np`` standing for their
        namespace), never converted to NumPy. Less readable than the
        default, which stays plain straight-line NumPy.

    Returns
    -------
    str
        For Python: a module defining ``name(*args)`` returning the value and
        ``name_grad(*args)`` returning ``(value, (d_wrt1, ...))`` from one
        forward and one reverse pass. The arguments are the ``wrt`` symbols,
        then every other symbol of ``f`` in order of first appearance; each is
        a float or a float64 array, and they broadcast together. For C:
        ``double name(const double *in)`` and ``double name_grad(const double
        *in, double *grad)`` (value returned, gradient written to ``grad``).

    Raises
    ------
    CodegenError
        For an unknown target, an invalid or reserved function name, a symbol
        twice in ``wrt``, ``hessian=True`` with several outputs, or
        ``plan=True`` with the C target or several outputs.
    NotASymbolError
        If something in ``wrt`` is not a symbol.

    Examples
    --------
    >>> import symgraph as sg
    >>> x, y = sg.symbols("x y")
    >>> src = sg.codegen(x * sg.sin(y), [x, y])
    >>> print(src[src.index("def f_grad") :].strip())
    def f_grad(x, y):
        \"\"\"Value and gradient: one forward pass, then one reverse pass.\"\"\"
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        _shape = np.broadcast_shapes(np.shape(x), np.shape(y))
        _grad = np.empty((2,) + _shape)
        t0 = np.sin(y)
        _grad[0] = t0
        t1 = x * t0
        t2 = np.cos(y)
        y_bar = x * t2
        _grad[1] = y_bar
        return t1, tuple(_grad)
    """
    if _tensor.involved(
        f, wrt
    ):  # tensor hook: tensor expressions go to symgraph.tensor
        return _tensor.codegen(f, wrt, name, target, hessian)
    if plan and target != "python":
        raise CodegenError("plan=True is for the Python target")
    mod = Module(f, wrt, name, target, hessian)
    if plan:
        return planned_module(mod)
    return python_module(mod) if target == "python" else c_module(mod)
