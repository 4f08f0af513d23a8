"""The corpus of bad inputs (tests/corpus/cases.json): each gets its message, its exit code,
no traceback, and nothing written. Huge inputs are generated here rather than stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drillcast.cli import main

CORPUS = Path(__file__).parent / "corpus"
CASES = json.loads((CORPUS / "cases.json").read_text())["cases"]


def _snapshot(folder: Path):
    return sorted((p.relative_to(folder), p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*"))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_input_case(case, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    argv = [a.replace("{corpus}", str(CORPUS)).replace("{tmp}", str(tmp_path)) for a in case["argv"]]
    before_corpus, before_tmp = _snapshot(CORPUS), _snapshot(tmp_path)
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == case["exit"], (out, err)
    for needle in case.get("stderr", []):
        assert needle in err, err
    for needle in case.get("stdout", []):
        assert needle in out, out
    assert "Traceback" not in out + err
    assert _snapshot(CORPUS) == before_corpus  # inputs are only read
    if case["exit"] == 2:
        assert _snapshot(tmp_path) == before_tmp  # nothing written


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
