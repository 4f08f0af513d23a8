"""Tests of drillcast.data.importers: MME and generic tables -> validated catalogue rows.

The fixtures in tests/fixtures/import/ are described line by line in their README.txt;
the expected values below come from that description, not from running the code.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drillcast.data import countries
from drillcast.data.catalogue import EXERCISE_COLUMNS, load_catalogue, validate_file
from drillcast.errors import DataError, OptionError, OutputError
from drillcast.data.importers import (
    ImportResult, country_code, import_mme, import_table, load_mapping_file, parse_map_option, slugify,
    write_catalogue,
)
from drillcast.data.importers import country_names, mme
from drillcast.data.importers.mme import MME_SOURCE, parse_mme_date
from drillcast.data.importers.table import parse_table_date

from .conftest import write_catalogue as write_test_catalogue

FIX = Path(__file__).parent / "fixtures" / "import"
MME_SAMPLE = FIX / "mme_v7_sample.csv"
MME_CP1252 = FIX / "mme_cp1252.csv"
TABLE = FIX / "table_exercises.csv"
TABLE_MAP = FIX / "table_map.json"
TABLE_SOURCE = "https://example.org/table"

HEADER = ["MMEID", "Ex_Name", "Series_Name", "Location", "lat", "lon", "StartDate", "s.year", "s.month",
          "s.day", "EndDate", "e.year", "e.month", "e.day", "CPX", "Air", "Land", "Sea", "Amphibious",
          "Cyber", "Warfighting", "Peacekeeping", "Humanitarian", "FocusDescription",
          "AdditionalParticipantInfo"] + list(mme.STATE_COLUMNS)


def data_records(path: Path, encoding="utf-8") -> int:
    """Data records below the header, counted independently of the importers (csv module)."""
    with open(path, encoding=encoding, newline="") as fh:
        return sum(1 for rec in list(csv.reader(fh))[1:] if rec)


def mme_row(mmeid, start="5/15/01", split=("2001", "5", "15"), end="-9", esplit=("-9", "-9", "-9"),
            name="Cobra Gold 2001", series="Cobra Gold", states=("Thailand", "United States"), **other):
    row = dict.fromkeys(HEADER, "-9")
    row.update({f: "0" for f, _ in mme.FLAG_DOMAINS})
    row.update({"MMEID": mmeid, "Ex_Name": name, "Series_Name": series, "StartDate": start,
                "s.year": split[0], "s.month": split[1], "s.day": split[2], "EndDate": end,
                "e.year": esplit[0], "e.month": esplit[1], "e.day": esplit[2]})
    for col, state in zip(mme.STATE_COLUMNS, states):
        row[col] = state
    row.update(other)
    return row


def write_mme(path: Path, rows, header=HEADER) -> Path:
    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    w.writerow(header)
    for r in rows:
        w.writerow([r.get(h, "") for h in header] if isinstance(r, dict) else r)
    path.write_text(buf.getvalue(), encoding="utf-8", newline="")
    return path


@pytest.fixture(scope="module")
def sample() -> ImportResult:
    return import_mme(MME_SAMPLE)


@pytest.fixture(scope="module")
def by_id(sample):
    return {r["id"]: r for r in sample.rows}


@pytest.fixture(scope="module")
def entries(sample):
    return {e.line: e for e in sample.entries}


@pytest.fixture(scope="module")
def table() -> ImportResult:
    return import_table(TABLE, mapping_file=TABLE_MAP, source=TABLE_SOURCE)


# --------------------------------------------------------------------------- slugs


@pytest.mark.parametrize("text, slug", [
    ("Cobra Gold", "cobra-gold"), ("RIMPAC", "rimpac"), (" --Ex. 2 -- ", "ex-2"),
    ("Zapad-2021", "zapad-2021"), ("Côte Ouest", "cote-ouest"), ("", ""), ("!!!", ""),
    ("Sea   Breeze\n2021", "sea-breeze-2021"),
])
def test_slugify_examples(text, slug):
    assert slugify(text) == slug


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_slugify_is_idempotent_and_a_slug(text):
    s = slugify(text)
    assert slugify(s) == s
    assert s == "" or re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", s)


# --------------------------------------------------------------------------- MME dates


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=dt.date(1980, 1, 1), max_value=dt.date(2010, 12, 31)), st.booleans())
def test_mme_slash_date_round_trip(day, pad):
    text = (f"{day.month:02d}/{day.day:02d}" if pad else f"{day.month}/{day.day}") + f"/{day.year % 100:02d}"
    assert parse_mme_date(text) == (day.year, day.month, day.day)


@pytest.mark.parametrize("text, parts", [
    ("5/15/01", (2001, 5, 15)), ("6/26/98", (1998, 6, 26)), ("1/1/80", (1980, 1, 1)),
    ("12/31/10", (2010, 12, 31)), ("1/5/2010", (2010, 1, 5)), ("2002-05-xx", (2002, 5, None)),
    ("2002-05-XX", (2002, 5, None)), ("1995-xx-xx", (1995, None, None)), ("5/xx/99", (1999, 5, None)),
    ("-9", (None, None, None)), ("", (None, None, None)), ("2001-05-15", (2001, 5, 15)),
])
def test_parse_mme_date(text, parts):
    assert parse_mme_date(text) == parts


@pytest.mark.parametrize("text", ["5/15/50", "15 May 2001", "2001/05/15", "37257", "5-15-01"])
def test_parse_mme_date_refuses(text):
    with pytest.raises(ValueError):
        parse_mme_date(text)


# --------------------------------------------------------------------------- country names


@pytest.mark.parametrize("name, code", [
    ("United States", "USA"), ("USA", "USA"), ("United States of America", "USA"), ("US", "USA"),
    ("U.S.", "USA"), ("UK", "GBR"), ("United Kingdom", "GBR"), ("Great Britain", "GBR"),
    ("Russia", "RUS"), ("Russian Federation", "RUS"), ("USSR", "SUN"), ("Soviet Union", "SUN"),
    ("Federal Republic of Germany", "DEU"), ("West Germany", "DEU"), ("German Democratic Republic", "DDR"),
    ("East Germany", "DDR"), ("Yugoslavia", "YUG"), ("Czechoslovakia", "CSK"),
    ("Serbia and Montenegro", "SCG"), ("Zaire", "ZAR"), ("South Korea", "KOR"), ("Republic of Korea", "KOR"),
    ("Korea, Republic of", "KOR"), ("North Korea", "PRK"), ("Burma", "MMR"), ("Myanmar", "MMR"),
    ("Ivory Coast", "CIV"), ("Côte d'Ivoire", "CIV"), ("Cote d\u2019Ivoire", "CIV"), ("Macedonia", "MKD"),
    ("North Macedonia", "MKD"), ("Swaziland", "SWZ"), ("Eswatini", "SWZ"), ("Czech Republic", "CZE"),
    ("Czechia", "CZE"), ("Turkey", "TUR"), ("Türkiye", "TUR"), ("Vietnam", "VNM"), ("Viet Nam", "VNM"),
    ("Laos", "LAO"), ("Iran", "IRN"), ("Syria", "SYR"), ("Taiwan", "TWN"),
    ("Bosnia and Herzegovina", "BIH"), ("Bosnia & Herzegovina", "BIH"), ("Timor-Leste", "TLS"),
    ("East Timor", "TLS"), ("Cape Verde", "CPV"), ("Kosovo", "XKX"), ("South Yemen", "YMD"),
    ("  the  GAMBIA ", "GMB"), ("St. Lucia", "LCA"), ("Sénégal", "SEN"), ("Bénin", "BEN"),
    ("Democratic Republic of the Congo", "COD"), ("Congo", "COG"), ("China", "CHN"),
])
def test_country_code(name, code):
    assert country_code(name) == code


@pytest.mark.parametrize("name", ["Korea", "Atlantis", "", "   ", "-9"])
def test_country_code_unknown_or_ambiguous(name):
    assert country_code(name) is None


def test_every_country_code_has_a_name():
    assert countries.CODES <= set(country_names.NAMES.values())
    assert set(country_names.NAMES.values()) <= countries.CODES


def test_every_pycountry_name_maps_to_its_code():
    """pycountry's own records, read directly: each ISO name (short, official, common) gives its code."""
    import pycountry

    assert len(list(pycountry.countries)) >= 249
    for c in pycountry.countries:
        assert countries.is_code(c.alpha_3), c.alpha_3
        for name in {c.name, getattr(c, "official_name", None), getattr(c, "common_name", None)} - {None}:
            assert country_code(name) == c.alpha_3, (name, c.alpha_3)


