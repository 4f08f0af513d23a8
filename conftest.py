"""The README and the codebook are tests: their examples run, and their shown output must match.

Collected with Sybil (a well-kept documentation-testing library that plugs into pytest and parses
Markdown fenced blocks): ```python blocks run as code; ```console blocks are shell sessions whose
``$ `` lines run in a shell, in a scratch folder holding copies of ``data/`` and ``examples/data/``, with the installed
``drillcast`` first on PATH. The lines after a command are its expected output: exact, except that
``...`` inside a line matches any text and a line that is only ``...`` matches any number of lines
(for what legitimately changes: timings, hashes, long listings). A block with no expected output
only has to succeed. ```sh blocks are shown, not run (installation).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def _commands(source: str):
    """(command, expected lines) pairs of a console block; backslash-continued lines are joined."""
    out, cmd, expected = [], None, []
    lines = source.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("$ "):
            if cmd is not None:
                out.append((cmd, expected))
            cmd, expected = line[2:], []
            while cmd.endswith("\\") and i + 1 < len(lines):
                i += 1
                cmd = cmd[:-1] + " " + lines[i].strip()
        elif cmd is not None:
            expected.append(line)
        i += 1
    if cmd is not None:
        out.append((cmd, expected))
    return out


def _line_matches(pattern: str, line: str) -> bool:
    parts = [re.escape(p) for p in pattern.split("...")]
    return re.fullmatch(".*".join(parts), line) is not None


def output_matches(expected: list[str], got: list[str]) -> bool:
    """Doctest-style ellipsis matching of whole lines ('...' alone skips any number of lines)."""
    expected = [e.rstrip() for e in expected]
    got = [g.rstrip() for g in got]
    while expected and not expected[-1]:
        expected.pop()
    while got and not got[-1]:
        got.pop()

    def match(i, j):
        if i == len(expected):
            return j == len(got)
        if expected[i] == "...":
            return any(match(i + 1, k) for k in range(j, len(got) + 1))
        return j < len(got) and _line_matches(expected[i], got[j]) and match(i + 1, j + 1)

    return match(0, 0)


def _scratch(namespace) -> Path:
    folder = namespace.get("_scratch")
    if folder is None:
        import tempfile

        folder = Path(tempfile.mkdtemp(prefix="drillcast-docs-"))
        shutil.copytree(ROOT / "data", folder / "data")
        shutil.copytree(ROOT / "examples" / "data", folder / "examples" / "data")
        namespace["_scratch"] = folder
    return folder


def evaluate_console(example):
    folder = _scratch(example.namespace)
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
               COLUMNS="120", TZ="UTC", PYTHONHASHSEED="0")
    for cmd, expected in _commands(example.parsed):
        r = subprocess.run(["bash", "-c", cmd], cwd=folder, env=env, capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            return f"$ {cmd}\nexited {r.returncode}\nstderr:\n{r.stderr}"
        if expected and not output_matches(expected, r.stdout.splitlines()):
            return (f"$ {cmd}\noutput differs from the document.\n--- expected\n" + "\n".join(expected)
                    + "\n--- got\n" + r.stdout)
    return None


def _cleanup(namespace):
    folder = namespace.get("_scratch")
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


import pytest  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def _temporary_files_under_pytest(tmp_path_factory):
    """Every temporary file of the run (examples, scratch folders, child processes through TMPDIR) goes in
    pytest's own temporary folder, which pytest rotates: a test run leaves nothing else behind."""
    import tempfile

    folder = tmp_path_factory.mktemp("tmp")
    mp = pytest.MonkeyPatch()
    mp.setenv("TMPDIR", str(folder))
    mp.setattr(tempfile, "tempdir", str(folder))
    yield folder
    mp.undo()


from sybil import Sybil  # noqa: E402 - the test extra installs it
from sybil.parsers.markdown import CodeBlockParser, PythonCodeBlockParser  # noqa: E402

pytest_collect_file = Sybil(
    parsers=[CodeBlockParser(language="console", evaluator=evaluate_console), PythonCodeBlockParser()],
    patterns=["README.md", "data/README.md"],
    teardown=_cleanup,
).pytest()
