"""``sg.lambdify``: a DAG (or several outputs) as a NumPy function.

By default the DAG is lowered directly to NumPy source text, one line per op,
in time linear in its size (``symgraph/lowering/``). With
``backend="sympy"`` it goes through ``sympy.lambdify`` instead
(``lower_sympy.py``), the reference path the fast one is tested against;
SymPy is imported only then.
"""

from __future__ import annotations

import builtins
import re

import numpy as np

from .errors import NotASymbolError
from .extensions import tensor as _tensor
from .lowering import lower_numpy
from .node import Node
from .opdef import OPS

__all__ = ["lambdify"]

_RESERVED = set(dir(builtins)) | {"numpy", "np"} | {f"{n}_" for n in OPS}


def _parameter_names(symbols: list) -> list:
    """The parameter names of the generated function, one per symbol.

    Names stay the user's where they are safe; a name that would shadow a
    builtin, the ``numpy`` module, an op function or a temporary ``t<k>`` gets
    trailing underscores. (SymPy's Dummy symbols would make ``sympy.lambdify``
    re-substitute every argument through the whole expression: quadratic time.)
    """
    names, taken = {}, set()
    for s in symbols:
        if s in names:
            raise ValueError(f"symbol {s.value!r} appears twice among the arguments")
        name = s.value
        while name in _RESERVED or name in taken or re.fullmatch(r"t\d+", name):
            name += "_"
        taken.add(name)
        names[s] = name
    return [names[s] for s in symbols]


def _flatten_args(args):
    """Arguments as lambdify wants them (nested lists) and the symbol nodes."""
    if isinstance(args, (Node, np.ndarray)):
        args = [args]
    spec, symbols = [], []
    for a in args:
        if isinstance(a, np.ndarray):
            syms = list(a.ravel())
            spec.append(("array", a.shape, len(symbols), len(syms)))
        else:
            syms = [a]
            spec.append(("scalar", None, len(symbols), 1))
        for s in syms:
            if not isinstance(s, Node) or s.op != "symbol":
                raise NotASymbolError(f"lambdify arguments must be symbols, not {s!r}")
        symbols.extend(syms)
    return spec, symbols


def lambdify(args, outputs, backend: str = "numpy"):
    """A NumPy function computing ``outputs`` from ``args``.

    Parameters
    ----------
    args : a symbol, a sequence of symbols, or object arrays of symbols (an
        array argument takes one array whose leading axes have its shape).
    outputs : a node, a sequence of nodes, or an object array of nodes.
    backend : ``"numpy"`` (default) lowers the DAG directly to NumPy source,
        one line per op, in time linear in the DAG; large NumPy batches run
        memory-planned code (preallocated buffers, ufuncs writing through
        ``out``, cache-sized blocks). ``"sympy"`` goes through
        ``sympy.lambdify`` (the reference path; NumPy arrays only).

    Returns
    -------
    callable
        Takes one value per argument (broadcasting NumPy arrays) and returns a
        float or array, a list for a sequence of outputs, or an array of shape
        ``outputs.shape + batch shape`` for an object array of outputs. Its
        generated source is in ``__doc__`` (as ``sympy.lambdify`` does).
        With the default backend, Dask, JAX, CuPy and other array-API arrays
        are computed with their own library, never converted to NumPy.

    Raises
    ------
    NotASymbolError
        If an argument is not a symbol, or an output reads a symbol that is
        not an argument.
    ValueError
        If a symbol appears twice among the arguments, or ``backend`` is
        unknown.

    Examples
    --------
    >>> import symgraph as sg
    >>> x, y = sg.symbols("x y")
    >>> f = sg.lambdify([x, y], sg.grad(x * sg.sin(y), [x, y]))
    >>> [round(v, 6) for v in f(2.0, 0.0)]
    [0.0, 2.0]
    >>> g = sg.lambdify([x, y], sg.grad(x * sg.sin(y), [x, y]), backend="sympy")
    >>> [round(v, 6) for v in g(2.0, 0.0)]
    [0.0, 2.0]
    """
    # tensor hook: tensor expressions go to symgraph.tensor
    if _tensor.involved(args, outputs):
        return _tensor.lambdify(args, outputs)
    if backend not in ("numpy", "sympy"):
        raise ValueError(f"backend must be 'numpy' or 'sympy', not {backend!r}")
    spec, symbols = _flatten_args(args)
    params = _parameter_names(symbols)
    if backend == "numpy":
        return lower_numpy(spec, symbols, params, outputs)
    from .lower_sympy import sympy_lambdify

    return sympy_lambdify(spec, symbols, params, outputs)
