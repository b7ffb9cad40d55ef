"""TF1's random tensors: ``random_normal``, ``truncated_normal``,
``random_uniform``, and the seeds that make them repeatable.

Each draw is a random op (:data:`~numeric.graph.op_registry.RANDOM_KERNELS`)
with its own NumPy generator in each session, scaled and shifted by ordinary
registry ops as TF1 does (``random_normal`` is ``RandomStandardNormal *
stddev + mean``), so gradients reach ``mean`` and ``stddev`` when they are
tensors, never the draw itself. Every run of the op draws new numbers.

Seeds follow TF1's rules (``tf.set_random_seed``): with a graph-level seed
(:func:`set_random_seed`) or an op-level ``seed=``, the op's generator is
seeded from the pair (graph seed, op seed), and the sequence of values it
gives run after run is the same in every new session on the same graph; with
a graph seed and no op seed, the op seed is the number of operations created
before it, so the graph's construction order matters; with neither, values
come from fresh entropy. The numbers are NumPy's (``numpy.random.Generator``
seeded with the pair), not TF1's: the same seeds repeat them here, but do not
give TF1's values.
"""

from __future__ import annotations

import numbers

import numpy as np
import numpy.typing as npt

from numeric.errors import ArgumentError
from numeric.graph.constants import constant
from numeric.graph.dtypes import as_dtype, float64, int64
from numeric.graph.fill_ops import _known_shape
from numeric.graph.graph import Graph, GraphTensorLike, Tensor, get_default_graph
from numeric.graph.op_registry import defrandom
from numeric.graph.ops import add, multiply, subtract
from numeric.graph.shapes import ShapeLike

# TF1's seed used with an op seed when no graph seed is set
DEFAULT_GRAPH_SEED = 87654321
_MAXINT32 = 2**31 - 1


