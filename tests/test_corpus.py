"""The corpus of bad inputs (tests/corpus/cases.json): each gets its message, its exit code,
no traceback, and nothing written. The cases run in a child process under a memory limit
(tests/corpus_child.py); huge inputs are generated (a case's ``setup``) rather than stored."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from drillcast.cli import main

CORPUS = Path(__file__).parent / "corpus"
CASES = json.loads((CORPUS / "cases.json").read_text())["cases"]


MEMORY_LIMIT = 2 * 2**30  # bytes of address space for the child that runs the corpus


def _limit_memory():  # runs in the child, before it starts
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@pytest.fixture(scope="module")
def corpus_results(tmp_path_factory):
    """Run every case in one child process under a 2 GiB address-space limit (``ulimit -v``):
    a case that exhausts memory fails with exit 1 instead of passing slowly."""
    work = tmp_path_factory.mktemp("corpus")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONPATH=os.pathsep.join([str(Path(__file__).parents[1] / "src"), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, str(Path(__file__).parent / "corpus_child.py"), str(CORPUS / "cases.json"),
                           str(work)], capture_output=True, text=True, env=env, preexec_fn=_limit_memory, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {r["name"]: r for r in json.loads(proc.stdout)}


def test_corpus_child_runs_under_the_memory_limit():
    import resource

    code = ("import resource, sys; print(resource.getrlimit(resource.RLIMIT_AS)[0]); "
            "bytearray(3 * 2**30)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, preexec_fn=_limit_memory)
    assert proc.stdout.strip() == str(MEMORY_LIMIT) and "MemoryError" in proc.stderr
    assert resource.getrlimit(resource.RLIMIT_AS)[0] != MEMORY_LIMIT  # the test process itself is not limited


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_input_case(case, corpus_results):
    r = corpus_results[case["name"]]
    out, err = r["stdout"], r["stderr"]
    assert r["exit"] == case["exit"], (out, err)
    for needle in case.get("stderr", []):
        assert needle in err, err
    for needle in case.get("stdout", []):
        assert needle in out, out
    for needle in case.get("absent", []):
        assert needle not in out + err, out + err
    if "max_lines" in case:
        assert len((out + err).splitlines()) <= case["max_lines"]
    assert "Traceback" not in out + err and "internal error" not in out + err
    assert r["corpus_unchanged"]  # inputs are only read
    if case["exit"] == 2:
        assert r["tmp_unchanged"]  # nothing written


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_corpus_messages_read_plainly(case, corpus_results):
    """Our words in every message (values quoted back from the user's file are theirs) pass the style check."""
    import re

    from tests.test_style import check_prose

    r = corpus_results[case["name"]]
    text = r["stderr"] if case["exit"] else r["stdout"] + r["stderr"]
    ours = re.sub(r"found '.*?';|'[^']*'|\"[^\"]*\"", "", text)
    assert check_prose(ours) == []


def test_huge_file_million_rows_is_refused_in_bounded_memory(tmp_path, capsys):
    import resource

    path = tmp_path / "huge.csv"
    row = "E{i},x,s,2021-09-01,held,https://example.org/a,high\n"
    with path.open("w") as fh:
        fh.write("id,name,series,start_date,status,sources,confidence\n")
        fh.writelines(row.format(i=i) for i in range(1_000_000))
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    code = main(["data", "validate", str(path)])  # its running time is in benchmarks/run.py
    out, err = capsys.readouterr()
    assert code == 2 and "more than 250,000 rows" in out and "split it" in out
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0 < 1_500_000  # KiB: well under 2 GiB


def test_single_enormous_field(tmp_path, capsys):
    path = tmp_path / "field.csv"
    path.write_text("id,name,series,start_date,status,sources,confidence\nE1," + "x" * 5_000_000 + ",s,2021,held,https://a.org,high\n")
    assert main(["data", "validate", str(path)]) == 2
    out, _ = capsys.readouterr()
    assert "field.csv:2" in out and "longer than 100,000 characters" in out


def test_interrupt_during_write_leaves_no_partial_file(tmp_path, monkeypatch, capsys):
    import os

    target = tmp_path / "out.json"
    target.write_text("previous")

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    code = main(["data", "series", "--format", "json", "-o", str(target)])
    assert code == 130 and "interrupted" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"] and target.read_text() == "previous"