def test_former_states_are_iso_3166_3_and_named_by_it():
    import pycountry

    historic = {c.alpha_3: c for c in pycountry.historic_countries}
    assert {"SUN", "DDR", "YUG", "CSK", "SCG", "YMD", "ZAR"} <= set(historic)
    for code in ("SUN", "DDR", "YUG", "CSK", "SCG", "YMD", "ZAR"):
        assert countries.is_code(code) and country_code(historic[code].name) == code
    # renamed states other than Zaire are stored under their current code, not their ISO 3166-3 one
    for old, new, name in (("BUR", "MMR", "Burma"), ("DHY", "BEN", "Dahomey"), ("HVO", "BFA", "Upper Volta"),
                           ("TMP", "TLS", "East Timor")):
        assert old in historic and not countries.is_code(old) and country_code(name) == new


@pytest.mark.parametrize("code, ok", [("RUS", True), ("CHN", True), ("BLR", True), ("KAZ", True), ("TWN", True),
                                      ("SUN", True), ("XKX", True), ("XYZ", False), ("BUR", False), ("UK", False),
                                      ("SU", False)])
def test_catalogue_accepts_exactly_the_country_codes(tmp_path, code, ok):
    """A sample of codes checked by hand against ISO 3166 (pycountry agrees), through catalogue validation."""
    import pycountry

    assert (pycountry.countries.get(alpha_3=code) is not None or code in ("SUN", "XKX")) == ok
    path = write_test_catalogue(tmp_path, [{"id": "E1", "series": "s", "start_date": "2021-09", "participants": code}])
    if ok:
        assert list(load_catalogue(path, warn=False).records[0]["participants"]) == [code]
    else:
        with pytest.raises(DataError, match=f"participants.*{code}.*ISO 3166-1 alpha-3"):
            load_catalogue(path, warn=False)


