"""The catalogue: bundled data, every validation rule, and as-of snapshots."""

from __future__ import annotations

import datetime as dt
import importlib.resources
import json

import pytest

from drillcast.data.catalogue import (EXERCISE_COLUMNS, SERIES_COLUMNS, bundled_path, load_catalogue,
                                 validate_file)
from drillcast.data.dates import parse_partial_date
from drillcast.errors import DataError, DataWarning

from .conftest import REC_SERIES, REPO, ROT_SERIES, write_catalogue

D = dt.date


# --------------------------------------------------------------------------- bundled data


def test_every_bundled_row_validates_without_errors():
    problems = validate_file(REPO / "data" / "exercises.csv")
    assert [str(p) for p in problems if p.severity == "error"] == []


def test_bundled_rows_are_sourced_and_rated(bundled):
    for r in bundled.records:
        assert r["sources"], r["id"]
        assert all(u.startswith(("http://", "https://")) for u in r["sources"]), r["id"]
        assert r["confidence"] in ("high", "medium", "low"), r["id"]


def test_required_series_exist_and_russia_has_one_primary_per_year(bundled):
    need = {"russia-strategic", "china-russia-interaction", "joint-sea", "peace-mission", "joint-air-patrol",
            "joint-maritime-patrol", "maritime-security-belt", "union-shield"}
    assert need <= set(bundled.series)
    assert bundled.series["russia-strategic"].directions == ("zapad", "vostok", "tsentr", "kavkaz")
    per_year = {}
    for r in bundled.events("russia-strategic"):
        if r["primary"]:
            per_year.setdefault(r["start"].year, []).append(r["id"])
    assert all(len(v) == 1 for v in per_year.values()), per_year
    assert set(range(2008, 2027)) <= set(per_year)


def test_known_facts_of_the_rotation(bundled):
    ev = {r["id"]: r for r in bundled.records}
    z23 = next(r for r in ev.values() if r["series"] == "russia-strategic" and r["start"].year == 2023 and r["primary"])
    assert z23["direction"] == "zapad" and z23["status"] == "cancelled"
    assert z23["status_reported"] is not None
    okean = next(r for r in ev.values() if r["series"] == "russia-strategic" and r["start"].year == 2024 and r["primary"])
    assert okean["direction"] == "other"
    ts26 = next(r for r in ev.values() if r["series"] == "russia-strategic" and r["start"].year == 2026 and r["primary"])
    assert ts26["direction"] == "tsentr" and ts26["first_reported"].text == "2025-12-18"


def test_installed_package_carries_the_data_identical_to_data_folder():
    shipped = importlib.resources.files("drillcast").joinpath("_data", "exercises.csv")
    assert shipped.is_file(), "the installed package must ship the catalogue (pip install . then run tests)"
    assert shipped.read_bytes() == (REPO / "data" / "exercises.csv").read_bytes()
    assert importlib.resources.files("drillcast").joinpath("_data", "series.csv").read_bytes() == \
        (REPO / "data" / "series.csv").read_bytes()
    assert bundled_path().name == "exercises.csv"


def test_schema_files_are_table_schemas_matching_the_columns():
    ex = json.loads((REPO / "data" / "schema" / "exercises.schema.json").read_text())
    se = json.loads((REPO / "data" / "schema" / "series.schema.json").read_text())
    assert [f["name"] for f in ex["fields"]] == list(EXERCISE_COLUMNS)
    assert [f["name"] for f in se["fields"]] == list(SERIES_COLUMNS)
    assert ex["primaryKey"] in ("id", ["id"])


# --------------------------------------------------------------------------- validation rules


def _problems(tmp_path, events, series=(ROT_SERIES, REC_SERIES)):
    path = write_catalogue(tmp_path, events, list(series) if series is not None else None)
    return path, validate_file(path)


def _errors(problems):
    return [p for p in problems if p.severity == "error"]


OK = {"id": "E1", "series": "rot", "direction": "a", "start_date": "2021-09-10", "end_date": "2021-09-16"}


