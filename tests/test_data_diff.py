"""`drillcast data diff`: events added, removed and changed field by field."""

from __future__ import annotations

import csv
import io
import json

import pytest

from drillcast.cli import main
from drillcast.data.diff import diff_catalogues
from drillcast.errors import DataError

from .conftest import REC_SERIES, ROT_SERIES, write_catalogue

EVENTS = [
    {"id": "A-1", "series": "rot", "direction": "a", "start_date": "2001-09-15", "participants": "RUS"},
    {"id": "A-2", "series": "rot", "direction": "b", "start_date": "2002-09-15", "participants": "RUS"},
    {"id": "A-3", "series": "rot", "direction": "c", "start_date": "2003-09-15", "participants": "RUS"},
]


@pytest.fixture
def pair(tmp_path):
    old = write_catalogue(tmp_path / "old", EVENTS, [ROT_SERIES, REC_SERIES])
    new_events = [dict(EVENTS[2], start_date="2003-09-16", participants="RUS;CHN"),  # reordered and changed
                  EVENTS[0],
                  {"id": "A-4", "series": "rot", "direction": "d", "start_date": "2004-09-15"}]
    new = write_catalogue(tmp_path / "new", new_events, [dict(ROT_SERIES, name="Renamed"), REC_SERIES])
    return old, new


def test_added_removed_changed_by_hand(pair):
    old, new = pair
    d = diff_catalogues(old, new)
    assert [r["id"] for r in d.added] == ["A-4"]
    assert [r["id"] for r in d.removed] == ["A-2"]
    assert list(d.changed) == [
        {"id": "A-3", "field": "start_date", "old": "2003-09-15", "new": "2003-09-16"},
        {"id": "A-3", "field": "participants", "old": "RUS", "new": "RUS;CHN"},
    ]
    assert d.series_compared
    assert list(d.series_changed) == [{"id": "rot", "field": "name", "old": "Rotating test series", "new": "Renamed"}]
    assert d.counts() == {"added": 1, "removed": 1, "changed_events": 1, "changed_fields": 2,
                          "series_added": 0, "series_removed": 0, "series_changed": 1}
    assert not d.identical
    frame = d.to_frame()
    assert list(frame["change"]) == ["added", "removed", "changed", "changed", "changed"]
    assert json.loads(json.dumps(d.to_dict()))["counts"]["added"] == 1


def test_same_catalogue_in_another_row_order_is_identical(tmp_path):
    a = write_catalogue(tmp_path / "a", EVENTS, [ROT_SERIES])
    b = write_catalogue(tmp_path / "b", EVENTS[::-1], [ROT_SERIES])
    d = diff_catalogues(a, b)
    assert d.identical and d.rows() == []


def test_swapping_old_and_new_swaps_added_and_removed(pair):
    old, new = pair
    a, b = diff_catalogues(old, new), diff_catalogues(new, old)
    assert a.added == b.removed and a.removed == b.added
    assert [(c["id"], c["field"], c["old"], c["new"]) for c in a.changed] == \
        [(c["id"], c["field"], c["new"], c["old"]) for c in b.changed]


def test_series_not_compared_without_both_series_files(tmp_path):
    a = write_catalogue(tmp_path / "a", EVENTS, [ROT_SERIES])
    b = write_catalogue(tmp_path / "b", EVENTS)
    d = diff_catalogues(a, b)
    assert d.identical and not d.series_compared
    assert "series.csv not compared" in d.text()


def test_refusals(tmp_path):
    a = write_catalogue(tmp_path / "a", EVENTS)
    dup = write_catalogue(tmp_path / "dup", EVENTS + [EVENTS[0]])
    with pytest.raises(DataError, match="id 'A-1' appears twice"):
        diff_catalogues(a, dup)
    with pytest.raises(DataError, match="no such file"):
        diff_catalogues(a, tmp_path / "missing.csv")
    noid = tmp_path / "noid.csv"
    noid.write_text("name,series\nx,rot\n", encoding="utf-8")
    with pytest.raises(DataError, match="no 'id' column"):
        diff_catalogues(a, noid)


def test_cli_formats(pair, capsys, tmp_path):
    old, new = pair
    assert main(["data", "diff", str(old), str(new)]) == 0
    out = capsys.readouterr().out
    assert "1 event added, 1 removed, 1 changed (2 fields)" in out
    assert "+ A-4" in out and "- A-2" in out and "~ A-3: start_date: '2003-09-15' -> '2003-09-16'" in out
    assert main(["data", "diff", str(old), str(new), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["counts"]["changed_fields"] == 2
    assert main(["data", "diff", str(old), str(new), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["table"], r["change"], r["id"], r["field"]) for r in rows] == [
        ("exercises", "added", "A-4", ""), ("exercises", "removed", "A-2", ""),
        ("exercises", "changed", "A-3", "start_date"), ("exercises", "changed", "A-3", "participants"),
        ("series", "changed", "rot", "name")]
    # -o writes atomically and never over an input
    assert main(["data", "diff", str(old), str(new), "-o", str(old)]) == 2
    assert "never overwrites its inputs" in capsys.readouterr().err
    assert main(["data", "diff", str(old), str(tmp_path / "nope.csv")]) == 2
    assert "no such file" in capsys.readouterr().err
