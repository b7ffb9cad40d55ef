"""Limits give a clear error: never a hang, a crash, RecursionError or MemoryError.

Each case runs in a fresh interpreter with a timeout, so a crash of the
interpreter (a segfault, a C stack overflow) or a hang fails the test instead
of taking the suite down. The child prints one line, ``OK <class>: <message>``
or ``DONE <value>``; anything else (a traceback, a RecursionError, a
MemoryError) is a failure. The same cases go through the ``symgraph``
command: exit status 2 and a one-line message, no traceback.
"""

import subprocess
import sys
import textwrap

import pytest

TIMEOUT = 60  # generous for a loaded CI machine; each case takes about a second

# The child's harness: run ``case()``; a ToolkitError is the expected outcome.
_HARNESS = """
import sys
import symgraph as sg
import numeric.errors
import symgraph.errors
{body}
try:
    result = case()
except (symgraph.errors.ToolkitError, numeric.errors.ToolkitError) as exc:
    reason = str(exc).splitlines()[0]
    print(f"OK {{type(exc).__name__}}: {{reason}}")
except (RecursionError, MemoryError) as exc:
    print(f"BAD {{type(exc).__name__}}")
else:
    print(f"DONE {{result!r}}"[:300])
"""


def _run_child(body: str) -> str:
    code = _HARNESS.format(body=textwrap.dedent(body))
    proc = subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1, proc.stdout[-2000:] + proc.stderr[-2000:]
    return lines[0]


# (id, Python expression building the text in the child, words the error names)
PARSE_LIMIT_CASES = [
    ("length", '"x+" * 50_001 + "x"', "longer than"),
    ("digits", '"1" * (P.MAX_DIGITS + 1)', "number literal longer than"),
    ("digits_in_sum", '"x + " + "9" * 5000', "number literal longer than"),
    ("nested_calls", '"sin(" * 300 + "x" + ")" * 300', "nesting deeper"),
    ("nested_max", '"max(x, " * 300 + "x" + ")" * 300', "nesting deeper"),
    ("nested_parens", '"(" * 20_000 + "x" + ")" * 20_000', "nesting deeper"),
    ("unary_chain", '"-" * 20_000 + "x"', "nesting deeper"),
    ("power_tower", '"x" + "**x" * 20_000', "nesting deeper"),
    ("unclosed", '"sin(" * 20_000', "nesting deeper"),
    ("pow_9_9_9", '"9**9**9"', "too large"),
    ("pow_nested_9999", '"((9**9)**9999)**9999"', "too large"),
    ("pow_10_1000000", '"10**1000000"', "too large"),
    ("pow_caret_tower", '"9^9^9^9"', "too large"),
    ("pow_negative_exponent", '"x * 9**(-9**9)"', "too large"),
    ("pow_fraction_base", '"(1/3)**(9**9)"', "too large"),
    ("pow_exponent_of_symbol", '"x**(10**1000000)"', "too large"),
    ("pow_float_overflow", '"9.0**9**9"', "overflows"),
    ("pow_tower_2", '"2**2**2**2**2"', "too large"),
]


@pytest.mark.parametrize(
    "build, words",
    [c[1:] for c in PARSE_LIMIT_CASES],
    ids=[c[0] for c in PARSE_LIMIT_CASES],
)
def test_parse_limit_case_clear_error_in_subprocess(build, words):
    line = _run_child(
        f"P = sys.modules['symgraph.parse']\ndef case():\n    return sg.parse({build})"
    )
    assert line.startswith("OK ParseError: "), line
    assert words in line, line


def test_parse_nesting_from_a_deep_stack_no_recursion_error():
    # Called with most of the stack already used, the parser lowers its depth
    # limit instead of overflowing the stack.
    line = _run_child(
        """
        def case():
            def dive(n):
                if n == 0:
                    return sg.parse("sin(" * 60 + "x" + ")" * 60)
                return dive(n - 1)
            return dive(sys.getrecursionlimit() - 200)
        """
    )
    assert line.startswith("OK ParseError: nesting deeper"), line


def test_parse_limits_just_inside_are_accepted_and_differentiate():
    line = _run_child(
        """
        def case():
            P = sys.modules["symgraph.parse"]
            x = sg.symbols("x")
            f = sg.parse("sin(" * P.MAX_DEPTH + "x" + ")" * P.MAX_DEPTH)
            big = sg.parse("+".join(["x"] * 30_000))
            g = sg.grad(f * big, [x])[0]
            literal = sg.parse("9" * 1000)
            power = sg.parse("2**4000")
            value = sg.evaluate(g, {x: 0.5})
            return (round(float(value), 6), literal.op, power.op)
        """
    )
    assert line.startswith("DONE ("), line
    assert "'const', 'const'" in line, line


def test_grad_dag_size_limit_clear_error():
    # The guard on the gradient's size, with the limit lowered so the case is
    # quick: a clear LimitError, not a MemoryError.
    line = _run_child(
        """
        def case():
            grad_module = sys.modules["symgraph.grad"]
            grad_module.MAX_GRAD_NODES = 100
            xs = sg.symbols(" ".join(f"x{i}" for i in range(50)))
            f = sg.parse("1")
            for i, x in enumerate(xs):
                f = f * sg.sin(x + f)
            return sg.grad(f, list(xs))
        """
    )
    assert line.startswith("OK LimitError: gradient DAG exceeds 100 nodes"), line


def test_grad_of_deep_api_built_chain_no_recursion_error():
    # Nesting through the Python API is not bounded by the parser: the sweep,
    # evaluation and printing must be iterative.
    line = _run_child(
        """
        def case():
            x = sg.symbols("x")
            f = x
            for _ in range(5000):
                f = sg.sin(f) + x
            g = sg.grad(f, [x])[0]
            text = str(g)
            return round(float(sg.evaluate(g, {x: 0.25})), 9), len(text) > 0
        """
    )
    assert line.startswith("DONE ("), line


CLI_CASES = [
    ("grad_pow_9_9_9", ["grad", "9**9**9 * x"]),
    ("grad_nested", ["grad", "sin(" * 300 + "x" + ")" * 300]),
    ("grad_digits", ["grad", "x + " + "7" * 5000]),
    ("check_pow_nested", ["check", "((9**9)**9999)**9999 * x"]),
    ("verify_claim_pow", ["verify", "x", "--claim", "10**1000000"]),
    ("codegen_pow", ["codegen", "x**(10**1000000)"]),
]


@pytest.mark.parametrize(
    "argv", [c[1] for c in CLI_CASES], ids=[c[0] for c in CLI_CASES]
)
def test_cli_limit_exit_2_one_line(argv):
    proc = subprocess.run(
        [sys.executable, "-m", "symgraph.cli", *argv],
        check=False,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert proc.returncode == 2, (
        proc.returncode,
        proc.stdout[-500:],
        proc.stderr[-2000:],
    )
    assert proc.stderr.startswith("symgraph: error: "), proc.stderr[-2000:]
    assert proc.stderr.count("\n") == 1, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
