"""Lowering tensor DAGs to vectorized NumPy source: ``lambdify`` and ``codegen``.

One generated line per tensor op (``t1 = X @ w``), in topological order with
a stable tie-break, so the same DAG gives the same bytes. Each function
first checks its arguments' shapes: it reads every symbolic dimension from
the first argument that has it and raises an error naming the argument, the
axis and the bound dimension when another disagrees. The NumPy kernels of
``kernels.py`` are copied in, so a generated module imports only NumPy and
computes what ``evaluate`` computes. ``lambdify`` compiles the same source
(registered in ``linecache`` so tracebacks show the generated lines).
"""

from __future__ import annotations

import itertools
import linecache
import math
import re
from fractions import Fraction

import numpy as np
import sympy as sp

from ..errors import NotASymbolError, ShapeError, ToolkitError, UnboundSymbolError
from ..ops import OPS
from ..traverse import toposort
from .dims import shape_text
from .evaluate import free_symbols
from .grad import check_wrt, grad
from .kernels import KERNELS, helper_source
from .node import TensorNode, as_tensor
from .ops_elementwise import ELEMENTWISE, REGISTRY_PREFIX
from .registry import TOPS

__all__ = ["CodegenError", "codegen", "dim_src", "lambdify"]

_COUNTER = itertools.count()
_TEMP = re.compile(r"_?t[0-9]+\Z")


class CodegenError(ToolkitError, ValueError):
    """A code-generation request that cannot be honoured (names the reason)."""


class _Code:
    """A fragment of source that ``repr`` prints as is (dims in parameters)."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text


def dim_src(d) -> str:
    """Python source of a dimension: ``n``, ``H - 2``, ``(H - 3) // 2 + 1``."""
    if isinstance(d, int):
        return str(d)
    if d.is_Symbol or d.is_Integer:
        return str(d)
    if isinstance(d, sp.floor):
        num, den = sp.fraction(sp.together(d.args[0]))
        return f"({dim_src(sp.expand(num))}) // {dim_src(den)}"
    if d.is_Add:
        parts = [dim_src(a) for a in d.as_ordered_terms()]
        text = parts[0]
        for p in parts[1:]:
            text += f" - {p[1:]}" if p.startswith("-") else f" + {p}"
        return text
    if d.is_Mul:
        coeff, rest = d.as_coeff_Mul()
        body = " * ".join(
            f"({dim_src(a)})" if a.is_Add else dim_src(a)
            for a in sp.Mul.make_args(rest)
        )
        if coeff == 1:
            return body
        return f"-{body}" if coeff == -1 else f"{dim_src(coeff)} * {body}"
    raise CodegenError(f"cannot write the dimension {d} as Python source")


def _param_src(value):
    if isinstance(value, tuple):
        return tuple(_param_src(v) for v in value)
    if isinstance(value, sp.Expr):
        return _Code(dim_src(value))
    return value


def _const_src(value) -> str:
    if isinstance(value, Fraction):
        value = value.numerator / value.denominator
    if isinstance(value, float):
        if math.isnan(value):
            return "np.nan"
        if math.isinf(value):
            return "np.inf" if value > 0 else "(-np.inf)"
    text = repr(value)
    return f"({text})" if value < 0 else text


def _shape_checks(params: list, error: str, bound: dict) -> list:
    """Lines checking the arguments' shapes and reading the dimensions."""
    lines, known = [], {}
    for sym, size in bound.items():
        known[sym] = f"{size} (bound when the expression was built)"
    for s in params:
        name = s.value
        lines.append(f"    {name} = np.asarray({name}, dtype=np.float64)")
        lines.append(f"    if {name}.ndim != {s.ndim}:")
        lines.append(
            f'        raise {error}(f"argument {name}: expected shape {shape_text(s.shape)}'
            f' ({s.ndim}-d), got {{{name}.shape}}")'
        )
        for axis, d in enumerate(s.shape):
            size = f"{name}.shape[{axis}]"
            if isinstance(d, int) or d in bound:
                want = d if isinstance(d, int) else bound[d]
                lines.append(f"    if {size} != {want}:")
                what = f"{want}" if isinstance(d, int) else f"{d} = {want}"
                lines.append(
                    f'        raise {error}(f"argument {name}: axis {axis} has size '
                    f'{{{size}}} but must have size {what}")'
                )
            elif not d.is_Symbol:
                continue
            elif d in known:
                lines.append(f"    if {size} != {d}:")
                lines.append(
                    f'        raise {error}(f"argument {name}: axis {axis} has size '
                    f'{{{size}}} but the dimension {d} = {{{d}}} ({known[d]})")'
                )
            else:
                lines.append(f"    {d} = {size}")
                known[d] = f"from {name}"
    return lines


