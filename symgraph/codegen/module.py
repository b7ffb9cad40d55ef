"""The module writer both targets share: outputs, derivative DAGs, names,
dependency masks, and the straight-line body of a function (one line per
op, in topological order, each op's spelling from its declaration)."""

from __future__ import annotations

import textwrap

import numpy as np

from ..grad import adjoints, jacobian
from ..identifiers import check_ascii_name
from ..node import Node, as_node, const
from ..opdef import OPS
from ..printing import to_text
from ..traverse import toposort
from ..wrt import normalize_wrt
from .errors import CodegenError
from .names import C_RESERVED, C_RESERVED_PREFIX, PY_RESERVED, Namer

__all__ = [
    "WIDTH",
    "Module",
    "expr_text",
    "helpers_of",
    "indented",
    "notes_of",
    "outputs_of",
    "wrap_list",
]

_MAX_HEADER_EXPR = 400  # characters of expression text shown in the header
WIDTH = 88
# Functions of more than this many ops free each temporary after its last use
# (``del``); smaller ones stay as plain straight-line code.
_RELEASE_AFTER = 24


def outputs_of(f):
    """(list of output nodes, several?) from a node, number, sequence or array."""
    if isinstance(f, np.ndarray):
        return [as_node(o) for o in f.ravel()], True
    if isinstance(f, (list, tuple)):
        if not f:
            raise CodegenError("no outputs given")
        return [as_node(o) for o in f], True
    return [as_node(f)], False


def notes_of(nodes) -> list:
    ops = []
    for node in nodes:
        if node.op in OPS and node.op not in ops:
            ops.append(node.op)
    notes = []
    for op in ops:
        note = OPS[op].note
        if note and note not in notes:
            notes.append(note)
    return notes


def expr_text(node: Node) -> str:
    text = to_text(node)
    if len(text) > _MAX_HEADER_EXPR:
        return f"<an expression DAG of {len(toposort([node]))} nodes, too long to show>"
    # The text holds names, numbers and operators only; make sure it cannot
    # end a docstring or a C comment whatever it holds.
    return text.replace("\\", "/").replace('"', "'").replace("*/", "* /")


def wrap_list(items, indent: str, width: int = WIDTH) -> list:
    """Comma-separated items packed into lines (each ending with a comma)."""
    lines, cur = [], indent
    for item in items:
        piece = item + ","
        if cur != indent and len(cur) + 1 + len(piece) > width:
            lines.append(cur)
            cur = indent
        cur = cur + (" " if cur != indent else "") + piece
    if cur != indent:
        lines.append(cur)
    return lines