# --------------------------------------------------------------------------- MME: counts and report


@pytest.mark.parametrize("path, encoding", [(MME_SAMPLE, "utf-8"), (MME_CP1252, "cp1252")])
def test_mme_counts_add_up_to_the_data_rows(path, encoding):
    res = import_mme(path)
    c = res.counts
    assert c["input_rows"] == data_records(path, encoding)
    assert c["input_rows"] == c["imported"] + c["skipped"]
    assert c["imported"] == len(res.rows)
    assert c["skipped"] == len(res.skipped())
    assert c["imported_with_fixes"] == len(res.fixed())


def test_mme_sample_counts(sample):
    assert sample.counts == {"input_rows": 27, "imported": 24, "imported_with_fixes": 6, "skipped": 3}
    assert sample.encoding == "utf-8"
    assert {e.action for e in sample.entries} <= {"imported", "imported-with-fix", "skipped"}


def test_mme_rows_have_exactly_the_catalogue_columns(sample):
    for row in sample.rows:
        assert tuple(row) == EXERCISE_COLUMNS
        assert all(isinstance(v, str) for v in row.values())


def test_mme_report_text_lists_every_skipped_row_and_unmapped_name(sample):
    text = sample.report_text()
    assert "input rows: 27; imported: 24 (6 with fixes); skipped: 3" in text
    for e in sample.skipped():
        assert f"line {e.line}" in text and e.reason in text
    assert "'Korea': 1 row" in text
    json.dumps(sample.to_dict(rows=True))  # JSON-ready
    assert "rows" not in sample.to_dict()


def test_mme_skips(entries):
    assert entries[10].action == "skipped" and entries[10].reason == "exact duplicate of line 9"
    assert entries[28].action == "skipped" and entries[28].reason.startswith("no start year")
    assert entries[29].action == "skipped" and entries[29].reason.startswith("empty row")


# --------------------------------------------------------------------------- MME: each kind of mess


def test_mme_constant_fields(by_id):
    for r in by_id.values():
        assert r["id"].startswith("MME-")
        assert (r["status"], r["primary"], r["confidence"], r["sources"]) == ("held", "yes", "medium", MME_SOURCE)
        assert r["host"] == r["direction"] == r["first_reported"] == r["observers"] == ""


def test_mme_quoting_and_flags(by_id):
    r = by_id["MME-101"]
    assert r["location"] == "Sattahip, Thailand"
    assert r["notes"] == 'Focus: Annual combined exercise, the "Cobra Gold" series, with humanitarian projects'
    assert r["domain"] == "air;land;sea;amphibious;warfighting;humanitarian"
    assert (r["start_date"], r["end_date"], r["lat"], r["lon"]) == ("2001-05-15", "2001-05-30", "12.68", "100.90")
    assert r["participants"] == "THA;USA;SGP"


def test_mme_day_unknown_gives_month_precision(by_id):
    assert (by_id["MME-102"]["start_date"], by_id["MME-102"]["end_date"]) == ("2002-05", "2002-05")
    assert by_id["MME-203"]["start_date"] == "2000-05"  # s.day -9


def test_mme_month_unknown_gives_year_and_series_name_names_the_exercise(by_id):
    r = by_id["MME-303"]
    assert (r["start_date"], r["name"], r["series"], r["location"]) == ("1995", "Cope Thunder 1995", "cope-thunder", "")


def test_mme_participant_listed_twice(by_id, entries):
    assert by_id["MME-103"]["participants"] == "THA;USA;SGP"
    assert entries[4].action == "imported-with-fix" and "'Thailand' listed twice" in entries[4].reason


def test_mme_end_before_start_drops_the_end(by_id, entries):
    assert (by_id["MME-104"]["start_date"], by_id["MME-104"]["end_date"]) == ("2004-05-17", "")
    assert "end before start: end dropped" in entries[5].reason
    assert "end before start: end dropped" in by_id["MME-104"]["notes"]


def test_mme_year_in_name_differs(by_id, entries):
    r = by_id["MME-105"]
    assert (r["name"], r["start_date"]) == ("Cobra Gold 2004", "2005-05-09")
    assert entries[6].action == "imported" and "says 2004" in entries[6].reason
    assert "start year 2005 kept" in r["notes"]
    assert "Multi-line focus text" in r["notes"]  # the CRLF inside quotes collapsed


def test_mme_unmapped_name(sample, by_id, entries):
    assert sample.unmapped_names == {"Korea": 1}
    r = by_id["MME-106"]
    assert r["participants"] == "THA;USA;SGP;JPN"
    assert "Unmapped participants: Korea" in r["notes"]
    assert entries[8].action == "imported-with-fix"  # line 8: after the two-line record


