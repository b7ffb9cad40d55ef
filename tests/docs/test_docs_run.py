"""Every ```python block in docs/ and every script in examples/ runs here.

A page's blocks run in order in one namespace, so a page reads like a
notebook. A ```text block right after a ```python block is that block's
output: what the block prints must match it line by line (trailing spaces
aside), so the shown output cannot drift either. Other fences (```sh, a
```text block after another ```text) are not run.
"""

import contextlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = sorted((ROOT / "docs").glob("*.md"))
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))

# a python block, then (after blank lines only) maybe the text block of its output
_BLOCK = re.compile(
    r"^```python\n(.*?)^```\n(?:[ \t]*\n)*(?:^```text\n(.*?)^```)?", re.S | re.M
)


def python_blocks(page: Path) -> list[tuple[str, str | None]]:
    """(code, shown output or None) of each python block of ``page``."""
    text = page.read_text(encoding="utf-8")
    return [(m.group(1), m.group(2)) for m in _BLOCK.finditer(text)]


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.rstrip().splitlines()]


@pytest.mark.parametrize("page", DOCS, ids=[p.name for p in DOCS])
def test_docs_page_blocks_run(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "__docs__"}
    for i, (block, shown) in enumerate(python_blocks(page)):
        code = compile(block, f"{page.name}[block {i}]", "exec")
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(code, namespace)  # our own documentation, never user input
        if shown is not None:
            assert _lines(printed.getvalue()) == _lines(shown), (
                f"{page.name} block {i}: the output shown after it is not what it prints"
            )


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_script_runs(script, tmp_path):
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONHASHSEED="0")
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert result.stdout.strip(), f"{script.name} printed nothing"


def test_docs_and_examples_exist():
    assert DOCS, "docs/ has no pages"
    assert any(python_blocks(p) for p in DOCS), "no page in docs/ has a python block"
