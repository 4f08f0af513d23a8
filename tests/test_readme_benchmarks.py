"""The README's performance figures are those of benchmarks/results/latest.json, and say when and where."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run_module():
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_readme_table_is_latest_json():
    run = _run_module()
    doc = json.loads((ROOT / "benchmarks" / "results" / "latest.json").read_text())
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index(run.START):readme.index(run.END) + len(run.END)]
    assert block == run.readme_block(doc)
    assert doc["machine"]["date"] in block and doc["machine"]["platform"] in block
    assert len(doc["results"]) >= 10


def test_update_readme_rewrites_only_the_block(tmp_path):
    run = _run_module()
    doc = {"machine": {"date": "2030-01-01", "platform": "P", "cpus": 2, "python": "3.11", "numpy": "2",
                       "drillcast": "0"}, "runs": 3, "quick": True,
           "results": [{"benchmark": "b", "value": 1.5, "unit": "x", "target": "<= 2", "met": True, "note": ""}]}
    path = tmp_path / "R.md"
    path.write_text(f"before\n{run.START}\nold\n{run.END}\nafter\n", encoding="utf-8")
    run.update_readme(doc, path)
    assert path.read_text() == f"before\n{run.readme_block(doc)}\nafter\n"
    assert "| b | 1.5 x | <= 2 | yes |" in run.readme_block(doc)