def test_mme_split_fields_win_over_startdate(by_id, entries):
    assert by_id["MME-108"]["start_date"] == "2008-05-13"
    assert "disagrees" in entries[11].reason


def test_mme_duplicate_id_with_other_content(by_id, entries):
    assert by_id["MME-109"]["name"] == "Cobra Gold 2009"
    assert by_id["MME-109"]["lat"] == "" and by_id["MME-109"]["lon"] == "100.9"  # lat 95 out of range
    assert by_id["MME-109-2"]["name"] == "Cope Tiger 2009"
    assert entries[13].action == "imported-with-fix" and "MME-109-2" in entries[13].reason
    assert "used again on line 13" in entries[12].reason


def test_mme_two_digit_years(by_id):
    assert by_id["MME-110"]["start_date"] == "2010-02-01"
    assert by_id["MME-201"]["start_date"] == "1996-05-20"
    assert by_id["MME-202"]["start_date"] == "1998-06-22"
    assert by_id["MME-201"]["participants"] == "USA;CAN;AUS;JPN;KOR;CHL"  # "Korea, Republic of"


def test_mme_historical_states(sample, by_id, entries):
    assert by_id["MME-301"]["participants"] == "USA;DEU;CAN;NLD"
    r = by_id["MME-302"]
    assert (r["participants"], r["start_date"], r["end_date"]) == ("RUS;DDR;CSK;POL;HUN", "1984-03", "")
    assert entries[24].action == "imported" and "USSR" in entries[24].reason
    assert any("Russia" in n and "MMEID 302" in n for n in sample.notes)


def test_mme_blank_series_and_non_ascii(by_id):
    r = by_id["MME-304"]
    assert (r["series"], r["name"], r["participants"]) == ("", "Golfe de Guinée 2010", "FRA;CIV;SEN;BEN")
    assert by_id["MME-305"]["participants"] == "TUR;USA;JOR;PAK;ARE"
    assert by_id["MME-305"]["location"] == "Konya, Türkiye"


def test_mme_cp1252_file():
    res = import_mme(MME_CP1252)
    assert res.encoding == "cp1252"
    assert res.counts == {"input_rows": 3, "imported": 3, "imported_with_fixes": 0, "skipped": 0}
    r = {x["id"]: x for x in res.rows}
    assert r["MME-401"]["participants"] == "FRA;CIV;SEN"
    assert r["MME-401"]["name"] == "Golfe de Guinée 2008"
    assert "piraterie \u2013 l\u2019exercice" in r["MME-401"]["notes"]
    assert "cp1252" in res.report_text()


def test_mme_latin1_fallback(tmp_path):
    raw = MME_CP1252.read_bytes().replace("piraterie".encode(), b"pira\x81terie")  # 0x81: not cp1252
    p = tmp_path / "latin.csv"
    p.write_bytes(raw)
    res = import_mme(p)
    assert res.encoding == "latin-1" and res.counts["imported"] == 3


def test_mme_bom_and_header_case(tmp_path):
    row = mme_row("1")
    p = write_mme(tmp_path / "mme.csv", [[row[h] for h in HEADER]], header=[f" {h.upper()} " for h in HEADER])
    p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes())
    res = import_mme(p)
    assert res.rows[0]["id"] == "MME-1" and res.encoding == "utf-8"


def test_mme_optional_columns_may_be_missing_and_extras_are_reported(tmp_path):
    header = ["MMEID", "Ex_Name", "Series_Name", "StartDate", "s.year", "s.month", "s.day", "StateA", "Coder"]
    p = write_mme(tmp_path / "mme.csv", [["7", "Ex 2001", "Ex", "5/1/01", "2001", "5", "1", "Japan", "JG"]], header)
    res = import_mme(p)
    assert res.rows[0]["participants"] == "JPN" and res.rows[0]["end_date"] == ""
    assert res.ignored_columns == ("Coder",)
    assert "Columns not imported: Coder" in res.report_text()


@pytest.mark.parametrize("row, field, value, fix", [
    (mme_row("1", start="13/5/01", split=("2001", "13", "5")), "start_date", "2001", "month 13"),
    (mme_row("1", start="2/30/01", split=("2001", "2", "30")), "start_date", "2001-02", "day 30"),
    (mme_row("1", start="5/15/50", split=("2001", "5", "15")), "start_date", "2001-05-15", "unreadable"),
    (mme_row("1", start="5/15/01", split=("-9", "-9", "-9")), "start_date", "2001-05-15", None),
    (mme_row("1", start="-9", split=("2001", "5", "xx")), "start_date", "2001-05", None),
    (mme_row("1", start="2001-05-xx", split=("2001", "5", "xx")), "start_date", "2001-05", None),
    (mme_row("1.0"), "id", "MME-1", None),
    (mme_row("1", name="-9", series="-9"), "name", "MME exercise 1", None),
    (mme_row("1", Air="yes please"), "domain", "", "flag Air"),
    (mme_row("1", lat="abc", lon="-157.9"), "lat", "", "lat 'abc'"),
    (mme_row("1", states=("United States", "USA", "-9", "")), "participants", "USA", "both listed"),
    (mme_row("1", series="???"), "series", "", "no series"),
])
def test_mme_row_rules(tmp_path, row, field, value, fix):
    res = import_mme(write_mme(tmp_path / "mme.csv", [row]))
    assert res.counts["imported"] == 1
    r = res.rows[0]
    if value is not None:
        assert r[field] == value
    if fix is None:
        assert res.fixed() == []
    else:
        assert fix in res.fixed()[0].reason


