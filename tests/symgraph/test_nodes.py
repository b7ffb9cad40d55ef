"""Nodes: hash-consing, display names, immutability, the user's structure,
construction-time folding, and huge powers that must stay symbolic."""

import json
import math
import pickle
import subprocess
import sys
import textwrap
from fractions import Fraction

import numpy as np
import pytest

import symgraph as sg
from symgraph.node import const, is_const, make

x, y, z = sg.symbols("x y z")


# ----- hash-consing ---------------------------------------------------------------
def test_same_construction_gives_one_node():
    assert (x + y) is (x + y)
    assert sg.sin(x * y) is sg.sin(x * y)
    assert sg.parse("(x + y) * z") is (x + y) * z
    assert (
        sg.count_nodes([(x + y) * z, (x + y) * y]) == 6
    )  # x, y, z, x+y and two products


def test_argument_order_matters():
    # hash-consing is structural, not algebraic: x + y and y + x are two nodes
    assert (x + y) is not (y + x)


def test_symbols_by_name_are_unique():
    assert sg.symbols("x") is x
    a, b = sg.symbols("x, y")
    assert (a, b) == (x, y) and a is x and b is y
    assert sg.symbols_array("x", (1,))[0] is sg.symbols("x_0")
    assert sg.parse("x") is x


def test_symbols_rejects_bad_names():
    for bad in ["", "1x", "_x", "x-y", "lambda", "for"]:
        with pytest.raises(ValueError):
            sg.symbols(bad) if bad else sg.symbols(" ")


def test_constants_are_interned_by_value_and_kind():
    assert const(2) is const(2) and const(2.0) is const(2.0)
    assert const(2) is not const(2.0)  # exact 2 and float 2.0 differ
    assert const(Fraction(4, 2)) is const(2)
    assert const(0.0) is not const(-0.0)
    assert const(math.nan) is const(math.nan)
    assert const(np.int64(3)) is const(3) and const(np.float32(0.5)) is const(0.5)
    with pytest.raises(TypeError):
        const(True)
    with pytest.raises(TypeError):
        const(1j)


def test_named_gives_a_display_name():
    q = (x + y).named("q")
    assert q.name == "q" and q.label == "q"
    assert q.op == "add" and q.args == (x, y)
    assert q is not (x + y)  # a named computation is its own node
    assert (x + y).named("q") is q  # and is hash-consed too
    assert (x + y).named("r") is not q
    assert sg.evaluate(q, {x: 1, y: 2}) == 3.0
    assert (
        x.label == "x"
        and const(Fraction(1, 2)).label == "1/2"
        and (x * y).label == "mul"
    )


def test_named_refuses_symbols_constants_and_bad_names():
    with pytest.raises(TypeError):
        x.named("q")
    with pytest.raises(TypeError):
        const(1).named("one")
    for bad in ["1q", "_q", "q-1", "", "class", "q r"]:
        with pytest.raises(ValueError):
            (x + y).named(bad)


def test_nodes_are_immutable():
    f = x + y
    with pytest.raises(AttributeError):
        f.op = "mul"
    with pytest.raises(AttributeError):
        f.args = (x,)
    with pytest.raises(AttributeError):
        x.value = "y"
    with pytest.raises(AttributeError):
        del f.name
    with pytest.raises(AttributeError):
        f.extra = 1
    with pytest.raises(TypeError):
        sg.Node("add", (x, y))
    with pytest.raises(TypeError):
        pickle.dumps(f)
    assert f.op == "add" and f.args == (x, y) and isinstance(f.args, tuple)


def test_nodes_refuse_ordering_but_are_truthy():
    with pytest.raises(TypeError):
        x < y  # noqa: B015
    with pytest.raises(TypeError):
        sorted([y, x])
    assert bool(const(0)) is True


def test_dag_keeps_the_users_structure():
    q = x + y
    f = q * z
    assert f.op == "mul" and f.args[0] is q and f.args[1] is z
    assert str(f) == "(x + y) * z"
    # the gradient is built from the same forward nodes
    dx, dy, dz = sg.grad(f, [x, y, z])
    assert dz is q and dx is z and dy is z
    # named intermediates survive into the gradient
    qn = q.named("q")
    g = sg.sin(qn) * qn
    assert any(n is qn for n in _walk(sg.grad(g, [x])[0]))


def _walk(root):
    from symgraph.traverse import toposort

    return toposort([root])


