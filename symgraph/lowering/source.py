"""Source text of a lowered program, and compiling it once.

Two functions are written from one :class:`~.schedule.Program`:

* the *plain* function, straight-line code with one line per op
  (``t3 = np.sin(t1)``), each op spelled by its declaration's ``np_src``.
  It works on anything the names ``np`` and the helpers accept: NumPy
  arrays and scalars with any broadcasting, and, with ``np`` bound to an
  array namespace, Dask, JAX or CuPy arrays.
* the *blocked* function, the memory plan for NumPy batches: the batch is
  processed in blocks of ``_block`` points, every temporary lives in a
  preallocated buffer of one block, ufuncs write through their ``out``
  argument, and each output is written straight into its row of one output
  array. The working set is then a few hundred kilobytes however large the
  batch, and a call allocates nothing per op.

Like ``sympy.lambdify``, the source is compiled under a unique file name
registered in ``linecache``, so tracebacks show the generated line.
"""

from __future__ import annotations

import itertools
import linecache
import math
from collections.abc import Mapping, Sequence

import numpy as np

from ..opdef import OPS
from .schedule import COMMUTATIVE, Program, ufunc_form

__all__ = ["blocked_source", "compile_function", "const_text", "plain_source"]

_COUNTER = itertools.count()


def const_text(v: float) -> str:
    """A float as Python source: exact (``repr``), NumPy's names for the
    non-finite values, negatives in parentheses."""
    if math.isnan(v):
        return "np.nan"
    if math.isinf(v):
        return "np.inf" if v > 0 else "(-np.inf)"
    s = repr(float(v))
    return f"({s})" if s.startswith("-") else s


def _expr(op_name: str, atoms: list) -> str:
    op = OPS[op_name]
    if not op.variadic:
        return op.np_src.format(*atoms)
    expr = atoms[0]  # an n-ary reduction is the fold of its binary template
    for a in atoms[1:]:
        expr = op.np_src.format(expr, a)
    return expr


def plain_source(prog: Program, fname: str, params: list, slots: list) -> str:
    """Straight-line code returning the tuple of outputs."""
    names = [f"t{k}" for k in slots]  # the temporary each step writes
    texts = _OperandTexts(params, names)
    lines = _def_line(fname, params)
    expr = _Templates()
    for j, step in enumerate(prog.steps):
        lines.append(f"    {names[j]} = {expr(step.op, texts.of(step.operands))}")
    outs = texts.of(prog.outputs)
    lines.append(f"    return ({', '.join(outs)}{',' if len(outs) == 1 else ''})")
    return "\n".join(lines) + "\n"


class _OperandTexts:
    """The source text of operands: arguments by ``params``, steps by
    ``steps`` (their names, by step index), constants by :func:`const_text`."""

    def __init__(self, params: Sequence | Mapping, steps: list) -> None:
        self.params = params
        self.steps = steps

    def of(self, operands: list) -> list:
        out = []
        for kind, v in operands:
            if kind == "step":
                out.append(self.steps[v])
            elif kind == "arg":
                out.append(self.params[v])
            else:
                assert kind == "const", kind  # rows are the callers' own
                out.append(const_text(v))
        return out


class _Templates:
    """:func:`_expr` with each op's template looked up once."""

    def __init__(self) -> None:
        self.plain: dict = {}  # op name -> np_src of a fixed-arity op

    def __call__(self, op_name: str, atoms: list) -> str:
        template = self.plain.get(op_name)
        if template is not None:
            return template.format(*atoms)
        op = OPS[op_name]
        if op.variadic:
            return _expr(op_name, atoms)
        self.plain[op_name] = op.np_src
        return op.np_src.format(*atoms)


# In-place arithmetic reads (and compiles) better as an augmented assignment:
# for an ndarray, ``t3 *= t4`` is ``np.multiply(t3, t4, out=t3)``. Power is
# left out: NumPy's in-place power takes shortcuts (``sqrt`` for ``** 0.5``)
# that np.power does not.
_AUGMENTED = {"add": "+=", "subtract": "-=", "multiply": "*=", "divide": "/="}


def _ufunc_line(name: str, args: str, atoms: list, target: str, out) -> str:
    """One ufunc call writing into ``target``."""
    aug = _AUGMENTED.get(name)
    if aug is not None and target.startswith("t"):
        if atoms[0] == target:
            return f"{target} {aug} {atoms[1]}"
        if atoms[1] == target and name in COMMUTATIVE:
            return f"{target} {aug} {atoms[0]}"
    return f"np.{name}({args.format(*atoms)}, {out(target)})"


def _def_line(fname: str, params: list) -> list:
    """``def fname(params):``, the parameters wrapped at 88 columns."""
    one = f"def {fname}({', '.join(params)}):"
    if len(one) <= 88:
        return [one]
    lines, cur = [f"def {fname}("], "    "
    for p in params:
        if len(cur) + len(p) + 2 > 88:
            lines.append(cur.rstrip())
            cur = "    "
        cur += p + ", "
    return [*lines, cur.rstrip(), "):"]


def _fresh(base: str, taken: set) -> str:
    name = base
    while name in taken:
        name += "_"
    taken.add(name)
    return name