def _seed(fn: str, seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{fn}: seed must be an int or None, got {seed!r}")
    return int(seed) % _MAXINT32  # TF1 truncates seeds the same way


def set_random_seed(seed: int | None) -> None:
    """Set the graph-level random seed of the default graph (TF1's
    ``tf.set_random_seed``); None removes it. Ops created afterwards draw
    repeatable sequences (see the module notes); ops created before keep
    their seeds.

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     G.set_random_seed(0)
    ...     a = G.random_uniform([2])
    ...     with G.Session() as s1, G.Session() as s2:
    ...         print((s1.run(a) == s2.run(a)).all())
    True
    """
    get_default_graph().seed = None if seed is None else _seed("set_random_seed", seed)


def op_seeds(graph: Graph, fn: str, seed: object) -> tuple[int, int] | None:
    """The (graph seed, op seed) pair of a new random op, or None (TF1's
    ``random_seed.get_seed``)."""
    if graph.seed is not None:
        op_seed = len(graph._ops) if seed is None else _seed(fn, seed)
        return (graph.seed, op_seed)
    if seed is not None:
        return (DEFAULT_GRAPH_SEED, _seed(fn, seed))
    return None


def _operand(
    fn: str, what: str, value: GraphTensorLike, name: str | None = None
) -> Tensor:
    """The argument ``what`` as a float tensor named ``name`` (default
    ``what``; TF1 names them ``mean``, ``stddev``, ``min``, ``max``)."""
    if isinstance(value, Tensor):
        return value
    arr = np.asarray(value)
    if isinstance(value, bool) or arr.dtype.kind not in "iuf":
        raise TypeError(f"{fn}: {what} must be a number or a tensor, got {value!r}")
    return constant(arr, float64, name=name or what)


def _draw(graph, op_type, shape, seeds, name, like=None, **attrs) -> Tensor:
    attrs.update(shape=shape, seeds=seeds)
    dtype = int64 if op_type == "RandomUniformInt" else float64
    inputs = [] if like is None else [like]
    static = like._shape if like is not None and shape is None else shape
    if like is not None and shape is not None and like._shape is not None:
        static = tuple(s if s is not None else d for s, d in zip(shape, like._shape))
    op = graph.create_op(op_type, inputs, [(static, dtype)], attrs=attrs, name=name)
    return op.outputs[0]


def _floating(fn: str, dtype: npt.DTypeLike) -> None:
    if as_dtype(dtype) != float64:
        raise TypeError(f"{fn}: dtype must be floating, got {dtype!r}")


def _shifted(fn, op_type, shape, operands, seed, name) -> Tensor:
    """TF1's composite ``draw * scale + loc``, ``(loc, scale) = operands()``:
    the parts in the scope ``name/``, the sum named ``name``."""
    graph = get_default_graph()
    dims = _known_shape(fn, shape)
    seeds = op_seeds(graph, fn, seed)
    base = graph.unique_name(name or fn, mark_as_used=False)
    with graph.name_scope(base + "/"):
        loc_t, scale_t = operands()
        raw = _draw(graph, op_type, dims, seeds, op_type)
        scaled = multiply(raw, scale_t, name="mul")
    with graph.name_scope(""):
        return add(scaled, loc_t, name=base)


def random_normal(
    shape: ShapeLike,
    mean: GraphTensorLike = 0.0,
    stddev: GraphTensorLike = 1.0,
    dtype: npt.DTypeLike = float64,
    seed: int | None = None,
    name: str | None = None,
) -> Tensor:
    """Normal draws of a fully known ``shape`` (TF1's ``tf.random_normal``).

    Each run draws anew; seeds make the sequence repeatable (module notes).
    Usable as a variable's initial value: ``G.Variable(G.random_normal([784,
    10], stddev=0.1))`` draws when the initializer runs.

    Parameters
    ----------
    shape : sequence of ints
    mean, stddev : number or Tensor
    dtype : floating dtype (float64 is held)
    seed : int, optional
        The op-level seed.
    name : str, optional

    Raises
    ------
    ShapeError
        ``shape`` holds an unknown size.
    TypeError
        A non-floating ``dtype``, a non-int ``seed``, a non-number ``mean``.

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     w = G.Variable(G.random_normal([784, 10], stddev=0.1, seed=1))
    ...     print(w.initial_value)
    ...     with G.Session() as sess:
    ...         sess.run(G.global_variables_initializer())
    ...         print(round(float(sess.run(w).std()), 1))
    Tensor("random_normal:0", shape=(784, 10), dtype=float64)
    0.1
    """
    _floating("random_normal", dtype)
    return _shifted(
        "random_normal",
        "RandomStandardNormal",
        shape,
        lambda: (
            _operand("random_normal", "mean", mean),
            _operand("random_normal", "stddev", stddev),
        ),
        seed,
        name,
    )


def truncated_normal(
    shape: ShapeLike,
    mean: GraphTensorLike = 0.0,
    stddev: GraphTensorLike = 1.0,
    dtype: npt.DTypeLike = float64,
    seed: int | None = None,
    name: str | None = None,
) -> Tensor:
    """Normal draws more than 2 standard deviations from the mean drawn again
    (TF1's ``tf.truncated_normal``), so every value lies in
    ``[mean - 2 stddev, mean + 2 stddev]``. Arguments as :func:`random_normal`.
    """
    _floating("truncated_normal", dtype)
    return _shifted(
        "truncated_normal",
        "TruncatedNormal",
        shape,
        lambda: (
            _operand("truncated_normal", "mean", mean),
            _operand("truncated_normal", "stddev", stddev),
        ),
        seed,
        name,
    )


def random_uniform(
    shape: ShapeLike,
    minval: GraphTensorLike = 0,
    maxval: GraphTensorLike | None = None,
    dtype: npt.DTypeLike = float64,
    seed: int | None = None,
    name: str | None = None,
) -> Tensor:
    """Uniform draws in ``[minval, maxval)`` (TF1's ``tf.random_uniform``).

    For a floating ``dtype``, ``maxval`` defaults to 1 and the draw is
    ``u * (maxval - minval) + minval`` with ``u`` in [0, 1). For an integer
    ``dtype``, ``minval`` and ``maxval`` are required ints with
    ``minval < maxval`` and the result is int64.

    Raises
    ------
    ArgumentError
        An integer ``dtype`` without ``maxval``, or ``minval >= maxval``.
    ShapeError, TypeError
        As :func:`random_normal`.

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     dice = G.random_uniform([6], 1, 7, dtype=G.int32, seed=3)
    ...     with G.Session() as sess:
    ...         print(sess.run(dice).min() >= 1, sess.run(dice).max() <= 6)
    True True
    """
    fn = "random_uniform"
    if as_dtype(dtype) == int64:
        return _uniform_int(shape, minval, maxval, seed, name)
    _floating(fn, dtype)
    high = 1.0 if maxval is None else maxval

    def operands():
        low = _operand(fn, "minval", minval, "min")
        return low, subtract(_operand(fn, "maxval", high, "max"), low, name="sub")

    return _shifted(fn, "RandomUniform", shape, operands, seed, name)


def _uniform_int(shape, minval, maxval, seed, name) -> Tensor:
    fn = "random_uniform"
    if maxval is None:
        raise ArgumentError(f"{fn}: maxval is required for an integer dtype")
    for what, v in (("minval", minval), ("maxval", maxval)):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            raise TypeError(f"{fn}: {what} must be an int for an integer dtype")
    if not minval < maxval:
        raise ArgumentError(f"{fn}: needs minval < maxval, got {minval} and {maxval}")
    graph = get_default_graph()
    dims = _known_shape(fn, shape)
    seeds = op_seeds(graph, fn, seed)
    low, high = int(minval), int(maxval)
    return _draw(graph, "RandomUniformInt", dims, seeds, name or fn, low=low, high=high)


def uniform_noise(
    like: Tensor, shape: tuple | None, seed: int | None, name: str
) -> Tensor:
    """Uniform draws in [0, 1) shaped like ``like``'s value at run time, or
    like ``shape`` with its None sizes taken from ``like`` (dropout's mask)."""
    seeds = op_seeds(like.graph, name, seed)
    return _draw(like.graph, "RandomUniform", shape, seeds, name, like=like)


# ----- kernels: kernel(arrays, attrs, rng) -> array -----------------------------


def _draw_shape(arrays, attrs) -> tuple:
    shape = attrs["shape"]
    if not arrays:
        return shape
    like = arrays[0].shape
    if shape is None:
        return like
    return tuple(d if s is None else s for s, d in zip(shape, like))


def _truncated_kernel(arrays, attrs, rng):
    z = rng.standard_normal(_draw_shape(arrays, attrs))
    far = np.abs(z) > 2.0
    while far.any():  # redraw what lies beyond 2 standard deviations
        z[far] = rng.standard_normal(int(far.sum()))
        far = np.abs(z) > 2.0
    return z


defrandom(
    "RandomStandardNormal",
    lambda arrays, attrs, rng: rng.standard_normal(_draw_shape(arrays, attrs)),
)
defrandom("TruncatedNormal", _truncated_kernel)
defrandom(
    "RandomUniform", lambda arrays, attrs, rng: rng.random(_draw_shape(arrays, attrs))
)
defrandom(
    "RandomUniformInt",
    lambda arrays, attrs, rng: rng.integers(
        attrs["low"], attrs["high"], size=_draw_shape(arrays, attrs)
    ),
)