class Module:
    """What both targets need: outputs, gradient DAGs, names, dependency masks."""

    def __init__(self, f, wrt, name: str, target: str, hessian: bool):
        if target not in ("python", "c"):
            raise CodegenError(f"target must be 'python' or 'c', not {target!r}")
        if not isinstance(name, str):
            raise CodegenError(f"name must be a string, not {name!r}")
        try:
            check_ascii_name(name, "function name")
        except ValueError as exc:
            raise CodegenError(str(exc)) from None
        self.target = target
        self.name = name
        self.outputs, self.several = outputs_of(f)
        self.wrt = normalize_wrt(wrt).symbols
        if hessian and self.several:
            raise CodegenError("hessian=True needs a single scalar output, got several")
        self.hessian = hessian
        n_out = len(self.outputs)

        # Functions of the module.
        suffixes = (
            ["", "_jac"]
            if self.several
            else ["", "_grad"] + (["_hess"] if hessian else [])
        )
        self.fnames = [name + s for s in suffixes]
        reserved = PY_RESERVED if target == "python" else C_RESERVED
        for fn in self.fnames:
            if fn in reserved or (target == "c" and C_RESERVED_PREFIX.match(fn)):
                raise CodegenError(f"function name {fn!r} is reserved in {target} code")

        # Derivatives: one reverse sweep per output (and per gradient entry).
        zero = const(0)
        self.grads = None
        self.jac = None
        self.hess = None
        self.adj = {}
        if self.several:
            self.jac = jacobian(self.outputs, self.wrt).reshape(n_out, len(self.wrt))
        else:
            self.adj = adjoints(self.outputs[0], self.wrt)
            self.grads = [self.adj.get(v, zero) for v in self.wrt]
            if hessian:
                self.hess = jacobian(self.grads, self.wrt).reshape(
                    len(self.wrt), len(self.wrt)
                )

        # Arguments: wrt symbols in order, then other symbols in order of appearance.
        all_roots = list(self.outputs)
        if self.grads is not None:
            all_roots += self.grads
        for matrix in (self.jac, self.hess):
            if matrix is not None:
                all_roots += list(matrix.ravel())
        self.order = toposort(all_roots)
        args = list(self.wrt)
        in_args = set(args)
        for node in self.order:
            if node.op == "symbol" and node not in in_args:
                args.append(node)
                in_args.add(node)
        self.args = args

        # Names: arguments, then named intermediates, then adjoints (x_bar).
        namer = Namer(target, self.fnames)
        self.names = {}
        for s in args:
            self.names[s] = namer.fresh(s.value)
        for node in self.order:
            if node.name is not None and node.op not in ("symbol", "const"):
                self.names[node] = namer.fresh(node.name)
        self.grad_names = []
        if self.grads is not None:
            forward = set(toposort(self.outputs))
            for v in self.wrt:
                self.grad_names.append(
                    namer.fresh(self.names[v] + "_bar", record=False)
                )
            for g, gname in zip(self.grads, self.grad_names):
                if (
                    g.op not in ("symbol", "const")
                    and g not in forward
                    and g not in self.names
                ):
                    self.names[g] = gname
            # Adjoints of named intermediates read as backprop: q_bar.
            for node in reversed(toposort(self.outputs)):
                a = self.adj.get(node)
                if (
                    node in self.names
                    and node.op != "symbol"
                    and a is not None
                    and a.op not in ("symbol", "const")
                    and a not in forward
                    and a not in self.names
                ):
                    self.names[a] = namer.fresh(self.names[node] + "_bar", record=False)
        self.mangled = namer.mangled

        # Dependency masks: which arguments each node depends on (bit i = args[i]).
        bit = {s: 1 << i for i, s in enumerate(args)}
        mask = {}
        for node in self.order:
            if node.op == "symbol":
                mask[node] = bit[node]
            elif node.op == "const":
                mask[node] = 0
            else:
                m = 0
                for a in node.args:
                    m |= mask[a]
                mask[node] = m
        self.mask = mask
        self.full_mask = (1 << len(args)) - 1
        self.notes = notes_of(self.order)

    def needs_broadcast(self, node) -> bool:
        return self.mask[node] != self.full_mask

    def body(self, roots, lang, stores=(), keep=()):
        """Lines computing ``roots``, each op once, in topological order.

        ``stores`` are ``(target, node)`` pairs: ``target = node`` is written
        as soon as the node is computed (at the start for symbols and
        constants). Returns ``(lines, atom)``, ``atom[node]`` being the name
        or literal of each node. Temporaries are numbered t0, t1, ... in
        evaluation order. In large functions (and when the target can),
        each temporary not in ``keep`` is released after its last use.
        """
        atom, lines, count = {}, [], 0
        order = toposort(roots)
        store_of: dict[Node, list[str]] = {}
        for target, node in stores:
            store_of.setdefault(node, []).append(target)
        n_ops = sum(1 for n in order if n.args)
        big = lang.release is not None and n_ops > _RELEASE_AFTER
        dels = self._last_uses(order, store_of, set(keep)) if big else {}
        early = []
        for node in order:
            op = node.op
            if op == "symbol":
                atom[node] = self.names[node]
                early += [
                    (t, lang.store(t, atom[node])) for t in store_of.get(node, ())
                ]
                continue
            if op == "const":
                atom[node] = lang.const(node.value, False)
                src = lang.const(node.value, False)
                early += [(t, lang.store(t, src)) for t in store_of.get(node, ())]
                continue
            operands = [atom[a] for a in node.args]
            if node.args and all(a.op == "const" for a in node.args):
                # Constant operands only (e.g. 1/0 kept symbolic): compute in
                # floating point, as evaluate does, never with Python ints.
                operands[0] = lang.const(node.args[0].value, True)
            if not OPS[op].variadic:
                expr = lang.template(op).format(*operands)
            else:  # an n-ary reduction prints as the fold of its template
                expr = operands[0]
                for operand in operands[1:]:
                    expr = lang.template(op).format(expr, operand)
            name = self.names.get(node)
            if name is None:
                name = f"t{count}"
                count += 1
            lines.append(lang.assign(name, expr))
            atom[node] = name
            lines += [lang.store(t, name) for t in store_of.get(node, ())]
            dead = dels.get(node)
            if dead:
                lines.append(lang.release([atom[d] for d in dead]))
        # Stores of symbols and constants come first, in the order given.
        rank = {t: i for i, (t, _) in enumerate(stores)}
        early.sort(key=lambda item: rank[item[0]])
        return [line for _, line in early] + lines, atom

    @staticmethod
    def _last_uses(order, store_of, keep) -> dict:
        """``{node: temporaries to release after node}``: after their last use.

        Large functions keep memory bounded by the DAG's width, not its size:
        on a batch, a temporary that stays alive until the return is an array
        that stays allocated (and out of cache).
        """
        last: dict[Node, Node] = {}  # node -> its last user
        for node in order:
            if node in store_of:
                last.setdefault(node, node)
            for a in node.args:
                last[a] = node
        dels: dict[Node, list[Node]] = {}
        for node, user in last.items():
            if node.op not in ("symbol", "const") and node not in keep:
                lst = dels.setdefault(user, [])
                if node not in lst:
                    lst.append(node)
        return dels

    def header_lines(self) -> list:
        out = []
        if self.several:
            for i, o in enumerate(self.outputs):
                out.append(f"{self.name}[{i}] = {expr_text(o)}")
        else:
            out.append(f"{self.name} = {expr_text(self.outputs[0])}")
        out = [
            line
            for text in out
            for line in textwrap.wrap(text, 76, subsequent_indent="    ")
        ]
        return out


def helpers_of(mod: Module, target: str) -> list:
    """Sources of the helper functions the module's ops call, each once, in
    order of first use (``OpDef.py_helpers`` / ``OpDef.c_helpers``)."""
    out = []
    for node in mod.order:
        if not node.args:  # a symbol or a constant
            continue
        op = OPS[node.op]
        for h in op.py_helpers if target == "python" else op.c_helpers:
            if h.source not in out:
                out.append(h.source)
    return out


def indented(items: list, width: int = 76, indent: str = "    ") -> list:
    return textwrap.wrap(
        ", ".join(items), width, initial_indent=indent, subsequent_indent=indent
    )