def blocked_source(
    prog: Program,
    fname: str,
    params: list,
    rows: dict,
    slots: list,
    n_buffers: int,
    copies: Sequence[tuple] = (),
    out_keyword: bool = False,
    fills: Sequence[tuple] = (),
    given_buffers: bool = False,
) -> str:
    """The memory-planned function ``fname(_out, _block, *params)``, or
    ``fname(_out, _buffers, *params)`` with ``given_buffers`` (the caller then
    passes the ``(n_buffers, block)`` array, which it may keep between calls).

    Each argument is a 1-D array of the batch's ``_n`` points (a scalar comes
    as a zero-stride view); ``_out`` is the ``(rows, _n)`` output array.
    ``rows`` maps a step to the row it is written into, ``slots`` gives the
    buffer of every other step (see :func:`~.schedule.buffer_slots`), and
    ``copies`` are ``(row, operand)`` pairs written at the end of each block
    (an argument or a repeated output that needs its own row); ``fills``
    are ``(row, value)`` pairs for constant outputs, written once.
    """
    taken = set(params) | {"_out", "_block", "_n", "_start", "_stop", "_o"}
    taken.add("_buffers")
    taken |= {f"t{k}" for k in range(n_buffers)}
    used: set[int] = set()
    for step in prog.steps:
        used.update(o[1] for o in step.operands if o[0] == "arg")
    used.update(o[1] for _, o in copies if o[0] == "arg")
    block = {i: _fresh("_" + params[i], taken) for i in sorted(used)}

    # the text each step writes: its output row or its buffer
    dsts = [
        f"_o[{rows[j]}]" if slot is None else f"t{slot}" for j, slot in enumerate(slots)
    ]
    texts = _OperandTexts(block, dsts)

    def atom(o):
        if o[0] == "row":
            return f"_o[{o[1]}]"
        return texts.of([o])[0]

    def out(target):
        return f"out={target}" if out_keyword else target

    bufs = [f"t{k}" for k in range(n_buffers)]
    lines = _def_line(
        fname, ["_out", "_buffers" if given_buffers else "_block", *params]
    )
    lines.append("    _n = _out.shape[1]")
    lines += [f"    _out[{r}] = {const_text(v)}" for r, v in fills]
    if given_buffers:
        lines.append("    _block = _buffers.shape[1]")
    elif bufs:  # one allocation: the rows of one array are the buffers
        lines.append(f"    _buffers = np.empty(({n_buffers}, min(_block, _n)))")
    if bufs:
        lines += _unpack(bufs, "_buffers", "    ")
    lines.append("    for _start in range(0, _n, _block):")
    lines.append("        _stop = _start + _block")
    lines.append("        if _stop > _n:  # the last block is shorter")
    lines.append("            _stop = _n")
    if bufs:
        lines += _unpack(bufs, "_buffers[:, : _n - _start]", "            ")
    for i in sorted(used):
        lines.append(f"        {block[i]} = {params[i]}[_start:_stop]")
    lines.append("        _o = _out[:, _start:_stop]")
    expr = _Templates()
    for j, step in enumerate(prog.steps):
        atoms = texts.of(step.operands)
        target = dsts[j]
        if step.form is not None:
            name, args = step.form
            lines.append(f"        {_ufunc_line(name, args, atoms, target, out)}")
            continue
        op = OPS[step.op]
        form = None
        if op.variadic:
            assert op.reduces is not None, op.name  # a variadic op names its fold
            form = ufunc_form(op.reduces)
        if form is not None:  # an n-ary reduction: the fold, in place
            name = form[0]
            lines.append(f"        np.{name}({atoms[0]}, {atoms[1]}, {out(target)})")
            for a in atoms[2:]:
                lines.append(f"        np.{name}({target}, {a}, {out(target)})")
        else:
            lines.append(f"        {target} = {expr(step.op, atoms)}")
    for r, o in copies:
        lines.append(f"        _o[{r}] = {atom(o)}")
    return "\n".join(lines) + "\n"


def _unpack(names: list, value: str, indent: str) -> list:
    """``names = value`` as a tuple assignment, wrapped at 88 columns."""
    one = f"{indent}{', '.join(names)}{',' if len(names) == 1 else ''} = {value}"
    if len(one) <= 88:
        return [one]
    lines, cur = [f"{indent}("], indent + "    "
    for name in names:
        if len(cur) + len(name) + 2 > 88:
            lines.append(cur.rstrip())
            cur = indent + "    "
        cur += name + ", "
    lines.append(cur.rstrip())
    return lines + [f"{indent}) = {value}"]


def compile_function(source: str, fname: str, helpers: list, namespace: dict):
    """Compile ``helpers`` and ``source`` once, under a unique file name
    registered in ``linecache``; return the function ``fname``."""
    text = "\n\n".join([*helpers, source]) if helpers else source
    filename = f"<lambdifygenerated-{next(_COUNTER)}>"
    code = compile(text, filename, "exec")
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    exec(code, namespace)  # our own generated source, never user text
    return namespace[fname]


def default_namespace() -> dict:
    return {"np": np, "numpy": np}