def _body(outputs: list, out_names: list, params: list) -> tuple:
    """Lines computing ``outputs`` into ``out_names``; the helpers they need."""
    order = toposort(outputs)
    user = {s.value for s in params}
    prefix = "_t" if any(_TEMP.match(u) for u in user) else "t"
    names: dict = {}
    for n in order:
        if n.op == "symbol":
            if n.value not in user:
                raise UnboundSymbolError(
                    f"the tensor {n.value!r} is used but is not an argument"
                )
            names[n] = n.value
        elif n.op == "const":
            names[n] = _const_src(n.value)
    final = {}
    for o, name in zip(outputs, out_names):
        if o.op not in ("symbol", "const") and o not in final:
            final[o] = name
    lines, helpers, count = [], [], 0
    for n in order:
        if n in names:
            continue
        if n.op == "transpose" and n.param("axes") is None and n not in final:
            names[n] = f"{names[n.args[0]]}.T"  # a view: no line of its own
            continue
        opdef = TOPS[n.op]
        for h in opdef.helpers:
            if h not in helpers:
                helpers.append(h)
        params_src = {k: _param_src(v) for k, v in n.params}
        expr = opdef.src([names[a] for a in n.args], params_src)
        if n in final:
            var = final[n]
        else:
            var = f"{prefix}{count}"
            count += 1
        names[n] = var
        lines.append(f"    {var} = {expr}")
    for o, name in zip(outputs, out_names):
        if names[o] != name:
            lines.append(f"    {name} = {names[o]}")
    return lines, helpers


def _dims_known(params: list, outputs: list, bound: dict) -> None:
    have = {d for s in params for d in s.shape if not isinstance(d, int)} | set(bound)
    for n in toposort(outputs):
        for _, v in n.params:
            for d in v if isinstance(v, tuple) else (v,):
                if isinstance(d, sp.Expr) and not d.free_symbols <= have:
                    raise CodegenError(
                        f"the dimension {d} (of {n.op}) is not fixed by the arguments' shapes"
                    )


def _function(fname, params, outputs, out_names, doc, error="_ShapeError"):
    bound = {}
    for o in outputs:
        bound.update(dict(o.bound))
    _dims_known(params, outputs, bound)
    head = [f"def {fname}({', '.join(s.value for s in params)}):", f'    """{doc}"""']
    body, helpers = _body(outputs, out_names, params)
    return head + _shape_checks(params, error, bound) + body, helpers


def _params(args) -> list:
    items = [args] if isinstance(args, TensorNode) else list(args)
    params = [check_wrt(a) for a in items]
    names = [p.value for p in params]
    if len(set(names)) != len(names):
        raise CodegenError(f"an argument is given twice in {names}")
    dims = {str(d) for p in params for d in p.shape if not isinstance(d, int)}
    clash = sorted(dims & set(names))
    if clash:
        raise CodegenError(f"{clash[0]!r} is both an argument and a dimension name")
    return params


def _compile(source: str, fname: str, error):
    filename = f"<symgraph-tensor-lambdify-{next(_COUNTER)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {"np": np, "_ShapeError": error}
    namespace.update(KERNELS)
    namespace.update({f"{REGISTRY_PREFIX}{op}": OPS[op].numpy for op in ELEMENTWISE})
    exec(compile(source, filename, "exec"), namespace)  # our generated source
    return namespace[fname]


def lambdify(args, outputs):
    """A vectorized NumPy function of arrays computing tensor expressions.

    Parameters
    ----------
    args : a tensor symbol or a sequence of them (the function's parameters).
    outputs : a tensor node or a sequence of them.

    Returns
    -------
    callable
        Takes one array per argument; returns a float/array (or a tuple for
        a sequence of outputs). It checks the arguments' shapes first and
        raises :class:`~symgraph.errors.ShapeError` naming the argument and
        the dimension. Its source is in ``__doc__``.

    Examples
    --------
    >>> import numpy as np
    >>> import symgraph as sg
    >>> X, w, y = sg.tensors("X:n,m w:m y:n")
    >>> f = 0.5 * sg.sum((X @ w - y) ** 2)
    >>> g = sg.lambdify([X, w, y], sg.grad(f, w))
    >>> g(np.eye(2), np.array([1.0, 2.0]), np.zeros(2))
    array([1., 2.])
    >>> g(np.eye(2), np.ones(3), np.zeros(2))
    Traceback (most recent call last):
    ...
    symgraph.errors.ShapeError: argument w: axis 0 has size 3 but the dimension m = 2 (from X)
    """
    params = _params(args)
    many = isinstance(outputs, (list, tuple))
    outs = [as_tensor(o) for o in (outputs if many else [outputs])]
    names = [f"out{i}" for i in range(len(outs))]
    lines, _helpers = _function(
        "lambdified", params, outs, names, "Generated by symgraph."
    )
    ret = ", ".join(names) + ("," if len(names) == 1 and many else "")
    lines.append(f"    return {ret}" if many else f"    return {names[0]}")
    source = "\n".join(lines) + "\n"
    fn = _compile(source, "lambdified", ShapeError)
    fn.__doc__ = source
    return fn


