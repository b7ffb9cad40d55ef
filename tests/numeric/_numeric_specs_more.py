"""Specifications of the primitives added in round 2 (see ``_numeric_specs``).

Same contract: ``spec(rng, shape) -> (fn, arrays)`` with a valid point away
from kinks, domain edges and discontinuities, so finite differences are fair.
"""

import numpy as np

from numeric.registry import lookup


def _p(name):
    return lookup(name)


def _normal(rng, shape):
    return rng.normal(size=shape)


def _away_from_zero(rng, shape, low=0.3, high=1.5):
    return rng.uniform(low, high, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def _unary(name, sample):
    def spec(rng, shape):
        return (lambda x: _p(name)(x)), [sample(rng, shape)]

    return spec


def _distinct(rng, shape):
    n = int(np.prod(shape))
    return (rng.permutation(n) * 0.1 + rng.uniform(0, 0.01, n)).reshape(shape)


def _reduce(name, sample):
    def spec(rng, shape):
        axis = (int(rng.integers(len(shape))),) if shape else None
        keepdims = bool(rng.integers(2))
        return (lambda x: _p(name)(x, axis=axis, keepdims=keepdims)), [
            sample(rng, shape)
        ]

    return spec


def _scan(name, sample):
    def spec(rng, shape):
        axis = int(rng.integers(len(shape)))
        return (lambda x: _p(name)(x, axis=axis)), [sample(rng, shape)]

    return spec


def _concatenate(rng, shape):
    axis = int(rng.integers(len(shape)))
    shapes = []
    for n in (1, 2, 3):
        s = list(shape)
        s[axis] = n
        shapes.append(tuple(s))
    return (lambda a, b, c: _p("concatenate")(a, b, c, axis=axis)), [
        rng.normal(size=s) for s in shapes
    ]


def _einsum(rng, shape):
    n, m, k = 2, 3, (shape[-1] if shape else 2)
    cases = [
        ("ij,jk->ik", [(n, m), (m, k)]),
        ("ii->i", [(m, m)]),
        ("ii->", [(m, m)]),
        ("ij->", [(n, k)]),
        ("bij,bjk->bik", [(2, n, m), (2, m, k)]),
        ("ij,j,k->ik", [(n, m), (m,), (k,)]),
        ("iij->j", [(m, m, k)]),
        ("ij,ij->i", [(n, k), (1, k)]),  # a size-1 axis that broadcasts
    ]
    subscripts, shapes = cases[int(rng.integers(len(cases)))]
    return (lambda *xs: _p("einsum")(*xs, subscripts=subscripts)), [
        rng.normal(size=s) for s in shapes
    ]


def _square_batch(rng, shape):
    n = 1 + (shape[-1] if shape else 1)
    batch = (2,) if len(shape) > 1 else ()
    return rng.normal(size=batch + (n, n)) + 2.5 * n**0.5 * np.eye(n)


def _matrix(name):
    def spec(rng, shape):
        return (lambda a: _p(name)(a)), [_square_batch(rng, shape)]

    return spec


def _solve(rng, shape):
    a = _square_batch(rng, shape)
    n = a.shape[-1]
    vector = bool(rng.integers(2))
    b = rng.normal(size=(n,)) if vector else rng.normal(size=a.shape[:-2] + (n, 2))
    return (lambda a, b: _p("solve")(a, b, vector=vector)), [a, b]


def _cholesky(rng, shape):
    a = _square_batch(rng, shape)
    spd = a @ np.swapaxes(a, -1, -2)
    return (lambda a: _p("cholesky")(a)), [spd]


def _binary(name, sample_x, sample_y):
    def spec(rng, shape):
        yshape = tuple(1 if i == 0 else n for i, n in enumerate(shape[1:])) or ()
        return (lambda x, y: _p(name)(x, y)), [
            sample_x(rng, shape),
            sample_y(rng, yshape),
        ]

    return spec


def _arctan2(rng, shape):
    # points at least 0.3 from the origin
    return (lambda y, x: _p("arctan2")(y, x)), [
        _away_from_zero(rng, shape),
        _away_from_zero(rng, shape),
    ]


def _mod(rng, shape):
    # x / y keeps at least 0.2 from an integer, where mod jumps
    y = _away_from_zero(rng, shape, 0.5, 2.0)
    x = y * (rng.integers(-3, 4, size=shape) + rng.uniform(0.2, 0.8, size=shape))
    return (lambda x, y: _p("mod")(x, y)), [x, y]


def _clip(rng, shape):
    lo = rng.uniform(-1.0, -0.5, size=shape)
    hi = rng.uniform(0.5, 1.0, size=shape[-1:])
    region = rng.integers(3, size=shape)  # below, inside, above; 0.2 from a bound
    x = np.where(
        region == 0,
        lo - rng.uniform(0.2, 1, size=shape),
        np.where(region == 1, rng.uniform(-0.3, 0.3, size=shape), hi + 0.2),
    )
    return (lambda x, lo, hi: _p("clip")(x, lo, hi)), [x, lo, hi]


SPECS_MORE = {
    "min": _reduce("min", _distinct),
    "prod": _reduce("prod", _away_from_zero),
    "cumsum": _scan("cumsum", _normal),
    "cumprod": _scan("cumprod", _away_from_zero),
    "concatenate": _concatenate,
    "einsum": _einsum,
    "inv": _matrix("inv"),
    "det": _matrix("det"),
    "logabsdet": _matrix("logabsdet"),
    "solve": _solve,
    "cholesky": _cholesky,
    "log2": _unary("log2", lambda rng, s: rng.uniform(0.5, 2.0, size=s)),
    "log10": _unary("log10", lambda rng, s: rng.uniform(0.5, 2.0, size=s)),
    "exp2": _unary("exp2", _normal),
    "arcsinh": _unary("arcsinh", _normal),
    "arccosh": _unary("arccosh", lambda rng, s: rng.uniform(1.5, 3.0, size=s)),
    "arctanh": _unary("arctanh", lambda rng, s: rng.uniform(-0.8, 0.8, size=s)),
    "arctan2": _arctan2,
    "mod": _mod,
    "clip": _clip,
}

_LN2, _LN10 = np.log(2.0), np.log(10.0)

SECOND_DERIVATIVES_MORE = {
    "log2": (lambda x: -1.0 / (x**2 * _LN2), lambda rng, s: rng.uniform(0.5, 2, s)),
    "log10": (lambda x: -1.0 / (x**2 * _LN10), lambda rng, s: rng.uniform(0.5, 2, s)),
    "exp2": (lambda x: 2.0**x * _LN2**2, _normal),
    "arcsinh": (lambda x: -x / (x**2 + 1) ** 1.5, _normal),
    "arccosh": (
        lambda x: -x / (x**2 - 1) ** 1.5,
        lambda rng, s: rng.uniform(1.5, 3, s),
    ),
    "arctanh": (
        lambda x: 2 * x / (1 - x**2) ** 2,
        lambda rng, s: rng.uniform(-0.8, 0.8, s),
    ),
}
