"""One way to say "with respect to": the normaliser every public function uses.

``grad``, ``jacobian``, ``hessian``, ``lambdify``, ``codegen``, ``check``,
``verify`` and the command line accept the same forms for the variables: a
symbol, a sequence of symbols (or of object arrays of symbols), an object
array of symbols, or a string of names (``"x"``, ``"x, y"`` or ``"x y"``:
one name is one symbol, so a name is never ambiguous). Anything else, and a
symbol given twice, is refused here with the same error wherever it came in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import DuplicateSymbolError, NotASymbolError, SymbolNameError
from .node import Node, symbol

__all__ = ["Wrt", "normalize_wrt"]


@dataclass(frozen=True)
class Wrt:
    """Normalised variables.

    ``symbols`` is the flat list in order; ``shape`` is None for a single
    symbol (given as a node or one name), ``(n,)`` for a sequence, the array's
    shape for an object array (then ``array`` is True).
    """

    symbols: list
    shape: tuple | None
    array: bool = False

    @property
    def single(self) -> bool:
        return self.shape is None

    def arrange(self, values: list) -> Any:
        """Per-symbol ``values`` in the caller's form: an object array of
        ``shape`` when the variables came as an array, else a list."""
        if not self.array:
            return list(values)
        assert self.shape is not None  # variables given as an array keep its shape
        arr = np.empty(self.shape, dtype=object)
        arr.ravel()[:] = values  # ravel of a fresh array is a view
        return arr


def _as_symbol(v: Any) -> Node:
    if isinstance(v, str):
        try:
            return symbol(v)
        except SymbolNameError:
            raise NotASymbolError(f"{v!r} is not a symbol name") from None
    if not isinstance(v, Node) or v.op != "symbol":
        what = f" (a {v.op} node)" if isinstance(v, Node) else ""
        raise NotASymbolError(
            f"can only differentiate with respect to symbols, not {v!r}{what}"
        )
    return v


def _names(text: str) -> list[str]:
    names = [w for w in text.replace(",", " ").split() if w]
    if not names:
        raise NotASymbolError("the variables string names no symbols")
    return names


def normalize_wrt(wrt: Any) -> Wrt:
    """The variables of ``wrt`` (see the module docstring), checked.

    Raises
    ------
    NotASymbolError
        If an entry is not a symbol (or a symbol name).
    DuplicateSymbolError
        If a symbol appears twice.
    """
    if isinstance(wrt, str):
        names = _names(wrt)
        syms = [_as_symbol(n) for n in names]
        result = Wrt(syms, None) if len(syms) == 1 else Wrt(syms, (len(syms),))
    elif isinstance(wrt, Node):
        result = Wrt([_as_symbol(wrt)], None)
    elif isinstance(wrt, np.ndarray):
        result = Wrt([_as_symbol(v) for v in wrt.ravel()], wrt.shape, array=True)
    else:
        try:
            items = list(wrt)
        except TypeError:
            raise NotASymbolError(
                f"wrt must be a symbol, a sequence or array of symbols, or names, not {wrt!r}"
            ) from None
        flat: list[Any] = []
        for item in items:
            if isinstance(item, np.ndarray):
                flat.extend(item.ravel())
            else:
                flat.append(item)
        result = Wrt([_as_symbol(v) for v in flat], (len(flat),))
    seen = set()
    for s in result.symbols:
        if s in seen:
            raise DuplicateSymbolError(
                f"the symbol {s.value!r} appears twice among the variables"
            )
        seen.add(s)
    return result
