"""The safe parser against hostile text: every string refused, no code run.

Each string of the corpus (``hostile_strings.py``) goes to the toolkit's entry
points that read text (``sg.parse``, ``sg.verify`` with a string claim, the
``symgraph`` command) and must raise ``sg.ParseError`` (a ``ToolkitError``
and a ``ValueError``). Strings that would run code if evaluated try to create
a canary file in a fresh temporary directory; it must never appear. Hypothesis
then feeds arbitrary text and token soup: only the toolkit's errors may escape,
each example within a deadline.
"""

import contextlib
import io
import os

import hostile_strings
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symgraph as sg
from symgraph import cli
from symgraph.errors import ToolkitError

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "0")) or None

CORPUS = hostile_strings.corpus()


@pytest.fixture(scope="module")
def canary_dir(tmp_path_factory):
    """An empty directory; the canary payloads target a file inside it."""
    return tmp_path_factory.mktemp("canary")


def _payload(text, canary_dir):
    return hostile_strings.with_canary(text, str(canary_dir / "CANARY"))


def _assert_no_canary(canary_dir, text):
    made = os.listdir(canary_dir)
    assert not made, f"{text!r} created {made}"


def test_corpus_size_and_shape():
    assert len(CORPUS) >= 200
    assert len(set(CORPUS)) == len(CORPUS)
    assert len(hostile_strings.code_running()) >= 200
    for wrapper in hostile_strings.REPARSE_WRAPPERS:
        assert "{p}" in wrapper


def test_canary_detector_sees_a_created_file(tmp_path):
    # The check below can fail: a file at the canary path is noticed.
    path = hostile_strings.with_canary("CANARY", str(tmp_path / "CANARY"))
    open(path, "w").close()
    with pytest.raises(AssertionError, match="created"):
        _assert_no_canary(tmp_path, "probe")


@pytest.mark.parametrize("index", range(len(CORPUS)))
def test_parse_hostile_string_refused(index, canary_dir):
    text = _payload(CORPUS[index], canary_dir)
    with pytest.raises(sg.ParseError) as info:
        sg.parse(text)
    err = info.value
    assert isinstance(err, ToolkitError) and isinstance(err, ValueError)
    assert err.reason
    assert err.position is None or 0 <= err.position <= len(text)
    _assert_no_canary(canary_dir, text)


def test_parse_hostile_strings_refused_with_symbol_whitelist(canary_dir):
    x, y, z = sg.symbols("x y z")
    for raw in CORPUS:
        text = _payload(raw, canary_dir)
        with pytest.raises(sg.ParseError):
            sg.parse(text, symbols=[x, y, z])
        _assert_no_canary(canary_dir, text)


def test_verify_hostile_claim_refused(canary_dir):
    x = sg.symbols("x")
    for raw in CORPUS:
        text = _payload(raw, canary_dir)
        with pytest.raises(sg.ParseError):
            sg.verify(x * x, x, claim=text)
        with pytest.raises(sg.ParseError):
            sg.verify(text, x, claim="2*x")
        _assert_no_canary(canary_dir, text)


def test_cli_hostile_expression_exit_2_one_line(canary_dir):
    for raw in CORPUS:
        text = _payload(raw, canary_dir)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = cli.main(["grad", "--", text])
        assert status == 2, (text, out.getvalue(), err.getvalue())
        message = err.getvalue()
        assert message.startswith("symgraph: "), (text, message)
        assert message.count("\n") == 1 and "Traceback" not in message, (text, message)
        _assert_no_canary(canary_dir, text)


# ----- Hypothesis: arbitrary text and token soup ------------------------------
_TOKENS = st.sampled_from(
    ["x", "y", "z", "1", "2.5", "1e3", "9", "0", " ", "+", "-", "*", "/", "**",
     "^", "(", ")", ",", "sin", "max", "min", "relu", "log", "sqrt", "exp",
     "leaky_relu", "where", "pi", "E", "inf", "nan", ".", "_", "__", "'", '"',
     "[", "]", "{", "}", "=", ":", ";", "lambda", "import", "__class__",
     "__import__", "@", "%", "\n", "\\", "#", "é", "\x00", "\uff45"]
)  # fmt: skip


@settings(
    max_examples=FUZZ_EXAMPLES or 300,
    deadline=1000,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.text(max_size=200))
def test_parse_arbitrary_text_raises_only_toolkit_errors(text):
    with contextlib.suppress(ToolkitError):
        sg.parse(text)


@settings(
    max_examples=FUZZ_EXAMPLES or 300,
    deadline=2000,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(_TOKENS, max_size=60).map("".join))
def test_token_soup_parse_grad_evaluate_raise_only_toolkit_errors(text):
    # Whatever parses must also differentiate and evaluate without an
    # exception outside the hierarchy (floating-point warnings are values).
    try:
        node = sg.parse(text)
    except ToolkitError:
        return
    names = sorted({v for v in ("x", "y", "z") if v in text}, key=("x", "y", "z").index)
    syms = [sg.symbols(v) for v in names]
    try:
        gradient = sg.grad(node, syms) if syms else []
        import numpy as np

        with np.errstate(all="ignore"):
            sg.evaluate([node, *gradient], dict.fromkeys(syms, 0.5))
    except ToolkitError:
        pass