def test_mme_two_digit_year_in_name_and_long_notes(tmp_path):
    focus = "word " * 400
    res = import_mme(write_mme(tmp_path / "mme.csv", [mme_row("1", name="Cobra Gold '99", FocusDescription=focus)]))
    notes = res.rows[0]["notes"].split(" | ")
    assert notes[0].startswith("Focus: word word") and notes[0].endswith("...") and len(notes[0]) <= 300
    assert "says 1999" in notes[1] and res.entries[0].action == "imported"


def test_mme_generated_ids_avoid_ids_in_the_file(tmp_path):
    rows = [mme_row("5", name="A 2001"), mme_row("5", name="B 2001"), mme_row("5-2", name="C 2001")]
    res = import_mme(write_mme(tmp_path / "mme.csv", rows))
    assert [r["id"] for r in res.rows] == ["MME-5", "MME-5-3", "MME-5-2"]


def test_mme_rows_with_wrong_field_counts_are_skipped(tmp_path):
    good = [mme_row("1")[h] for h in HEADER]
    p = write_mme(tmp_path / "mme.csv", [good[:-5], good + ["extra"], good[:1] + ["2"] + good[2:] + ["", ""]])
    res = import_mme(p)
    assert res.counts == {"input_rows": 3, "imported": 1, "imported_with_fixes": 0, "skipped": 2}
    assert "cut short" in res.skipped()[0].reason and "comma inside" in res.skipped()[1].reason


def test_mme_blank_lines_are_not_rows(tmp_path):
    p = write_mme(tmp_path / "mme.csv", [mme_row("1")])
    p.write_bytes(p.read_bytes() + b"\r\n\r\n")
    res = import_mme(p)
    assert res.counts["input_rows"] == 1
    assert any("empty line" in n for n in res.notes)


# --------------------------------------------------------------------------- MME: files it refuses


def test_not_mme_names_the_missing_columns():
    with pytest.raises(DataError, match=r"not an MME file: missing columns MMEID, Ex_Name.*10.7910/DVN/KHFODX"):
        import_mme(TABLE)


@pytest.mark.parametrize("content, match", [
    (b"MMEID,Ex_Name\x00\x01\x02", "binary file"),
    (b"", "empty"),
    (b"  \r\n", "empty"),
    (",".join(HEADER).encode() + b'\r\n1,"Cobra Gold 2001,Cobra\r\n', "cannot read CSV"),
    (b"MMEID;Ex_Name;Series_Name\r\n", "semicolons"),
])
def test_mme_bad_files(tmp_path, content, match):
    p = tmp_path / "bad.csv"
    p.write_bytes(content)
    with pytest.raises(DataError, match=match):
        import_mme(p)


