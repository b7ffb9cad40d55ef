"""Ops with ties: ``maximum`` and ``minimum`` (a tie splits the gradient
1/2 to each argument) and the n-ary ``max``, ``min`` and ``maxpool`` (tied
maxima share evenly; ``maxpool`` gives all to the first), PyTorch's rules
and the README's table. Their partials are written with the step
``greater(x, y, h)`` of ``kinks.py``, so ``maximum(inf, inf)`` is a tie.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..opdef import defop
from ._common import HALF, const, make, nan_free, positive
from .kinks import C_MAXIMUM, C_MINIMUM, nan_free_fold

__all__: list[str] = []


# ----- maximum and minimum ------------------------------------------------------------------
defop(
    "maximum",
    2,
    formula=lambda sp, x, y: sp.Max(x, y),
    numpy=np.maximum,
    partials=lambda x, y, out: (
        make("greater", x, y, const(HALF)),
        make("greater", y, x, const(HALF)),
    ),
    np_src="np.maximum({0}, {1})",
    c_src="maximum_({0}, {1})",
    c_helpers=(C_MAXIMUM,),
    fold=nan_free_fold(max),
    numeric=lambda nm, x, y: nm.maximum(x, y),
    gate="router",
    note="maximum(x, y) at a tie: 1/2 to each argument",
    kinks=lambda x, y: (make("sub", x, y),),
    doc="Elementwise maximum; at a tie the gradient is split 1/2 to each.",
)
defop(
    "minimum",
    2,
    formula=lambda sp, x, y: sp.Min(x, y),
    numpy=np.minimum,
    partials=lambda x, y, out: (
        make("greater", y, x, const(HALF)),
        make("greater", x, y, const(HALF)),
    ),
    np_src="np.minimum({0}, {1})",
    c_src="minimum_({0}, {1})",
    c_helpers=(C_MINIMUM,),
    fold=nan_free_fold(min),
    numeric=lambda nm, x, y: nm.minimum(x, y),
    gate="router",
    note="minimum(x, y) at a tie: 1/2 to each argument",
    kinks=lambda x, y: (make("sub", x, y),),
    doc="Elementwise minimum; at a tie the gradient is split 1/2 to each.",
)


# max(x1, ..., xn) and min(...) of n >= 2 inputs: a reduction, whose tied
# extrema share the gradient evenly (the reduce-max convention): with
# e_i = 1 if x_i equals the result else 0, d out / d x_i = e_i / sum_j e_j.
# maxpool(x1, ..., xn) is the same value with max pooling's convention: the
# whole gradient goes to the first maximal input, d out / d x_i =
# e_i * (1 - e_1) * ... * (1 - e_{i-1}).
def _hits(xs, out, is_min):
    """e_i: greater(out, x_i, 1) for a min, greater(x_i, out, 1) for a max."""
    one = const(1)
    return [
        make("greater", out, x, one) if is_min else make("greater", x, out, one)
        for x in xs
    ]


def _even_split(is_min):
    def partials(*args):
        hits = _hits(args[:-1], args[-1], is_min)
        count = functools.reduce(lambda a, b: make("add", a, b), hits)
        return tuple(make("div", h, count) for h in hits)

    return partials


def _first_hit(*args):
    hits = _hits(args[:-1], args[-1], False)
    parts, none_before = [], const(1)
    for h in hits:
        parts.append(make("mul", h, none_before))
        none_before = make("mul", none_before, make("sub", const(1), h))
    return tuple(parts)


# Kinks of an n-ary extremum are the ties between arguments: every pair for
# a few arguments, neighbours only past that (a sampler's hint, not a proof).
_ALL_PAIRS_UP_TO = 8


def _tie_kinks(*xs):
    pairs: Iterable[tuple[Any, Any]]
    if len(xs) <= _ALL_PAIRS_UP_TO:
        pairs = itertools.combinations(xs, 2)
    else:
        pairs = itertools.pairwise(xs)
    return tuple(make("sub", a, b) for a, b in pairs)


def _fold_with(ufunc):
    return lambda *xs: functools.reduce(ufunc, xs)


def _reduce_fold(fn):
    return lambda *vs: functools.reduce(fn, vs) if nan_free(*vs) else None


def _max_numeric(nm, *xs):
    return nm.max(nm.stack(xs), axis=0)


def _min_numeric(nm, *xs):
    return nm.negative(nm.max(nm.stack([nm.negative(x) for x in xs]), axis=0))


def _maxpool_numeric(nm, *xs):
    # the first strictly greater entry wins, as in numeric's max_pool2d
    return functools.reduce(
        lambda m, x: nm.where(positive(nm.subtract(x, m)), x, m), xs
    )


for _name, _sympy, _ufunc, _binary, _partials, _numeric, _nary, _note in (
    ("max", "Max", np.maximum, "maximum", _even_split(False), _max_numeric, "maximum",
     "max(x1, ..., xn) with tied maxima: the gradient is split evenly among them"),
    ("min", "Min", np.minimum, "minimum", _even_split(True), _min_numeric, "minimum",
     "min(x1, ..., xn) with tied minima: the gradient is split evenly among them"),
    ("maxpool", "Max", np.maximum, "maximum", _first_hit, _maxpool_numeric, None,
     "maxpool(x1, ..., xn) with tied maxima: the whole gradient goes to the first"),
):  # fmt: skip
    defop(
        _name,
        3,
        formula=functools.partial(lambda name, sp, *xs: getattr(sp, name)(*xs), _sympy),
        numpy=_fold_with(_ufunc),
        partials=_partials,
        np_src=f"np.{_binary}({{0}}, {{1}})",
        c_src=f"{_binary}_({{0}}, {{1}})",
        c_helpers=(C_MAXIMUM if _binary == "maximum" else C_MINIMUM,),
        fold=_reduce_fold(max if _binary == "maximum" else min),
        numeric=_numeric,
        variadic=True,
        reduces=_binary,
        nary_of=_nary,
        gate="router",
        note=_note,
        kinks=_tie_kinks,
        public=False,
        doc=_note,
    )