@pytest.mark.parametrize("field,value,column,needle", [
    ("start_date", "2021-02-30", "start_date", "day 30 does not exist in February 2021"),
    ("start_date", "2021-13-01", "start_date", "month 13 does not exist"),
    ("start_date", "10 Sep 2021", "start_date", "not a date in the form YYYY-MM-DD"),
    ("end_date", "2021-09-01", "end_date", "an end on or after the start 2021-09-10"),
    ("status", "hled", "status", "did you mean 'held'"),
    ("series", "rott", "series", "did you mean 'rot'"),
    ("direction", "bb", "direction", "one of a, b, c, d, other"),
    ("participants", "XYZ", "participants", "ISO 3166-1 alpha-3"),
    ("sources", "www.example.org/page", "sources", "a URL starting with http:// or https://"),
    ("confidence", "hihg", "confidence", "did you mean 'high'"),
    ("lat", "95", "lat", "between -90 and 90"),
    ("primary", "maybe", "primary", "'yes' or 'no'"),
    ("id", "", "id", "a non-empty id"),
])
def test_each_rule_names_file_line_column_value_and_fix(tmp_path, field, value, column, needle):
    path, problems = _problems(tmp_path, [{**OK, field: value}])
    errs = _errors(problems)
    assert len(errs) == 1, [str(p) for p in problems]
    msg = str(errs[0])
    assert msg.startswith(f"{path}:2: column '{column}': error: found {value!r}")
    assert needle in msg


def test_all_problems_reported_at_once(tmp_path):
    path, problems = _problems(tmp_path, [
        {**OK, "start_date": "2021-02-30"},
        {**OK, "id": "E2", "status": "planned"},
        {**OK, "id": "E3", "participants": "XX"},
    ])
    assert [p.line for p in _errors(problems)] == [2, 3, 4]
    with pytest.raises(DataError, match="3 problem") as ei:
        load_catalogue(path)
    assert len([p for p in ei.value.problems if p.severity == "error"]) == 3


def test_duplicate_id_points_at_the_first_line(tmp_path):
    _, problems = _problems(tmp_path, [OK, {**OK, "start_date": "2022-09-10", "end_date": ""}])
    (e,) = _errors(problems)
    assert e.line == 3 and "line 2 already uses it" in str(e)


def test_missing_required_column(tmp_path):
    path = tmp_path / "exercises.csv"
    path.write_text("id,name,series,start_date,sources,confidence\nE1,x,rot,2021,https://a.org,high\n")
    (e,) = _errors(validate_file(path))
    assert "a required column 'status' is missing" in str(e) and e.line == 1


def test_unknown_extra_column_is_a_warning_with_suggestion(tmp_path):
    path = tmp_path / "exercises.csv"
    path.write_text("id,name,series,start_date,status,sources,confidence,partcipants\n"
                    "E1,x,,2021,held,https://a.org,high,RUS\n")
    (w,) = validate_file(path)
    assert w.severity == "warning" and "did you mean 'participants'" in str(w)
    with pytest.warns(DataWarning, match="partcipants"):
        load_catalogue(path)


def test_likely_duplicate_event_is_a_warning(tmp_path):
    _, problems = _problems(tmp_path, [OK, {**OK, "id": "E2", "start_date": "2021-09-12", "end_date": "2021-09-14"}])
    assert _errors(problems) == []
    (w,) = problems
    assert w.severity == "warning" and "likely the same event twice" in str(w) and "E1" in str(w)


@pytest.mark.parametrize("content,needle", [
    (b"", "the file is empty"),
    (b"\x00\x01\x02binary", "binary file"),
    (b"id;name;series;start_date;status\n", "drillcast reads comma-separated files"),
    (b"id,name,series,start_date,status,sources,confidence\nE1,Z\xe9pad,rot,2021,held,https://a.org,high\n",
     "is not UTF-8"),
    (b"id,name,series,start_date,status,sources,confidence\n", "at least one exercise row"),
])
def test_unreadable_files(tmp_path, content, needle):
    path = tmp_path / "exercises.csv"
    path.write_bytes(content)
    problems = validate_file(path)
    assert any(needle in str(p) for p in problems), [str(p) for p in problems]
    with pytest.raises(DataError, match=needle):
        load_catalogue(path)


def test_bom_and_crlf_are_accepted(tmp_path):
    path = tmp_path / "exercises.csv"
    path.write_bytes(b"\xef\xbb\xbfid,name,series,start_date,status,sources,confidence\r\n"
                     b"E1,x,,2021-09,held,https://a.org,high\r\n")
    cat = load_catalogue(path)
    assert len(cat) == 1 and cat.records[0]["start"].precision == "month"


