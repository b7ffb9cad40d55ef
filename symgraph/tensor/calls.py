"""Function calls in the tensor parser: ``sum(X, axis=0)``, ``where(a > b, p, q)``,
``eye(n)``, ``zeros((n, m))``, the registry's elementwise functions.

A mixin of the parser in ``parse.py`` (which supplies the token helpers
``fail``, ``build`` and ``arguments``); the function tables are in
``tokens.py``.
"""

from __future__ import annotations

from ..ops import OPS
from .functions import FUNCTIONS
from .node import TensorNode, as_tensor, const, eye, fill, make
from .tokens import ALIASES, DEFAULTS, ELEMENTWISE_NAMES, KNOWN, TENSOR_FUNCS

__all__ = ["CallMixin"]


class CallMixin:
    """The call handlers of the tensor parser."""

    def call(self, word: str, pos: int) -> TensorNode:
        fname = ALIASES.get(word, word)
        if fname not in KNOWN:
            raise self.fail(
                f"unknown function {word!r} (known: {', '.join(KNOWN)})", pos
            )
        items, keywords = self.arguments(fname)
        kw = {k: v for k, (v, _) in keywords.items()}
        if fname == "where":
            return self.where_call(items, kw, pos)
        if fname == "eye":
            if len(items) != 1 or kw or isinstance(items[0][0], TensorNode):
                raise self.fail("eye takes one dimension: eye(n) or eye(3)", pos)
            return self.build(pos, eye, items[0][0])
        if fname in ("zeros", "ones", "full"):
            return self.fill_call(fname, items, kw, pos)
        nodes = [x for x, _ in items if isinstance(x, TensorNode)]
        raw = [x for x, _ in items if not isinstance(x, TensorNode)]
        if fname in ("ones_like", "zeros_like", "flip"):
            if len(nodes) != 1 or (raw and fname != "flip") or kw:
                raise self.fail(f"{fname} takes one tensor", pos)
            if fname == "flip":
                return self.build(pos, make, "flip", nodes[0])
            value = const(1 if fname == "ones_like" else 0)
            return self.build(pos, make, "broadcast_like", value, nodes[0])
        if fname in ELEMENTWISE_NAMES and fname not in TENSOR_FUNCS:
            op = ELEMENTWISE_NAMES[fname]
            args = nodes + [as_tensor(v) for v in raw if isinstance(v, (int, float))]
            if kw:
                raise self.fail(f"{fname}() takes no keyword arguments", pos)
            nargs = OPS[op].nargs
            defaults = DEFAULTS.get(op, ())
            if nargs - len(defaults) <= len(args) < nargs:
                args += [const(d) for d in defaults[len(args) - nargs :]]
            if len(args) != nargs:
                raise self.fail(
                    f"{word}() takes {nargs} argument(s), got {len(args)}", pos
                )
            return self.build(pos, FUNCTIONS[op], *args)
        op, ntensor, positional, keywords_ok = TENSOR_FUNCS[fname]
        if len(nodes) != ntensor or any(isinstance(x, TensorNode) for x in raw):
            raise self.fail(
                f"{word}() takes {ntensor} tensor argument(s), got {len(nodes)}", pos
            )
        if len(raw) > len(positional):
            raise self.fail(f"{word}() got too many arguments", pos)
        params = dict(zip(positional, raw))
        for k, (v, kpos) in keywords.items():
            if k not in keywords_ok or k in params:
                raise self.fail(f"{word}() does not take {k}= here", kpos)
            params[k] = v
        return self.build(pos, make, op, *nodes, **params)

    def fill_call(self, fname, items, kw, pos) -> TensorNode:
        want = 2 if fname == "full" else 1
        if len(items) != want or kw:
            usage = "full(shape, value)" if fname == "full" else f"{fname}(shape)"
            raise self.fail(f"{fname} takes {usage}, e.g. {fname}((n, m))", pos)
        shape = items[0][0]
        shape = shape if isinstance(shape, tuple) else (shape,)
        value = {"zeros": 0, "ones": 1}.get(fname, items[-1][0])
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail("full's value must be a number", items[-1][1])
        return self.build(pos, fill, shape, value)

    def where_call(self, items, kw, pos) -> TensorNode:
        if len(items) != 3 or kw:
            raise self.fail("where takes (condition, a, b)", pos)
        (cond, cpos), (a, _), (b, _) = items
        if not (isinstance(cond, tuple) and cond[0] == "condition"):
            raise self.fail(
                "where's condition must be a comparison 'a > b' or 'a < b' "
                "(NumPy's where(c, ...) tests c != 0, symgraph's c > 0)",
                cpos,
            )
        a, b = (as_tensor(v) if not isinstance(v, TensorNode) else v for v in (a, b))
        return self.build(pos, make, "where", cond[1], a, b)
