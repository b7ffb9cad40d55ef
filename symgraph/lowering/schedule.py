"""The straight-line program of a DAG: one step per op, in topological order.

Lowering walks the outputs' topological order once. Symbols become argument
references, constants and ops on constants only become float literals
(computed in float64 as ``evaluate`` computes them, so a constant too large
for a float is ``inf`` and never an exact integer computed at call time),
and every other op becomes one :class:`Step`. Two register plans are made
from the same steps, each in one linear pass with a free list:

* ``plain_slots``: every step writes a temporary ``t<k>``; a temporary's
  name is reused once its last reader has run (outputs stay to the end).
* ``buffer_slots``: the memory plan of the blocked NumPy code. A step that
  is an output writes straight into its row of the output block; any other
  step writes into a preallocated buffer that is handed to a later step once
  its last reader has run. A step computed by one ufunc call may write into
  a buffer one of its own inputs dies in (ufuncs allow an exact overlap).
"""

from __future__ import annotations

import contextlib
import gc
import heapq
import re
from dataclasses import dataclass, field

import numpy as np

from ..errors import NotASymbolError
from ..node import Node, const_value
from ..opdef import OPS
from ..traverse import toposort

__all__ = ["Program", "Step", "build_program", "paused_gc", "ufunc_form"]

# An operand is ("arg", i), ("const", float) or ("step", j).
Operand = tuple

_CALL = re.compile(r"np\.(\w+)\(([^()]*)\)\Z")


_FORMS: dict = {}
_UNSEEN = object()  # an op build_program has not met yet


def ufunc_form(op_name: str):
    """``(ufunc name, argument template)`` when the op is one NumPy ufunc call
    (``np.sin({0})``, ``{0} + {1}``, ``np.maximum({0}, 0.0)``), else None."""
    op = OPS[op_name]
    cached = _FORMS.get(op_name)
    if cached is not None and cached[0] is op:
        return cached[1]
    form = _ufunc_form(op)
    _FORMS[op_name] = (op, form)
    return form


def _ufunc_form(op):
    if op.infix is not None:
        if isinstance(op.numpy, np.ufunc):
            return op.numpy.__name__, ", ".join(f"{{{i}}}" for i in range(op.nargs))
        return None
    m = _CALL.match(op.np_src)
    if m and isinstance(getattr(np, m.group(1), None), np.ufunc):
        return m.group(1), m.group(2)
    return None


@dataclass
class Step:
    """One op application: ``op`` on ``operands``; ``form`` is the op's
    :func:`ufunc_form` (None when it is not one ufunc call or is n-ary)."""

    node: Node
    op: str
    operands: list
    form: tuple | None = None


@dataclass
class Program:
    """The steps computing ``outputs`` from the arguments, and what each
    output is (an operand, see ``Operand``)."""

    n_args: int
    steps: list[Step]
    outputs: list[Operand]
    # per output position, the bit mask of the arguments it depends on
    masks: list[int]
    # step index -> index of the last step reading it (len(steps) if never)
    last_use: list[int] = field(default_factory=list)
    helpers: list[str] = field(default_factory=list)
    # step index -> the steps whose last reader it is (each once)
    dying: list[list[int]] = field(default_factory=list)


