"""The house rules, checked on every run: the floors of the package, no import cycles, small modules.

The import rules live in ``pyproject.toml`` (``[tool.importlinter]``) and are checked by
import-linter, the maintained tool made for them: a ``layers`` contract for the floors and an
``acyclic_siblings`` contract for cycles inside each subpackage. Imports inside functions count.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "drillcast"
MAX_LINES = 800


def _lint(config: Path) -> subprocess.CompletedProcess:
    # In a subprocess: import-linter builds its graph from the package it finds on sys.path.
    code = ("import sys; from importlinter.cli import lint_imports; "
            f"sys.exit(lint_imports(config_filename={str(config)!r}, no_cache=True))")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"})


def test_import_contracts_are_kept():
    res = _lint(ROOT / "pyproject.toml")
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-2000:]
    assert "2 kept, 0 broken" in res.stdout


def test_import_contracts_catch_a_cycle(tmp_path):
    """The cycle contract is not vacuous: a copy of the package with one added function-level import fails."""
    import shutil

    src = tmp_path / "src"
    shutil.copytree(PACKAGE, src / "drillcast", ignore=shutil.ignore_patterns("__pycache__"))
    with open(src / "drillcast" / "cli" / "common.py", "a", encoding="utf-8") as fh:
        fh.write("\n\ndef _cycle():\n    from drillcast.cli import commands  # noqa: F401\n")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    code = ("import sys; from importlinter.cli import lint_imports; "
            f"sys.exit(lint_imports(config_filename={str(tmp_path / 'pyproject.toml')!r}, no_cache=True))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                         env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"})
    assert res.returncode != 0
    assert "No cycles are allowed in drillcast.cli" in res.stdout


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_over_800_lines(path):
    n = len(path.read_text(encoding="utf-8").splitlines())
    assert n <= MAX_LINES, f"{path.relative_to(ROOT)}: {n} lines; split it by idea (at most {MAX_LINES})"


def test_terminal_safety_is_on_the_bottom_floor():
    """data/ shows user text safely without reaching up into present/ (the layers contract enforces the rest)."""
    text = (PACKAGE / "data" / "diff.py").read_text(encoding="utf-8")
    assert "drillcast.present" not in text and "drillcast._safe" in text