def test_mme_missing_file(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        import_mme(tmp_path / "nope.csv")


# --------------------------------------------------------------------------- writing and round trip


def test_round_trip_mme(tmp_path, sample):
    out = tmp_path / "exercises.csv"
    summary = write_catalogue(sample, out)
    assert summary.series_written and summary.events == 24
    assert [p for p in validate_file(out) if p.severity == "error"] == []
    cat = load_catalogue(out, warn=False)
    assert len(cat) == 24
    assert cat.series_ids() == ["anatolian-eagle", "cobra-gold", "cope-thunder", "cope-tiger", "druzhba",
                                "reforger", "rimpac"]
    assert len(cat.events("cobra-gold")) == 10 and len(cat.events("rimpac")) == 8
    assert [r["start"].year for r in cat.events("rimpac")] == list(range(1996, 2011, 2))
    assert all(s.kind == "recurring" and not s.multi_event for s in cat.series.values())
    assert cat.series["cobra-gold"].name == "Cobra Gold"
    # the written rows are the imported rows
    with open(out, encoding="utf-8", newline="") as fh:
        assert [dict(r) for r in csv.DictReader(fh)] == [dict(r) for r in sample.rows]


def test_round_trip_mme_without_series_file(tmp_path, sample):
    out = tmp_path / "exercises.csv"
    write_catalogue(sample, out)
    (tmp_path / "series.csv").unlink()
    assert len(load_catalogue(out, warn=False).series) == 7


def test_round_trip_table(tmp_path, table):
    out = tmp_path / "exercises.csv"
    write_catalogue(table, out)
    cat = load_catalogue(out, warn=False)
    assert len(cat) == 9
    assert cat.series_ids() == ["baltops", "sea-breeze", "strategic-cpx"]
    s = cat.series["strategic-cpx"]
    assert s.kind == "rotating" and s.directions == ("zapad", "vostok", "tsentr")
    assert len(cat.events("sea-breeze")) == 4


def test_events_per_year_multiple(tmp_path):
    rows = [mme_row("1", name="A 2001"), mme_row("2", name="B 2001", start="9/1/01", split=("2001", "9", "1"))]
    res = import_mme(write_mme(tmp_path / "mme.csv", rows))
    out = tmp_path / "out" / "exercises.csv"
    out.parent.mkdir()
    write_catalogue(res, out)
    assert "multiple" in (out.parent / "series.csv").read_text()
    assert load_catalogue(out, warn=False).series["cobra-gold"].multi_event


def test_writing_over_the_input_is_refused(tmp_path, sample):
    copy = tmp_path / "mme.csv"
    shutil.copy(MME_SAMPLE, copy)
    res = import_mme(copy)
    before = copy.read_bytes()
    with pytest.raises(OutputError, match="input file"):
        write_catalogue(res, copy)
    with pytest.raises(OutputError, match="input file"):
        write_catalogue(sample, copy, inputs=[copy])
    assert copy.read_bytes() == before
    assert not (tmp_path / "series.csv").exists()


def test_output_named_series_csv_is_refused(tmp_path, sample):
    with pytest.raises(OutputError, match="series.csv"):
        write_catalogue(sample, tmp_path / "series.csv")


def test_output_in_missing_directory(tmp_path, sample):
    with pytest.raises(OutputError, match="does not exist"):
        write_catalogue(sample, tmp_path / "no" / "exercises.csv")


def test_invalid_import_leaves_no_file(tmp_path):
    res = import_mme(write_mme(tmp_path / "mme.csv", [mme_row("1", start="-9", split=("-9", "-9", "-9"))]))
    assert res.counts == {"input_rows": 1, "imported": 0, "imported_with_fixes": 0, "skipped": 1}
    out = tmp_path / "out" / "exercises.csv"
    out.parent.mkdir()
    with pytest.raises(DataError, match="nothing was written") as info:
        write_catalogue(res, out)
    assert str(out) in str(info.value) and "drillcast-import-" not in str(info.value)
    assert sorted(out.parent.iterdir()) == []


def test_existing_series_file_is_kept(tmp_path, sample):
    out = tmp_path / "exercises.csv"
    write_catalogue(sample, out)
    series = tmp_path / "series.csv"
    edited = series.read_text(encoding="utf-8").replace("Cobra Gold", "Cobra Gold (edited)")
    series.write_text(edited, encoding="utf-8")
    summary = write_catalogue(sample, out)
    assert not summary.series_written and "kept the existing" in summary.text()
    assert series.read_text(encoding="utf-8") == edited


def test_existing_series_file_lacking_series_leaves_no_file(tmp_path, sample):
    series = tmp_path / "series.csv"
    series.write_text("id,kind\nrimpac,recurring\n", encoding="utf-8")
    out = tmp_path / "exercises.csv"
    with pytest.raises(DataError, match="must list every imported series") as info:
        write_catalogue(sample, out)
    assert "cobra-gold" in str(info.value)
    assert not out.exists()
    assert series.read_text(encoding="utf-8") == "id,kind\nrimpac,recurring\n"


def test_formula_cells_are_neutralised(tmp_path):
    res = import_mme(write_mme(tmp_path / "mme.csv", [mme_row("1", name="=HYPERLINK(1)")]))
    out = tmp_path / "exercises.csv"
    write_catalogue(res, out)
    assert load_catalogue(out, warn=False).records[0]["name"] == "'=HYPERLINK(1)"


# --------------------------------------------------------------------------- generic tables


def test_table_counts_and_skips(table):
    assert table.counts == {"input_rows": 12, "imported": 9, "imported_with_fixes": 3, "skipped": 3}
    assert table.counts["input_rows"] == data_records(TABLE)
    skipped = {e.line: e.reason for e in table.skipped()}
    assert skipped[5] == "exact duplicate of line 4"
    assert "sometime in 2020" in skipped[8] and "not m/d/yyyy" in skipped[12]
    text = table.report_text()
    for line, reason in skipped.items():
        assert f"line {line}: {reason}" in text


def test_table_rows(table):
    r = {x["id"]: x for x in table.rows}
    assert list(r) == ["SEA-BREEZE-2019-1", "SEA-BREEZE-2020-1", "SEA-BREEZE-2021-1", "SEA-BREEZE-2018-1",
                       "BALTOPS-2019-1", "STRATEGIC-CPX-2017-1", "STRATEGIC-CPX-2018-1", "STRATEGIC-CPX-2019-1",
                       "BALTOPS-2020-1"]
    assert r["SEA-BREEZE-2019-1"]["participants"] == "UKR;USA;TUR"
    assert (r["SEA-BREEZE-2020-1"]["start_date"], r["SEA-BREEZE-2020-1"]["participants"]) == ("2020-07-20", "UKR;USA;TUR")
    assert r["SEA-BREEZE-2021-1"]["participants"] == "UKR;USA;GBR;GEO"
    assert r["SEA-BREEZE-2021-1"]["notes"] == "large edition, 32 states"
    assert r["SEA-BREEZE-2018-1"]["start_date"] == "2018-07" and "Narnia" in r["SEA-BREEZE-2018-1"]["notes"]
    assert r["BALTOPS-2019-1"]["end_date"] == ""
    assert r["BALTOPS-2020-1"]["sources"] == TABLE_SOURCE
    assert r["STRATEGIC-CPX-2018-1"]["direction"] == "vostok"
    assert all(x["confidence"] == "low" and x["status"] == "held" for x in r.values())
    assert table.unmapped_names == {"Narnia": 1}


def test_map_option_equals_map_file():
    text = ("name=Exercise,series=Series,start_date=Start,end_date=End,participants=Countries,"
            "direction=Direction,sources=Link,notes=Remarks")
    assert parse_map_option(text) == load_mapping_file(TABLE_MAP)
    a = import_table(TABLE, parse_map_option(text), source=TABLE_SOURCE)
    b = import_table(TABLE, mapping_file=TABLE_MAP, source=TABLE_SOURCE)
    assert a.rows == b.rows


def test_table_without_mapping_uses_drillcast_names(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("ID,Name,Series,Start_Date,Participants,Status,Confidence,Direction,Other\n"
                 "A-1,Zapad 2021,Strategic,2021-09-10,RUS;BLR,held,HIGH,zapad,x\n"
                 "A-2,Whatever,,2022-01,,CANCELLED,,none,y\n", encoding="utf-8")
    res = import_table(p, source=TABLE_SOURCE)
    assert [r["id"] for r in res.rows] == ["A-1", "A-2"]
    assert res.rows[0]["confidence"] == "high" and res.rows[1]["status"] == "cancelled"
    assert res.rows[0]["direction"] == "" and res.rows[1]["direction"] == ""  # one direction only / no series
    assert res.ignored_columns == ("Other",)
    write_catalogue(res, tmp_path / "exercises.csv")


@pytest.mark.parametrize("cell, expected", [
    ("Canada;Korea, Republic of", "CAN;KOR"), ("can|usa", "CAN;USA"), ("United States, USA", "USA"),
])
def test_table_participant_separators(tmp_path, cell, expected):
    p = tmp_path / "t.csv"
    p.write_text(f'Start,Who\n2020-01-01,"{cell}"\n', encoding="utf-8")
    res = import_table(p, {"start_date": "Start", "participants": "Who"}, source=TABLE_SOURCE)
    assert res.rows[0]["participants"] == expected
    assert res.rows[0]["id"] == "EX-2020-1"


def test_table_bad_values(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("id,start_date,status,primary,confidence,end_date,sources\n"
                 "a b,2020-01-01,held,maybe,sure,never,https://a.org/x\n"
                 "x2,2020-01-02,happened,yes,low,,https://a.org/x\n"
                 "x3,2020-01-03,,no,,,\n", encoding="utf-8")
    res = import_table(p)
    assert res.counts == {"input_rows": 3, "imported": 1, "imported_with_fixes": 1, "skipped": 2}
    r = res.rows[0]
    assert (r["id"], r["primary"], r["confidence"], r["end_date"]) == ("A-B", "yes", "low", "")
    reasons = {e.line: e.reason for e in res.entries}
    assert "status 'happened'" in reasons[3] and "give --source URL" in reasons[4]


@pytest.mark.parametrize("text, iso", [
    ("2021-09-10", "2021-09-10"), ("2021-09", "2021-09"), ("2021", "2021"), ("2021-9-1", "2021-09-01"),
    ("2021-09-10T08:00:00Z", "2021-09-10"), ("2021-09-10 00:00:00", "2021-09-10"),
    ("9/10/2021", "2021-09-10"), ("10 September 2021", "2021-09-10"), ("10 Sept. 2021", "2021-09-10"),
    ("September 10, 2021", "2021-09-10"), ("Sep 2021", "2021-09"), ("1st March 2020", "2020-03-01"),
])
def test_parse_table_date(text, iso):
    assert parse_table_date(text) == iso


@pytest.mark.parametrize("text", ["13/05/2021", "2021-13", "30 February 2021", "Brumaire 2021", "soon", "9/10/21"])
def test_parse_table_date_refuses(text):
    with pytest.raises(ValueError):
        parse_table_date(text)


@pytest.mark.parametrize("text, match", [
    ("", "empty"),
    ("start_date", "not drillcast_column=TableColumn"),
    ("start_date=", "not drillcast_column=TableColumn"),
    ("=Start", "not drillcast_column=TableColumn"),
    ("start=Start", "did you mean 'start_date'"),
    ("Start=start_date", "did you mean start_date=Start"),
    ("name=A,name=B", "mapped twice"),
    ("name=A,,id=B", "empty pair"),
    ("name=A,", "empty pair"),
])
def test_parse_map_option_errors(text, match):
    with pytest.raises(OptionError, match=match):
        parse_map_option(text)


@pytest.mark.parametrize("content, match", [
    ("{not json", "not valid JSON"), ('["name"]', "JSON object"), ('{"nam": "Exercise"}', "did you mean 'name'"),
    ('{"name": 3}', "non-empty string"),
])
def test_mapping_file_errors(tmp_path, content, match):
    p = tmp_path / "map.json"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(OptionError, match=match):
        load_mapping_file(p)


def test_table_option_errors():
    with pytest.raises(OptionError, match="give --source URL"):
        import_table(TABLE, {"start_date": "Start"})
    with pytest.raises(OptionError, match="no column 'Starts'.*did you mean 'Start'"):
        import_table(TABLE, {"start_date": "Starts"}, source=TABLE_SOURCE)
    with pytest.raises(OptionError, match="no start date column"):
        import_table(TABLE, {"name": "Exercise"}, source=TABLE_SOURCE)
    with pytest.raises(OptionError, match="not a URL"):
        import_table(TABLE, mapping_file=TABLE_MAP, source="file:table.csv")


def test_round_trip_import_validate_forecast_backtest_via_cli(tmp_path):
    """MME file -> catalogue -> validate -> forecast -> backtest -> test, all through the command line."""
    import json
    import subprocess
    import sys

    out = tmp_path / "mme" / "exercises.csv"
    out.parent.mkdir()

    def run(*argv):
        return subprocess.run([sys.executable, "-m", "drillcast", *argv], capture_output=True, text=True, timeout=300)

    r = run("data", "import", "mme", str(FIX / "mme_v7_sample.csv"), "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert "input rows: 27; imported: 24" in r.stderr and out.exists() and (out.parent / "series.csv").exists()
    assert run("data", "validate", str(out)).returncode == 0
    r = run("--catalogue", str(out), "forecast", "--series", "cobra-gold", "--as-of", "2011-01-01", "--format", "json")
    assert r.returncode == 0, r.stderr
    (fc,) = json.loads(r.stdout)["forecasts"]
    assert fc["status"] == "ok" and 0 < fc["years"][0]["p_held"] <= 1 and fc["track_record"]["n"] >= 1
    r = run("--catalogue", str(out), "forecast", "--series", "all", "--as-of", "2011-01-01", "--format", "json")
    statuses = {f["series"]: f["status"] for f in json.loads(r.stdout)["forecasts"]}
    assert statuses["cobra-gold"] == "ok" and statuses["rimpac"] == "ok"
    assert "insufficient_data" in statuses.values()  # one-off series are reported, not forecast
    r = run("--catalogue", str(out), "backtest", "--series", "cobra-gold", "--from", "2006", "--to", "2010",
            "--models", "ensemble,uniform", "--format", "json")
    assert r.returncode == 0, r.stderr
    folds = json.loads(r.stdout)["folds"]
    assert {f["model"] for f in folds} == {"ensemble", "uniform"} and all(f["cutoff"] < f"{f['year'] + 1}" for f in folds)
    assert run("--catalogue", str(out), "test", "all", "--series", "rimpac", "--as-of", "2011-01-01").returncode == 0


def test_csv_import_through_the_cli(tmp_path, capsys):
    """`data import csv` with a mapping file, then with --map, and the errors of a missing mapping or source."""
    from drillcast.cli import main

    out = tmp_path / "t" / "exercises.csv"
    out.parent.mkdir()
    src = str(FIX / "table_exercises.csv")
    assert main(["data", "import", "csv", src, "--map-file", str(FIX / "table_map.json"), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "input rows:" in err and out.exists()
    assert main(["data", "validate", str(out)]) == 0
    capsys.readouterr()
    out2 = tmp_path / "u" / "exercises.csv"
    out2.parent.mkdir()
    assert main(["data", "import", "csv", src, "--map", "name=Exercise,series=Series,start_date=Start",
                 "--source", "https://example.org/table", "-o", str(out2)]) == 0
    capsys.readouterr()
    assert main(["data", "import", "csv", src, "-o", str(tmp_path / "v.csv")]) == 2
    assert "--map" in capsys.readouterr().err and not (tmp_path / "v.csv").exists()
    assert main(["data", "import", "csv", src, "--map", "name=Exercise,series=Series,start_date=Start",
                 "-o", str(tmp_path / "w.csv")]) == 2
    assert "--source" in capsys.readouterr().err and not (tmp_path / "w.csv").exists()
    assert main(["data", "import", "csv", src, "--map", "nmae=Exercise", "-o", str(tmp_path / "x.csv")]) == 2
    assert "did you mean 'name'" in capsys.readouterr().err


def test_import_creates_the_output_folder_and_says_so(tmp_path, monkeypatch, capsys):
    from drillcast.cli import main

    monkeypatch.chdir(tmp_path)
    src = FIX / "mme_v7_sample.csv"
    assert main(["data", "import", "mme", str(src), "-o", "new/sub/exercises.csv"]) == 0
    err = capsys.readouterr().err
    assert "created folder new\n" in err and "created folder new/sub\n" in err
    assert (tmp_path / "new" / "sub" / "exercises.csv").is_file()
    assert main(["data", "import", "mme", str(src), "-o", "other/exercises.csv", "--no-create"]) == 2
    assert "other does not exist" in capsys.readouterr().err and not (tmp_path / "other").exists()