def test_sharing_is_counted_once():
    s = sg.sin(x)
    f = s * sg.cos(s) + s
    assert sg.count_nodes(f) == 5  # x, sin, cos, mul, add
    assert sg.count_nodes(np.array([f, s], dtype=object)) == 5


def test_operators_with_numbers_and_numpy_scalars():
    assert (2 + x).args == (x, const(2))  # the constant last, as SymPy prints it
    assert (x - 1.5).args == (x, const(1.5))
    assert (np.float64(2.0) * x) is (2.0 * x)  # a node, not a NumPy object array
    assert (x * np.int64(3)) is (x * 3)
    assert (+x) is x
    with pytest.raises(TypeError):
        x + "y"
    with pytest.raises(TypeError):
        x + [1]


# ----- construction-time folding --------------------------------------------------
def test_constant_folding_is_exact():
    assert sg.parse("2 + 3") is const(5)
    assert sg.parse("1/3 + 1/6") is const(Fraction(1, 2))
    assert sg.parse("2**-2") is const(Fraction(1, 4))
    assert sg.parse("(2/3)**3").value == Fraction(8, 27)
    assert sg.parse("6/3").value == 2 and isinstance(sg.parse("6/3").value, int)
    assert sg.parse("10 - 2*5") is const(0)
    assert sg.parse("-(2)") is const(-2)
    assert sg.parse("0.5 + 0.25") is const(0.75)
    assert sg.parse("max(2, 3) + min(1/2, 1/3)").value == Fraction(10, 3)
    assert const(1) + const(Fraction(1, 3)) is const(Fraction(4, 3))


def test_exact_unary_folds():
    assert sg.sin(0) is const(0) and sg.cos(0) is const(1) and sg.exp(0) is const(1)
    assert (
        sg.log(1) is const(0)
        and sg.sqrt(1) is const(1)
        and sg.sigmoid(0) is const(Fraction(1, 2))
    )
    assert (
        sg.abs(-3) is const(3) and sg.relu(-2) is const(0) and sg.sign(-5) is const(-1)
    )
    # inexact results stay symbolic rather than becoming floats
    assert sg.sin(1).op == "sin" and sg.sqrt(2).op == "sqrt"


@pytest.mark.parametrize(
    "built, expected",
    [
        (lambda: x * 1, "x"),
        (lambda: 1 * x, "x"),
        (lambda: x * 0, "0"),
        (lambda: 0 * x, "0"),
        (lambda: x + 0, "x"),
        (lambda: 0 + x, "x"),
        (lambda: x - 0, "x"),
        (lambda: x / 1, "x"),
        (lambda: x**1, "x"),
        (lambda: x**0, "1"),
        (lambda: -(-x), "x"),  # noqa: B002
        (lambda: 0 - x, "-x"),
        (lambda: sg.parse("--x"), "x"),
        (lambda: sg.parse("----x"), "x"),
        (lambda: sg.where(1, x, y), "x"),
        (lambda: sg.where(-1, x, y), "y"),
        (lambda: sg.where(0, x, y), "y"),
        (lambda: sg.heaviside(0, 0.25), "0.25"),
    ],
)
def test_trivial_identities_fold(built, expected):
    node = built()
    assert node is sg.parse(expected), (str(node), expected)


def test_folding_does_not_fold_what_it_should_not():
    assert (x * 2).op == "mul" and (x + y).op == "add" and (x - y).op == "sub"
    assert sg.parse("0**-1").op == "pow"  # stays symbolic, evaluates to inf
    with np.errstate(divide="ignore"):
        assert sg.evaluate(sg.parse("0**-1")) == math.inf
    assert sg.parse("1/0").op == "div"
    assert sg.parse("(-8)**(1/3)").op == "pow"  # no complex result


def test_float_folding_keeps_nan_and_inf_out():
    assert sg.parse("inf - inf").op == "sub"  # nan is never folded in
    assert sg.parse("1e308 * 10").value == math.inf  # a float overflow folds to inf


# ----- huge powers: symbolic when built, refused by the parser, never a hang ----------------
# The parser refuses a power of constants too large to fold with a clear
# ParseError (docs/reliability.md: a kept-symbolic 9**9**9 would hang SymPy
# and generated code later); built with operators, the same power stays a
# small symbolic node that evaluates to inf. Both run in a subprocess with a
# timeout, so a hang or a crash fails the test instead of the run.
_HUGE_TEXT = ["9**9**9", "((9**9)**9999)**9999", "10**1000000", "2**4096", "(-3)**99999",
              "2.0**2**20", "(1/3)**9999 + 1", "x * 10**1000000"]  # fmt: skip
