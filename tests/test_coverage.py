"""What the catalogue does not know: coverage dates, honest forecasts about today, and editing
the catalogue from the command line (issue 13)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil

import pytest

from drillcast import analysis
from drillcast.cli import main
from drillcast.data.catalogue import load_catalogue
from tests.conftest import REC_SERIES, ROT_SERIES, cycle_events, write_catalogue

D = dt.date
REPO_DATA = __import__("pathlib").Path(__file__).resolve().parents[1] / "data"


def _copy_bundled(tmp_path):
    folder = tmp_path / "cat"
    folder.mkdir()
    for name in ("exercises.csv", "series.csv"):
        shutil.copy(REPO_DATA / name, folder / name)
    return folder / "exercises.csv"


def test_every_row_has_first_reported_and_every_series_checked_through(bundled):
    assert all(r["first_reported"] is not None for r in bundled.records)
    assert all(info.checked_through is not None and not info.checked_inferred and info.checked_note
               for info in bundled.series.values())


def test_russia_2026_as_of_today_is_not_none_without_a_reported_cancellation(bundled):
    fs = analysis.forecast(bundled, "russia-strategic", as_of=D(2026, 11, 30), track_record=False)
    y = fs["russia-strategic"].year(2026)
    cancelled = [r for r in bundled.events("russia-strategic")
                 if r["start"].year == 2026 and r["status"] in ("cancelled", "postponed")]
    assert not cancelled
    assert y.outcomes["none"] < 0.5
    assert "not checked after" in y.known and "Tsentr-2026" in y.known
    doc = fs.to_dict()
    assert doc["forecasts"][0]["checked_through"] == bundled.checked_through("russia-strategic").isoformat()
    assert doc["warnings"] and "russia-strategic" in doc["warnings"][0]


def _yearly(last=2020, through="2099-12-31", drop=()):
    ev = [{"id": f"E-{y}", "series": "rec", "start_date": f"{y}-09-15"} for y in range(2001, last + 1)
          if y not in drop]
    return ev, [dict(REC_SERIES, events_per_year="single", checked_through=through), ROT_SERIES]


def test_absence_after_the_check_date_is_not_evidence(tmp_path):
    """Delete the 2020 exercise (first reported at its start, after the check date): as of late 2020 the
    year is still likely held, unlike in a catalogue checked through the as-of date."""
    ev, series = _yearly(drop=(2020,), through="2020-06-30")
    gap = load_catalogue(write_catalogue(tmp_path / "gap", ev, series))
    ev, series = _yearly(drop=(2020,), through="2020-11-30")
    full = load_catalogue(write_catalogue(tmp_path / "full", ev, series))
    as_of = D(2020, 11, 30)
    p_gap = analysis.forecast(gap, "rec", as_of=as_of, model="climatology", track_record=False)["rec"].year(2020)
    p_full = analysis.forecast(full, "rec", as_of=as_of, model="climatology", track_record=False)["rec"].year(2020)
    assert p_gap.p_held > 0.8 and p_full.p_held < 0.2
    # conditioned on no start by the check date: every start quantile comes after 2020-06-30
    assert p_gap.start["q025"] > "2020-06-30"
    # and a past year after the check date with nothing recorded is unknown, not "none"
    h = analysis.forecast(gap, "rec", as_of=D(2021, 3, 1), model="climatology", track_record=False)["rec"]
    # 2001-2019 held (19) + the Jeffreys prior 0.5 each; 2020 is left out rather than counted as "none"
    assert h.model_info["dirichlet_posterior"] == {"held": 19.5, "none": 0.5}


def test_past_backtests_unchanged_when_checked_after_every_cutoff(tmp_path, bundled):
    """The bundled checks end in 2026: every 1 January cutoff up to 2026 sees the same forecasts as a
    catalogue declared complete for ever."""
    path = _copy_bundled(tmp_path)
    sp = path.with_name("series.csv")
    with sp.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        r["checked_through"] = "2099-12-31"
    with sp.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    forever = load_catalogue(path)
    kw = dict(as_of=D(2026, 1, 1), models=["ensemble", "climatology"], summary=False)
    for sid in ("russia-strategic", "joint-sea", "union-shield"):
        a = analysis.backtest(bundled, sid, **kw).folds
        b = analysis.backtest(forever, sid, **kw).folds
        assert a == b and len(a) > 0


def test_imported_catalogue_without_coverage_uses_its_latest_report(tmp_path):
    ev, _ = _yearly(last=2010)
    cat = load_catalogue(write_catalogue(tmp_path, ev))  # no series.csv
    assert cat.checked_through("rec") == D(2010, 9, 15) and cat.series["rec"].checked_inferred
    fs = analysis.forecast(cat, "rec", as_of=D(2011, 1, 1), track_record=False)
    assert "checked through 2010-09-15" in fs.warnings[0]


def test_commands_warn_once_naming_series_and_gap(capsys, tmp_path):
    ev, series = _yearly(through="2020-06-30")
    path = write_catalogue(tmp_path, ev, series)
    for argv in (["forecast", "--series", "rec", "--no-track-record"],
                 ["test", "trend", "--series", "rec", "--draws", "100"],
                 ["plot", "timeline", "--series", "rec", "-o", str(tmp_path / "t.png")]):
        assert main(["--catalogue", str(path), "--as-of", "2020-11-30", *argv]) == 0
        err = capsys.readouterr().err
        warnings = [line for line in err.splitlines() if "warning" in line]
        assert len(warnings) == 1 and "rec (checked through 2020-06-30, 153 days before)" in warnings[0]


# --------------------------------------------------------------------------- data add / checked


def test_data_add_appends_a_valid_event_and_status_change(tmp_path, capsys):
    path = _copy_bundled(tmp_path)
    argv = ["--catalogue", str(path), "data", "add", "--id", "RU-2026-TSENTR", "--status", "held",
            "--start", "2026-09-15", "--source", "https://example.org/tsentr-held"]
    assert main(argv) == 0
    cat = load_catalogue(path)
    row = next(r for r in cat.records if r["id"] == "RU-2026-TSENTR")
    assert row["status"] == "held" and row["start"].text == "2026-09-15"
    assert "https://example.org/tsentr-held" in row["sources"]
    new = ["--catalogue", str(path), "data", "add", "--id", "CNRU-2026-JOINTSEA", "--name", "Joint Sea-2026",
           "--series", "joint-sea", "--start", "2026-07", "--status", "held", "--first-reported", "2026-07",
           "--participants", "CHN;RUS", "--host", "CHN", "--domain", "sea", "--confidence", "low",
           "--source", "https://example.org/js2026"]
    assert main(new) == 0
    cat = load_catalogue(path)
    assert any(r["id"] == "CNRU-2026-JOINTSEA" for r in cat.events("joint-sea"))


@pytest.mark.parametrize("extra,needle", [
    (["--id", "X-1", "--series", "nope", "--name", "x", "--start", "2026", "--status", "held",
      "--participants", "RUS", "--domain", "sea", "--confidence", "low", "--source", "https://e.org/a"],
     "the edit was refused"),
    (["--id", "X-2", "--series", "joint-sea", "--name", "x", "--start", "2026-13-01", "--status", "held",
      "--participants", "RUS", "--domain", "sea", "--confidence", "low", "--source", "https://e.org/a"],
     "start_date"),
    (["--id", "RU-2026-TSENTR", "--series", "joint-sea"], "--series: cannot be changed on the existing event"),
])
def test_refused_edits_leave_the_files_byte_identical(tmp_path, capsys, extra, needle):
    path = _copy_bundled(tmp_path)
    before = path.read_bytes(), path.with_name("series.csv").read_bytes()
    assert main(["--catalogue", str(path), "data", "add", *extra]) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err
    assert (path.read_bytes(), path.with_name("series.csv").read_bytes()) == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["exercises.csv", "series.csv"]


def test_data_add_needs_a_catalogue_to_edit(capsys):
    assert main(["data", "add", "--id", "X", "--status", "held"]) == 2
    assert "--catalogue: no catalogue to edit" in capsys.readouterr().err


def test_data_checked_records_coverage(tmp_path, capsys):
    path = _copy_bundled(tmp_path)
    assert main(["--catalogue", str(path), "data", "checked", "--series", "joint-sea", "--through", "2026-11-30",
                 "--note", "TASS, Xinhua, China MND searched in EN/RU/ZH"]) == 0
    cat = load_catalogue(path)
    assert cat.checked_through("joint-sea") == D(2026, 11, 30)
    assert cat.series["joint-sea"].checked_note.startswith("TASS")
    before = path.with_name("series.csv").read_bytes()
    assert main(["--catalogue", str(path), "data", "checked", "--series", "joint-se", "--through", "2026-11-30",
                 "--note", "x"]) == 2
    assert "did you mean 'joint-sea'" in capsys.readouterr().err
    assert main(["--catalogue", str(path), "data", "checked", "--series", "joint-sea", "--through", "2026-02-30",
                 "--note", "x"]) == 2
    assert "--through" in capsys.readouterr().err
    assert path.with_name("series.csv").read_bytes() == before


def test_data_series_shows_coverage(capsys):
    assert main(["data", "series", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert all(r["checked_through"] and r["primary_held"] <= r["held"] <= r["events"] for r in rows)


@pytest.mark.parametrize("model", ["markov", "strict-rotation", "pooled", "climatology"])
def test_years_after_coverage_are_forecast_not_read_as_none(tmp_path, model):
    """Checked through 2010: as of mid-2013 the unknown 2011-2012 are marginalised over, so 2013's forecast
    equals the three-years-ahead forecast made on 1 January 2011 with the same knowledge."""
    series = [dict(ROT_SERIES, checked_through="2010-12-31"), dict(REC_SERIES, checked_through="2010-12-31")]
    cat = load_catalogue(write_catalogue(tmp_path, cycle_events(2001, 2010), series))
    late = analysis.forecast(cat, "rot", as_of=D(2013, 6, 1), model=model, horizon=1, track_record=False)["rot"]
    early = analysis.forecast(cat, "rot", as_of=D(2011, 1, 1), model=model, horizon=3, track_record=False)["rot"]
    assert late.n_years_used == early.n_years_used == 10
    a, b = late.year(2013).outcomes, early.year(2013).outcomes
    assert a == pytest.approx(b, abs=1e-9)
    assert a["none"] < 0.5


def test_a_start_that_may_have_passed_during_a_coverage_gap_says_so(bundled, capsys):
    assert main(["forecast", "--series", "russia-strategic", "--as-of", "2026-11-30", "--no-track-record"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if line.strip().startswith("2026"))
    assert "may have passed unrecorded" in row
    assert main(["forecast", "--series", "russia-strategic", "--as-of", "2026-01-01", "--no-track-record"]) == 0
    assert "may have passed" not in capsys.readouterr().out