def build_program(outputs: list, arg_index: dict) -> Program:
    """The program computing the nodes ``outputs`` from the symbols of
    ``arg_index`` (``{symbol node: position}``).

    Raises
    ------
    NotASymbolError
        If an output reads a symbol that is not an argument.
    """
    where: dict = {}  # node -> operand
    mask: dict = {}
    steps: list = []
    helpers: list = []
    seen_ops: dict = {}  # op name -> its ufunc form
    for node in toposort(outputs):
        op = node.op
        if op == "symbol":
            i = arg_index.get(node)
            if i is None:
                raise NotASymbolError(
                    f"symbol {node.value!r} is not among the arguments"
                )
            where[node] = ("arg", i)
            mask[node] = 1 << i
            continue
        if op == "const":
            where[node] = ("const", const_value(node))
            mask[node] = 0
            continue
        operands = []
        m = 0
        for a in node.args:
            operands.append(where[a])
            m |= mask[a]
        if not m:
            # An op on constants that construction left unfolded (too large
            # to keep exactly, a division by zero, ...): computed here in
            # float64, as evaluate() computes it.
            with np.errstate(all="ignore"):
                v = OPS[op].numpy(*[np.float64(o[1]) for o in operands])
            where[node] = ("const", float(v))
            mask[node] = 0
            continue
        mask[node] = m
        where[node] = ("step", len(steps))
        form = seen_ops.get(op, _UNSEEN)
        if form is _UNSEEN:
            form = seen_ops[op] = None if OPS[op].variadic else ufunc_form(op)
            for h in OPS[op].py_helpers:
                if h.source not in helpers:
                    helpers.append(h.source)
        steps.append(Step(node, op, operands, form))
    never = len(steps)
    last_use = [never] * never
    for j, step in enumerate(steps):
        for kind, v in step.operands:
            if kind == "step":
                last_use[v] = j
    dying: list[list[int]] = [[] for _ in steps]
    for d, j in enumerate(last_use):
        if j != never:
            dying[j].append(d)
    return Program(
        n_args=len(arg_index),
        steps=steps,
        outputs=[where[o] for o in outputs],
        masks=[mask[o] for o in outputs],
        last_use=last_use,
        helpers=helpers,
        dying=dying,
    )


@contextlib.contextmanager
def paused_gc():
    """Pause the cyclic garbage collector while a pass builds many objects.

    DAG nodes and the lowering's records hold no reference cycles, so the
    collector finds nothing to free there, yet on a DAG of 10^5 nodes its
    full passes over every live object cost a third of the pass. The
    previous state is restored on exit, whatever happens.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def plain_slots(prog: Program) -> list:
    """Temporary number of each step for straight-line code: names are
    reused after their last reader; outputs are kept to the end."""
    kept = {o[1] for o in prog.outputs if o[0] == "step"}
    slots: list[int] = []
    free: list[int] = []  # a heap of reusable temporaries
    count = 0
    for j in range(len(prog.steps)):
        for d in prog.dying[j]:
            if d not in kept:
                heapq.heappush(free, slots[d])
        if free:
            k = heapq.heappop(free)
        else:
            k, count = count, count + 1
        slots.append(k)
        if prog.last_use[j] == len(prog.steps) and j not in kept:
            heapq.heappush(free, k)  # never read: its name is free at once
    return slots


# Binary ufuncs whose operands may be swapped exactly (IEEE a + b == b + a).
COMMUTATIVE = ("add", "multiply")


def buffer_slots(prog: Program, rows: dict):
    """The memory plan: ``(slots, n_buffers)``. ``slots[j]`` is the buffer
    step ``j`` writes, or None for a step written into its output row
    (``rows``: ``{step index: row}``).

    A step computed by one ufunc call writes into the buffer of an operand
    that dies there when it can (the first operand, or the second of a
    commutative op), so most arithmetic runs in place (``t3 *= t4``).
    """
    slots: list[int | None] = []
    free: list[int] = []  # a heap of reusable buffers
    count = 0
    for j, step in enumerate(prog.steps):
        form = step.form
        in_place = form is not None
        # the operands whose last reader this step is, with their buffers
        dying: dict[int, int] = {}
        for d in prog.dying[j]:
            buffer = slots[d]
            if buffer is not None:
                dying[d] = buffer
        reuse = None
        if form is not None and j not in rows:
            ops = step.operands
            if ops[0][0] == "step" and ops[0][1] in dying:
                reuse = dying[ops[0][1]]
            elif form[0] in COMMUTATIVE and ops[1][0] == "step" and ops[1][1] in dying:
                reuse = dying[ops[1][1]]
        if in_place:
            for buffer in dying.values():
                if buffer != reuse:
                    heapq.heappush(free, buffer)
        if j in rows:
            slots.append(None)
        elif reuse is not None:
            slots.append(reuse)
        elif free:
            slots.append(heapq.heappop(free))
        else:
            slots.append(count)
            count += 1
        if not in_place:
            for buffer in dying.values():
                heapq.heappush(free, buffer)
        written = slots[j]
        if prog.last_use[j] == len(prog.steps) and written is not None:
            heapq.heappush(free, written)
    return slots, count
