"""The symgraph command through main(argv), and once through the console script."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import symgraph as sg
from symgraph.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_grad_values_cs231n(capsys):
    code, out, _ = run(capsys, "grad", "(x + y) * z", "--at", "x=-2,y=5,z=-4")
    assert code == 0
    assert out.splitlines() == [
        "d/dx = z  =  -4",
        "d/dy = z  =  -4",
        "d/dz = x + y  =  3",
    ]


def test_cli_steps_json_matches_table(capsys):
    code, out, _ = run(
        capsys, "steps", "(x+y)*z", "--at", "x=-2,y=5,z=-4", "--format", "json"
    )
    assert code == 0
    data = json.loads(out)
    assert data["gradients"] == {"x": -4.0, "y": -4.0, "z": 3.0}
    assert [r["gate"] for r in data["rows"] if r["op"] != "symbol"] == [
        "distributor",
        "swap/switcher",
    ]


@pytest.mark.parametrize("fmt,marker", [("text", "upstream"), ("markdown", "|---"),
                                        ("latex", "\\begin{tabular}")])  # fmt: skip
def test_cli_steps_formats(capsys, fmt, marker):
    code, out, _ = run(capsys, "steps", "sin(x**2)", "--at", "x=1/2", "--format", fmt)
    assert code == 0 and marker in out


def test_cli_verify_exit_codes(capsys):
    assert (
        run(capsys, "verify", "sin(x**2)", "--wrt", "x", "--claim", "2*x*cos(x**2)")[0]
        == 0
    )
    code, out, err = run(
        capsys, "verify", "sin(x**2)", "--wrt", "x", "--claim", "cos(x**2)"
    )
    assert code == 1 and out.startswith("wrong: at x = ") and err.strip()


def test_cli_check_ok(capsys):
    code, out, _ = run(capsys, "check", "sigmoid(w*x + b)", "--at", "w=2,x=-1,b=0.5")
    assert code == 0 and "ok" in out


def test_cli_dot_text_and_file(capsys, tmp_path):
    code, out, _ = run(capsys, "dot", "(x+y)*z", "--at", "x=-2,y=5,z=-4")
    assert code == 0 and out == str(
        sg.to_dot(sg.parse("(x+y)*z"), {"x": -2, "y": 5, "z": -4})
    )
    target = tmp_path / "g.dot"
    assert run(capsys, "dot", "x*y", "-o", str(target))[0] == 0
    assert target.read_text().startswith("digraph")


def test_cli_dot_render_without_graphviz(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    code, _, err = run(capsys, "dot", "x*y", "-o", str(tmp_path / "g.svg"))
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "Graphviz" in err


def test_cli_codegen_wired(capsys):
    code, out, _ = run(capsys, "codegen", "x*y + sin(x)", "--wrt", "x,y", "--name", "g")
    assert code == 0 and "def g_grad" in out and "def g_hess" not in out
    code, out, _ = run(capsys, "codegen", "x*y", "--hessian", "--target", "c")
    assert code == 0 and "double f_hess(" in out


def test_cli_exercise_same_seed_same_text(capsys):
    first = run(capsys, "exercise", "chain", "--seed", "7")
    second = run(capsys, "exercise", "chain", "--seed", "7")
    assert first == second and first[0] == 0 and "Solution" in first[1]
    q_only = run(capsys, "exercise", "chain", "--seed", "7", "--no-solution")[1]
    assert q_only.strip() == sg.exercise("chain", seed=7).question


@pytest.mark.parametrize(
    "argv",
    [
        ["grad", "(x + y) *"],
        ["grad", "__import__('os').system('true')"],
        ["grad", "x*y", "--wrt", "1x"],
        ["steps", "x*y", "--at", "x=1"],
        ["steps", "x*y", "--at", "x=1,y=z"],
        ["steps", "x*y", "--at", "x=1,y=2,w=3"],
        ["steps", "x*y", "--at", "x"],
        ["verify", "x*y", "--claim", "y"],
        ["verify", "x*y", "y"],
        ["verify", "x*y", "y", "--claim", "x"],
        ["verify", "x**2"],
        ["dot", "x*y", "-o", "g.bmp"],
        ["exercise", "nonsense"],
        ["nonsense"],
        [],
        ["grad"],
    ],
)
def test_cli_bad_input_exit_2_one_line(capsys, argv):
    code, _, err = run(capsys, *argv)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("symgraph: error:")
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "sub", ["grad", "hessian", "steps", "verify", "check", "dot", "codegen", "exercise"]
)
def test_cli_help_each_subcommand(capsys, sub):
    code, out, _ = run(capsys, sub, "--help")
    assert code == 0 and out.startswith(f"usage: symgraph {sub}")


def _console_script():
    exe = Path(sys.executable).with_name("symgraph")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "symgraph.cli"]


def test_cli_console_script_exit_codes():
    cmd = _console_script()
    ok = subprocess.run(cmd + ["grad", "x*y", "--wrt", "x"], capture_output=True, text=True,
                        timeout=120, check=False)  # fmt: skip
    assert ok.returncode == 0 and ok.stdout.strip() == "d/dx = y"
    bad = subprocess.run(cmd + ["grad", "x*"], capture_output=True, text=True, timeout=120,
                         check=False)  # fmt: skip
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr.startswith("symgraph: error:")
    wrong = subprocess.run(
        cmd + ["verify", "x**2", "--claim", "x"], capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert wrong.returncode == 1 and "Traceback" not in wrong.stderr


# ----- a command line that feels finished ----------------------------------------------
def test_cli_expressions_and_claims_may_start_with_a_minus(capsys):
    code, out, _ = run(capsys, "grad", "-cos(x)")
    assert (
        code == 0
        and out.strip() == f"d/dx = {sg.grad(-sg.cos(sg.symbols('x')), 'x')[0]}"
    )
    code, out, _ = run(capsys, "verify", "cos(x)", "--claim", "-sin(x)")
    assert code == 0 and out.startswith("proved")
    code, out, _ = run(capsys, "grad", "- x * y", "--wrt", "y")
    assert code == 0


def test_cli_runtime_warnings_never_leak(capsys, recwarn):
    code, out, err = run(capsys, "grad", "1/x", "--at", "x=0")
    assert code == 0 and "=  -inf" in out
    assert len(err.strip().splitlines()) == 1 and "not every value is finite" in err
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_cli_check_outside_the_domain_is_one_line(capsys):
    code, _, err = run(capsys, "check", "log(x)", "--at", "x=-1")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "outside the domain" in err


def test_cli_unused_variable_in_check_has_gradient_zero(capsys):
    code, out, _ = run(capsys, "check", "x*x", "--wrt", "x,y", "--at", "x=2")
    assert code == 0 and "ok" in out


def test_cli_version_and_one_error_prefix(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.strip() == f"symgraph {sg.__version__}"
    code, _, err = run(capsys, "grad")
    assert err.startswith("symgraph: error: grad: ") and err.count("symgraph") == 1


def test_cli_target_lists_its_choices(capsys):
    code, _, err = run(capsys, "codegen", "x", "--target", "fortran")
    assert code == 2 and "'python'" in err and "'c'" in err


def test_cli_hessian(capsys):
    code, out, _ = run(capsys, "hessian", "x**2 * y", "--wrt", "x,y", "--at", "x=1,y=3")
    assert code == 0
    lines = out.splitlines()
    assert [line.split("=")[0].strip() for line in lines] == [
        "d2/dxdx", "d2/dxdy", "d2/dydx", "d2/dydy"
    ]  # fmt: skip
    assert [float(line.rsplit("=", 1)[1]) for line in lines] == [6.0, 2.0, 2.0, 0.0]


def test_cli_verify_states_the_verdict_first(capsys):
    code, out, _ = run(
        capsys, "verify", "relu(x)**2", "--claim", "2*relu(x)", "--timeout", "0"
    )
    assert code == 0 and out.startswith("no counterexample: ")
    code, out, _ = run(capsys, "verify", "x**3", "--claim", "3*x**2 + relu(x - 3)")
    assert code == 1 and out.startswith("wrong: at x = 6")
    assert "e+" not in out.splitlines()[1]  # plain numbers


def test_cli_prints_parse_hints_as_one_note_line(capsys, recwarn):
    code, out, err = run(capsys, "grad", "e^x", "--wrt", "x")
    assert code == 0 and out.startswith("d/dx = ")
    assert err.count("\n") == 1 and err.startswith(
        "symgraph: note: 'e' is a symbol here"
    )
    assert not [w for w in recwarn if "symbol here" in str(w.message)]


def test_cli_point_names_are_read_as_the_parser_reads_them(capsys):
    code, out, _ = run(capsys, "grad", "µ*x**2", "--wrt", "x", "--at", "µ=2,x=1")
    assert code == 0 and out.strip().endswith("=  4")


def test_cli_prints_simplified_derivatives_and_raw_on_request(capsys):
    expected = {
        "4*x**3": "12 * x**2",
        "x**2/2": "x",
        "x*log(x) - x": "log(x)",
        "-cos(x)": "sin(x)",
        "1/x**2": "-2 / x**3",
        "exp(x) + E**x + pi*x": "2 * exp(x) + pi",
        "sin(x)/x": "cos(x) / x - sin(x) / x**2",
    }
    for text, shown in expected.items():
        code, out, _ = run(capsys, "grad", text, "--wrt", "x")
        assert code == 0 and out.strip() == f"d/dx = {shown}", text
    loss = "-y*log(sigmoid(w*x + b)) - (1 - y)*log(1 - sigmoid(w*x + b))"
    code, out, _ = run(capsys, "grad", loss, "--wrt", "w,b")
    assert out.splitlines() == [
        "d/dw = x * (sigmoid(w * x + b) - y)",
        "d/db = sigmoid(w * x + b) - y",
    ]
    code, out, _ = run(capsys, "grad", loss, "--wrt", "w", "--raw")
    assert (
        code == 0
        and "sigmoid" in out
        and out.strip() != "d/dw = x * (sigmoid(w * x + b) - y)"
    )


def test_cli_verify_takes_the_claims_after_the_expression(capsys):
    # as a user types it: the claim follows the expression, one per variable
    code, out, _ = run(capsys, "verify", "x*y", "y", "x")
    assert (code, out.split(":")[0]) == (0, "proved")
    code, out, _ = run(capsys, "verify", "-cos(x)", "-sin(x)")  # leading minus
    assert code == 1 and out.startswith("wrong: at x = ")
    # the same claims as options give the same verdicts
    assert run(capsys, "verify", "x*y", "--claim", "y", "--claim", "x")[0] == 0


def test_cli_verify_claims_may_follow_the_options(capsys):
    code, out, _ = run(capsys, "verify", "x*y", "--wrt", "y,x", "x", "y")
    assert (code, out.split(":")[0]) == (0, "proved")
    code, _, err = run(capsys, "grad", "x", "stray")  # elsewhere still refused
    assert code == 2 and "unrecognized arguments: stray" in err


def test_cli_verify_shows_the_derivative_as_a_textbook_writes_it(capsys):
    code, out, _ = run(capsys, "verify", "maximum(x, 2.5)", "0")
    assert code == 1
    assert out.splitlines()[-1] == "  d/dx = heaviside(x - 2.5, 1/2)"
