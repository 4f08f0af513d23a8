"""Every script in examples/ runs and prints something (so the examples never rot)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import REPO

EXAMPLES = sorted((REPO / "examples").glob("*.py"))


def test_there_are_examples():
    assert len(EXAMPLES) >= 2


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs(script, tmp_path):
    r = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip()


def test_temporary_files_of_the_run_stay_in_pytests_folder(tmp_path_factory):
    """An example that writes to a temporary folder of its own leaves it in pytest's rotated folder."""
    import tempfile
    from pathlib import Path

    base = tmp_path_factory.getbasetemp().resolve()
    assert base in Path(tempfile.gettempdir()).resolve().parents
    probe = subprocess.run([sys.executable, "-c", "import tempfile; print(tempfile.gettempdir())"],
                           capture_output=True, text=True, check=True)
    assert base in Path(probe.stdout.strip()).resolve().parents