def test_series_inferred_without_series_csv(tmp_path):
    path = write_catalogue(tmp_path, [
        {"id": "A1", "series": "s", "direction": "x", "start_date": "2020"},
        {"id": "A2", "series": "s", "direction": "y", "start_date": "2021"},
        {"id": "B1", "series": "t", "start_date": "2021"},
        {"id": "B2", "series": "t", "start_date": "2021-05"},
    ], series=None)
    cat = load_catalogue(path)
    assert cat.series["s"].kind == "rotating" and cat.series["s"].directions == ("x", "y")
    assert cat.series["t"].kind == "recurring" and cat.series["t"].multi_event


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize("text,lo,hi,prec", [
    ("2021-09-10", D(2021, 9, 10), D(2021, 9, 10), "day"),
    ("2024-02", D(2024, 2, 1), D(2024, 2, 29), "month"),
    ("2023-02", D(2023, 2, 1), D(2023, 2, 28), "month"),
    ("2026", D(2026, 1, 1), D(2026, 12, 31), "year"),
    ("2024-02-29", D(2024, 2, 29), D(2024, 2, 29), "day"),
])
def test_partial_dates_are_intervals(text, lo, hi, prec):
    d = parse_partial_date(text)
    assert (d.low, d.high, d.precision) == (lo, hi, prec)


# --------------------------------------------------------------------------- as_of


@pytest.fixture
def zapad_case(tmp_path):
    """Announced 2022-12, cancellation reported 2023-08-28, planned for 2023-09."""
    path = write_catalogue(tmp_path, [
        {"id": "Z23", "series": "rot", "direction": "a", "start_date": "2023-09", "status": "cancelled",
         "first_reported": "2022-12", "status_reported": "2023-08-28"},
        {"id": "V22", "series": "rot", "direction": "b", "start_date": "2022-09-01", "end_date": "2022-09-07",
         "first_reported": "2022-06-15"},
        {"id": "S26", "series": "rot", "direction": "c", "start_date": "2026", "status": "announced",
         "first_reported": "2025-12-18"},
    ], [ROT_SERIES, REC_SERIES])
    return load_catalogue(path)


def _status(cat, date):
    return {r["id"]: r["status"] for r in cat.as_of(date).records}


def test_as_of_announced_then_cancelled(zapad_case):
    assert _status(zapad_case, D(2022, 11, 30)) == {"V22": "held"}  # Z23 not yet reported
    assert "Z23" not in _status(zapad_case, D(2022, 12, 30))  # month precision: surely known only by 12-31
    assert _status(zapad_case, D(2022, 12, 31))["Z23"] == "announced"
    assert _status(zapad_case, D(2023, 8, 27))["Z23"] == "announced"
    assert _status(zapad_case, D(2023, 8, 28))["Z23"] == "cancelled"


def test_as_of_held_event_is_announced_until_it_starts_and_end_is_hidden(zapad_case):
    snap = zapad_case.as_of(D(2022, 8, 1))
    (v,) = [r for r in snap.records if r["id"] == "V22"]
    assert v["status"] == "announced"
    snap = zapad_case.as_of(D(2022, 9, 3))
    (v,) = [r for r in snap.records if r["id"] == "V22"]
    assert v["status"] == "held" and v["end"] is None  # ongoing: its end is not yet known
    assert [r for r in zapad_case.as_of(D(2022, 6, 14)).records if r["id"] == "V22"] == []


def test_as_of_never_changes_the_full_catalogue(zapad_case):
    before = [dict(r) for r in zapad_case.records]
    zapad_case.as_of(D(2023, 1, 1))
    assert [dict(r) for r in zapad_case.records] == before


def test_as_of_announcement_reported_late_december(zapad_case):
    assert "S26" not in _status(zapad_case, D(2025, 12, 17))
    assert _status(zapad_case, D(2025, 12, 18))["S26"] == "announced"
    assert _status(zapad_case, D(2026, 11, 27))["S26"] == "announced"


def test_to_records_lists_and_to_frame_columns(bundled):
    recs = bundled.to_records("russia-strategic")
    assert isinstance(recs[0]["participants"], list) and isinstance(recs[0]["sources"], list)
    df = bundled.to_frame("russia-strategic")
    assert list(df.columns) == list(EXERCISE_COLUMNS) and len(df) == len(recs)


def test_as_of_knows_announced_dates_only_from_dates_reported(tmp_path):
    """The recorded dates are the final ones: before dates_reported only the year of an announced exercise is known."""
    path = write_catalogue(tmp_path, [
        {"id": "Z25", "series": "rot", "direction": "a", "start_date": "2025-09-12", "first_reported": "2024-10-23",
         "dates_reported": "2025-08-12"},
        {"id": "V22", "series": "rot", "direction": "b", "start_date": "2022-09-01", "first_reported": "2021-12-21"},
    ], [ROT_SERIES, REC_SERIES])
    cat = load_catalogue(path)

    def start(date, eid):
        (r,) = [r for r in cat.as_of(date).records if r["id"] == eid]
        return r["start"].text, r["doy"]

    assert start(D(2025, 8, 11), "Z25") == ("2025", (0, 364))
    assert start(D(2025, 8, 12), "Z25") == ("2025-09-12", (254, 254))
    assert start(D(2022, 8, 31), "V22")[0] == "2022"  # no dates_reported: unknown until it starts
    assert start(D(2022, 9, 1), "V22")[0] == "2022-09-01"


