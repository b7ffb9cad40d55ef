"""int64 in the graph is exact, like TF1: integer constants, placeholders, ops
and variables keep every bit (numeric's float64 would round above 2**53);
a result that does not fit int64 is refused (LimitError naming the op), and a
constant or feed that does not fit is refused, never wrapped.

Every expected value is computed with Python's unbounded integers.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numeric.graph as G
from numeric.errors import FeedError, LimitError

BIG = 2**53 + 1  # the first integer float64 cannot hold
MAX = 2**63 - 1
MIN = -(2**63)


def _run(fetch, feed=None):
    with G.Session() as sess:
        return sess.run(fetch, feed)


def test_two_to_the_53_plus_one_is_exact(graph):
    total = G.constant(2**53) + G.constant(1)
    value = _run(total)
    assert isinstance(value, np.int64) and int(value) == BIG


def test_int64_placeholder_ops_keep_every_bit(graph):
    p = G.placeholder((3,), dtype=G.int64, name="p")
    q = G.placeholder((3,), dtype=G.int64, name="q")
    a = [BIG, -BIG + 4, 2**62 + 7]
    b = [3, 2**40 + 1, -(2**61) - 3]
    fetches = {
        "add": p + q,
        "sub": p - q,
        "mul": p * G.constant([1, 2, 1]),
        "neg": -p,
        "abs": abs(p),
        "max": G.maximum(p, q),
        "min": G.minimum(p, q),
        "sum": G.reduce_sum(p[:2]),
        "rmax": G.reduce_max(p),
        "slice": p[1:],
        "t": G.transpose(G.reshape(p, (1, 3))),
        "where": G.where(G.constant([True, False, True]), p, q),
        "id": G.identity(p),
        "matmul": G.constant([[BIG, 1]]) @ G.reshape(q[:2] * 0 + 1, (2, 1)),
    }
    got = _run(fetches, {p: a, q: b})
    want = {
        "add": [x + y for x, y in zip(a, b)],
        "sub": [x - y for x, y in zip(a, b)],
        "mul": [a[0], 2 * a[1], a[2]],
        "neg": [-x for x in a],
        "abs": [abs(x) for x in a],
        "max": [max(x, y) for x, y in zip(a, b)],
        "min": [min(x, y) for x, y in zip(a, b)],
        "sum": a[0] + a[1],
        "rmax": max(a),
        "slice": a[1:],
        "t": [[x] for x in a],
        "where": [a[0], b[1], a[2]],
        "id": a,
        "matmul": [[BIG + 1]],
    }
    for key, expected in want.items():
        value = got[key]
        assert np.asarray(value).dtype == np.int64, key
        assert np.asarray(value).tolist() == expected, key


def test_bool_inputs_count_as_integers(graph):
    t = G.constant([True, True, False])
    assert _run(G.reduce_sum(t)) == 2
    assert _run(t + t).tolist() == [2, 2, 0]  # not logical or


def test_int_sum_whose_partial_sums_wrap_is_still_exact(graph):
    # MAX + 1 wraps in the middle, but the exact total fits: modular arithmetic
    # gives it exactly
    value = _run(G.reduce_sum(G.constant(np.array([MAX, 1, -1], dtype=np.int64))))
    assert int(value) == MAX


OVERFLOWS = [
        (lambda: G.constant(MAX) + G.constant(1), "Add"),
        (lambda: G.constant(MIN) - G.constant(1), "Sub"),
        (lambda: G.constant(2**32) * G.constant(2**31), "Mul"),
        (lambda: -G.constant(MIN), "Neg"),
        (lambda: abs(G.constant(MIN)), "Abs"),
        (lambda: G.reduce_sum(G.constant([MAX, MAX])), "Sum"),
        (lambda: G.constant([[2**40, 2**40]]) @ G.constant([[2**23], [2**23]]), "MatMul"),
]  # fmt: skip


@pytest.mark.parametrize(("build", "op_name"), OVERFLOWS)
def test_int64_overflow_is_refused_naming_the_op(graph, build, op_name):
    node = build()
    with pytest.raises(LimitError, match=rf"{op_name}.*int64"):
        _run(node)


def test_results_just_inside_the_range_are_exact(graph):
    assert int(_run(G.constant(MAX - 1) + G.constant(1))) == MAX
    assert int(_run(G.constant(MIN + 1) - G.constant(1))) == MIN
    assert int(_run(G.constant(-(2**32)) * G.constant(2**31))) == MIN
    assert int(_run(G.reduce_sum(G.constant([2**62, 2**62 - 1])))) == MAX
    product = G.constant([[2**31, 2**31]]) @ G.constant([[2**31], [-1]])
    assert _run(product).tolist() == [[2**62 - 2**31]]


BAD_FEEDS = {
    "u64": np.uint64(2**63),
    "u64-array": np.array([1, 2**64 - 1], dtype=np.uint64),
    "1e19": 1e19,
    "2^63": 2.0**63,
    "-2^64": -(2.0**64),
    "nan": float("nan"),
    "list-2^63": [2**63],
    "list-2^64": [2**64],
    "2^70": 2**70,
}
BAD_CONSTANTS = [np.uint64(2**63), 2**64, [1, 2**63], [-1, 2**63], [[2**70]]]


@pytest.mark.parametrize("value", BAD_FEEDS.values(), ids=BAD_FEEDS.keys())
def test_int64_feed_that_does_not_fit_is_refused(graph, value):
    p = G.placeholder(None, dtype=G.int64, name="counts")
    with G.Session() as sess, pytest.raises(FeedError, match=r"counts:0.*int64"):
        sess.run(p * 1, {p: value})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (np.uint64(MAX), MAX),
        (-(2.0**63), MIN),
        (2.0**62, 2**62),
        (np.int64(MIN), MIN),
        ([BIG], [BIG]),
    ],
)
def test_int64_feed_at_the_edges_is_exact(graph, value, expected):
    p = G.placeholder(None, dtype=G.int64, name="counts")
    got = _run(G.identity(p), {p: value})
    assert np.asarray(got).tolist() == expected


@pytest.mark.parametrize("value", BAD_CONSTANTS)
def test_int64_constant_that_does_not_fit_is_refused(graph, value):
    with pytest.raises(LimitError, match="int64"):
        G.constant(value)


def test_int64_constant_from_floats_must_fit(graph):
    with pytest.raises(LimitError, match="int64"):
        G.constant(1e19, dtype=G.int64)
    with pytest.raises(TypeError, match="non-integer"):
        G.constant(1.5, dtype=G.int64)
    assert int(_run(G.constant(2.0**62, dtype=G.int64))) == 2**62


def test_int_variable_keeps_every_bit(graph):
    v = G.Variable(np.int64(BIG), name="counter")
    inc = v.assign_add(2)
    with G.Session() as sess:
        sess.run(v.initializer)
        assert int(sess.run(inc)) == BIG + 2
        assert int(sess.run(v.assign_sub(BIG))) == 2


def test_int_variable_assign_add_overflow_refused_and_unchanged(graph):
    v = G.Variable(np.int64(MAX - 1), name="counter")
    inc = v.assign_add(2)
    with G.Session() as sess:
        sess.run(v.initializer)
        with pytest.raises(LimitError, match="counter"):
            sess.run(inc)
        assert int(sess.run(v)) == MAX - 1


def test_int_variable_refuses_float_values(graph):
    v = G.Variable(np.int64(3), name="counter")
    with pytest.raises(TypeError, match="non-integer"):
        v.assign(1.5)
    with pytest.raises(TypeError, match="counter"):
        v.assign(G.constant(2.0) * 1.0)
    assert v.assign(7.0).dtype == G.int64  # an integral float is an int


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    a=st.lists(st.integers(-(2**62), 2**62), min_size=1, max_size=5),
    seed=st.integers(0, 2**16),
)
def test_int64_ops_match_python_integers(a, seed):
    rng = np.random.default_rng(seed)
    b = [int(x) for x in rng.integers(-(2**61), 2**61, size=len(a))]
    small = [int(x) for x in rng.integers(-(2**20), 2**20, size=len(a))]
    with G.Graph().as_default():
        p = G.placeholder((len(a),), dtype=G.int64, name="p")
        q = G.placeholder((len(a),), dtype=G.int64, name="q")
        s = G.placeholder((len(a),), dtype=G.int64, name="s")
        got = _run(
            [p + q, p - q, s * s * s, G.reduce_sum(q), G.reduce_sum(s * s * s)],
            {p: a, q: b, s: small},
        )
    want = [
        [x + y for x, y in zip(a, b)],
        [x - y for x, y in zip(a, b)],
        [z**3 for z in small],
        sum(b),
        sum(z**3 for z in small),
    ]
    for value, expected in zip(got, want):
        fits = all(MIN <= e <= MAX for e in np.ravel(expected).tolist())
        assert fits  # the strategy keeps every exact result inside int64
        assert np.asarray(value).tolist() == expected