def codegen(f, wrt, name: str = "f", target: str = "python") -> str:
    """Source of a standalone NumPy module computing ``f`` and its gradient.

    Parameters
    ----------
    f : TensorNode of shape ``()``
    wrt : a tensor symbol or a sequence of them.
    name : the value function's name; the gradient function is ``name_grad``.
    target : only ``"python"``; C is refused for tensor expressions.

    Returns
    -------
    str
        A module importing only NumPy, defining ``name(*args)`` (the value)
        and ``name_grad(*args)`` returning ``(value, (d_wrt1, ...))``, each
        gradient of its variable's shape. The arguments are the ``wrt``
        symbols, then the other symbols in order of first appearance. Both
        check the arguments' shapes and raise ``ValueError`` naming the
        argument and the dimension.

    Raises
    ------
    CodegenError
        For a C target, a bad name or a non-scalar ``f``.

    Examples
    --------
    >>> import symgraph as sg
    >>> X, w, y = sg.tensors("X:n,m w:m y:n")
    >>> src = sg.codegen(0.5 * sg.sum((X @ w - y) ** 2), w)
    >>> body = src[src.index("def f_grad") :]
    >>> print(body[body.index("    t0 = ") : body.index("    return")].rstrip())
        t0 = X @ w
        t1 = t0 - y
        t2 = t1 ** 2
        t3 = np.sum(t2)
        value = 0.5 * t3
        d_w = X.T @ t1
    """
    if target != "python":
        raise CodegenError(
            f"target {target!r}: C code is not generated for tensor expressions "
            "(matrix products, inverses and convolutions would need a linear-algebra "
            "library); use target='python'"
        )
    if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
        raise CodegenError(
            f"the function name {name!r} is not a valid public identifier"
        )
    f = as_tensor(f)
    if f.ndim != 0:
        raise CodegenError(
            f"codegen needs a scalar function (its gradient); f has shape {shape_text(f.shape)}"
        )
    try:
        wrt_list = [wrt] if isinstance(wrt, TensorNode) else list(wrt)
        wrt_list = [check_wrt(v) for v in wrt_list]
    except TypeError:
        raise NotASymbolError(f"wrt must be tensor symbols, not {wrt!r}") from None
    others = [s for s in free_symbols([f]) if s not in wrt_list]
    params = _params(wrt_list + others)
    grads = grad(f, wrt_list)
    gnames = [f"d_{v.value}" for v in wrt_list]
    from .printing import to_numpy

    value_lines, h1 = _function(name, params, [f], ["value"], "The value.")
    grad_lines, h2 = _function(
        f"{name}_grad",
        params,
        [f] + grads,
        ["value"] + gnames,
        "Value and gradient: one forward pass, then one reverse pass.",
    )
    value_lines.append("    return value")
    ret = ", ".join(gnames) + ("," if len(gnames) == 1 else "")
    grad_lines.append(f"    return value, ({ret})")
    shapes = ", ".join(f"{s.value} {shape_text(s.shape)}" for s in params)
    notes = sorted(
        {TOPS[n.op].note for n in toposort([f]) if n.op in TOPS and TOPS[n.op].note}
    )
    doc = [
        '"""Generated by symgraph from the tensor expression',
        "",
        f"    {to_numpy(f)}",
        "",
        f"Arguments: {shapes}.",
        f"{name}(...) returns the value; {name}_grad(...) returns (value, ({ret}))",
        "with each gradient of its variable's shape:",
    ]
    doc += [f"    {g} = {to_numpy(gr)}" for g, gr in zip(gnames, grads)]
    doc += [f"Convention: {note}." for note in notes]
    doc += ['"""', "", "import numpy as np", "", "_ShapeError = ValueError"]
    helpers = [h for h in h1 + h2 if h in h1 + h2]
    body = "\n".join(value_lines + grad_lines)
    if REGISTRY_PREFIX in body:
        op = body[body.index(REGISTRY_PREFIX) + len(REGISTRY_PREFIX) :].split("(")[0]
        raise CodegenError(
            f"the op {op!r} has no standalone NumPy spelling for a generated module; "
            "sg.lambdify computes it"
        )
    parts = ["\n".join(doc)]
    parts += helper_source(dict.fromkeys(helpers))
    parts += ["\n".join(value_lines), "\n".join(grad_lines)]
    return "\n\n\n".join(parts) + "\n"