def test_snapshot_of_a_snapshot_keeps_an_event_whose_dates_are_hidden(tmp_path):
    """Found by Hypothesis: an announced event known from its start day lost its existence in a re-snapshot
    once its dates were hidden (the year's last day was taken as its knowledge date)."""
    path = write_catalogue(tmp_path, [{"id": "E0", "series": "rot", "direction": "a", "start_date": "2000-01-01",
                                       "status": "announced"}], [ROT_SERIES, REC_SERIES])
    snap = load_catalogue(path).as_of(D(2000, 1, 1))
    assert [r["id"] for r in snap.records] == ["E0"] and snap.records[0]["start"].text == "2000"
    assert snap.as_of(D(2000, 1, 1)).records == snap.records


# --------------------------------------------------------------------------- the codebook's id rules


def _codebook() -> str:
    return (REPO / "data" / "README.md").read_text(encoding="utf-8")


def test_codebook_id_patterns_are_the_ones_enforced():
    """The patterns data/README.md states are exactly the regular expressions data validate applies."""
    import re

    from drillcast.data import fields

    book = _codebook()
    event_row = next(line for line in book.splitlines() if line.startswith("| 1 | `id` |"))
    series_row = next(line for line in book.splitlines() if line.startswith("| `id` | Lower-case id"))
    assert f"`{fields._ID.pattern}`" in event_row
    assert f"`{fields._SLUG.pattern}`" in series_row
    # and the patterns mean what the codebook says in words
    assert re.fullmatch(fields._ID, "RU-2021-ZAPAD") and not re.fullmatch(fields._ID, "ru-2021-zapad")


def test_codebook_lists_every_series_of_series_csv():
    import csv
    import re

    book_row = next(line for line in _codebook().splitlines() if line.startswith("| `id` | Lower-case id"))
    listed = re.findall(r"`([a-z0-9-]+)`", book_row.split("Current ids", 1)[1])
    with open(REPO / "data" / "series.csv", encoding="utf-8", newline="") as fh:
        ids = [r["id"] for r in csv.DictReader(fh)]
    assert sorted(listed) == sorted(ids)


@pytest.mark.parametrize("eid, suggestion", [
    ("ru-2021-zapad", "RU-2021-ZAPAD"), ("RU.2021", "RU-2021"), ("A_1", "A-1"), ("A:1", "A-1"),
    ("-A1", "A1"), ("Zapad-2021", "ZAPAD-2021"),
])
def test_validate_refuses_ids_outside_the_codebook_pattern(tmp_path, eid, suggestion):
    path, problems = _problems(tmp_path, [{**OK, "id": eid}])
    errs = _errors(problems)
    assert len(errs) == 1 and errs[0].column == "id"
    assert f"e.g. {suggestion}" in str(errs[0]) and "capital letters, digits and hyphens" in str(errs[0])


@pytest.mark.parametrize("sid", ["Rot", "rot--x", "rot-", "rot_x", "rot.x"])
def test_validate_refuses_series_ids_outside_the_codebook_pattern(tmp_path, sid):
    path, problems = _problems(tmp_path, [{**OK, "series": sid, "direction": ""}], series=None)
    assert any(p.column == "series" and p.severity == "error" for p in problems), [str(p) for p in problems]


def test_bundled_ids_follow_the_codebook():
    from drillcast.data import fields

    cat = load_catalogue()
    assert all(fields._ID.fullmatch(r["id"]) for r in cat.records)
    assert all(fields._SLUG.fullmatch(s) for s in cat.series)


def test_no_first_report_after_the_start_of_a_held_event():
    """Issue 23: first_reported is the earliest public report that the exercise would take place.

    Compared at the precision the row records: a first report known only to the month may share the
    month of the start (an exercise revealed while under way, the day kept in notes; data/README.md §7).
    """
    late = [(r["id"], r["first_reported"].text, r["start"].text) for r in load_catalogue().records
            if r["status"] == "held" and r["first_reported"] is not None
            and r["first_reported"].low > r["start"].high]
    assert late == []