_HUGE_BUILT = {
    "9**9**9": "c(9) ** c(9**9)",
    "((9**9)**9999)**9999": "(c(9**9) ** c(9999)) ** c(9999)",
    "10**1000000": "c(10) ** c(1000000)",
    "-(7**7**7)": "-(c(7) ** c(7**7))",
    "(-3)**99999": "c(-3) ** c(99999)",
    "2.0**2**20": "c(2.0) ** c(2**20)",
    "(2**4000)*(2**4000)": "c(2**4000) * c(2**4000)",
    "(1/3)**9999 + 1": "c(Fraction(1, 3)) ** c(9999) + 1",
    "2**100000 - 2**100000": "c(2) ** c(100000) - c(2) ** c(100000)",
}


def test_huge_powers_are_quick_symbolic_or_a_clear_parse_error_in_a_subprocess():
    code = textwrap.dedent(
        f"""
        import json, math, warnings
        from fractions import Fraction
        warnings.simplefilter("ignore")
        import numpy as np
        np.seterr(all="ignore")
        import symgraph as sg
        from symgraph.node import const as c
        parsed = {{}}
        for text in {_HUGE_TEXT!r}:
            try:
                e = sg.parse(text)
                parsed[text] = ["node", e.op, sg.evaluate(e, {{"x": 1.0}}), sg.count_nodes(e)]
            except sg.ParseError as err:
                parsed[text] = ["ParseError", err.reason, err.position, 0]
        built = {{}}
        for name, expr in {_HUGE_BUILT!r}.items():
            e = eval(expr)  # our own fixed expressions
            built[name] = [e.op, sg.evaluate(e), sg.count_nodes(e), str(e)[:3000]]
        x = sg.symbols("x")
        g = sg.grad(c(10) ** c(1000000) * x, [x])[0]
        built["grad"] = [g.op, sg.evaluate(g), sg.count_nodes(g), str(g)]
        print(json.dumps([parsed, built]))
        """
    )
    r = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    lines = r.stdout.strip().splitlines()
    parsed, built = json.loads(lines[0])  # the subprocess timeout guards against a hang
    for text, (kind, what, where, _) in parsed.items():
        assert kind == "ParseError", (text, kind, what)
        assert "too large" in what or "overflows" in what, (text, what)
        assert 0 <= where < len(text)
    for name in ["9**9**9", "((9**9)**9999)**9999", "10**1000000", "2.0**2**20",
                 "(2**4000)*(2**4000)", "grad"]:  # fmt: skip
        _op, value, size, text = built[name]
        assert value == math.inf, (name, value)
        assert size <= 7, (name, size)  # a few nodes, never a giant constant
        if name != "(2**4000)*(2**4000)":  # two exact 1205-digit factors
            assert len(text) < 60, text
    assert built["9**9**9"][0] == "pow" and built["9**9**9"][3] == "9**387420489"
    assert built["-(7**7**7)"][1] == -math.inf
    assert built["(-3)**99999"][1] == -math.inf
    assert built["(1/3)**9999 + 1"][1] == 1.0
    assert (
        built["2**100000 - 2**100000"][1] == 0.0
    )  # x - x is 0 when built, never inf - inf


def test_largest_exact_integers_fold_and_print_back():
    big = sg.parse("2**4000")
    assert big.op == "const" and big.value == 2**4000
    # the printed constant (1205 digits) parses back to the same node
    assert sg.parse(str(big)) is big
    third = sg.parse("(1/3)**2000")
    assert third.op == "const" and sg.parse(str(third)) is third
    assert sg.evaluate(big) == math.inf and sg.evaluate(third) == 0.0


def test_evaluate_of_huge_exact_constants_saturates():
    assert sg.evaluate(const(2**4000)) == math.inf
    assert sg.evaluate(const(-(2**4000))) == -math.inf
    assert sg.evaluate(const(Fraction(2**4000, 3))) == math.inf
    assert sg.evaluate(const(Fraction(-(2**4000), 3))) == -math.inf
    assert sg.evaluate(const(Fraction(1, 2**4000))) == 0.0


def test_is_const_helper():
    assert is_const(const(0), 0) and not is_const(x) and is_const(const(2))
    assert make("add", x, const(0)) is x
