"""Edits under a lock, appended in place; a ledger checked wherever it is read (issue 25)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from drillcast.cli import main
from drillcast.data.catalogue import load_catalogue
from drillcast.errors import DataError
from drillcast.forecasting import Forecaster
from drillcast.ledger import Ledger, entry_sha256

from .conftest import REC_SERIES, ROT_SERIES, cycle_events, write_catalogue

NOW = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.timezone.utc)
SRC = "https://example.org/source"


@pytest.fixture
def cat_path(tmp_path):
    return write_catalogue(tmp_path / "cat", cycle_events(), [ROT_SERIES, REC_SERIES])


def _add_argv(path, eid, year):
    return ["--catalogue", str(path), "data", "add", "--id", eid, "--name", eid, "--series", "rec",
            "--start", f"{year}-05-01", "--status", "held", "--participants", "RUS", "--domain", "land",
            "--confidence", "high", "--source", SRC]


# --------------------------------------------------------------------------- edits


_ADDER = """
import os, sys, time
import drillcast.data.edit, drillcast.data.catalogue, drillcast.cli.commands  # imported before the start
from drillcast.cli import main
open(sys.argv[1] + "." + str(os.getpid()), "w").close()  # ready
while not os.path.exists(sys.argv[1]):  # all four start editing at once
    time.sleep(0.001)
sys.exit(main(sys.argv[2:]))
"""


def test_four_concurrent_adds_keep_four_events(cat_path, tmp_path):
    import drillcast

    env = dict(os.environ, PYTHONPATH=str(Path(drillcast.__file__).parents[1]))  # the drillcast under test
    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", _ADDER, str(go), *_add_argv(cat_path, f"C-{i}", 2010 + i)],
                              cwd=cat_path.parent, env=env, stderr=subprocess.PIPE) for i in range(4)]
    while len(list(tmp_path.glob("go.*"))) < 4 and all(p.poll() is None for p in procs):
        time.sleep(0.01)
    go.touch()
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    ids = {r["id"] for r in load_catalogue(cat_path).records}
    assert {f"C-{i}" for i in range(4)} <= ids


def test_a_catalogue_reached_by_two_names_takes_one_lock(cat_path, tmp_path):
    from filelock import SoftFileLock, Timeout

    from drillcast._io import edit_lock

    link = tmp_path / "link"
    link.symlink_to(cat_path.parent)
    with edit_lock(link, folder=True):
        with pytest.raises(Timeout):
            SoftFileLock(str(cat_path.parent.resolve() / ".drillcast.lock")).acquire(timeout=0.01)
    assert sorted(p.name for p in cat_path.parent.iterdir()) == ["exercises.csv", "series.csv"]  # removed


def test_a_ledger_reached_by_a_symlink_takes_the_ledgers_own_lock(tmp_path, cat_path):
    """Two paths to one ledger: a recorder through the link waits for the lock held on the real path."""
    import drillcast.ledger as ledger_module
    from drillcast._io import edit_lock

    cat = load_catalogue(cat_path)
    real = tmp_path / "ledger.jsonl"
    Ledger(real).record([Forecaster().fit(cat.as_of(dt.date(2020, 1, 1)), "rot").forecast(horizon=1)], cat, now=NOW)
    link = tmp_path / "other-name.jsonl"
    link.symlink_to(real)
    fc = [Forecaster().fit(cat.as_of(dt.date(2020, 1, 1)), "rot").forecast(horizon=1)]
    with edit_lock(real):
        old = ledger_module.LOCK_TIMEOUT
        ledger_module.LOCK_TIMEOUT = 0.05
        try:
            with pytest.raises(Exception, match="locked by another"):
                Ledger(link).record(fc, cat, now=NOW)
        finally:
            ledger_module.LOCK_TIMEOUT = old
    assert Ledger(real).verify().n_entries == 1


def test_an_added_event_is_a_one_line_diff_and_rows_keep_their_order(cat_path, capsys):
    before = cat_path.read_bytes().decode().splitlines(keepends=True)
    assert main(_add_argv(cat_path, "Z-FIRST", 2005)) == 0  # sorts before many rows; appended all the same
    after = cat_path.read_bytes().decode().splitlines(keepends=True)
    assert after[:-1] == before and after[-1].startswith("Z-FIRST,")
    # a status change rewrites that row's line only
    assert main(["--catalogue", str(cat_path), "data", "add", "--id", "R-2003", "--confidence", "low"]) == 0
    changed = cat_path.read_bytes().decode().splitlines(keepends=True)
    diff = [i for i, (a, b) in enumerate(zip(after, changed)) if a != b]
    assert len(changed) == len(after) and len(diff) == 1 and changed[diff[0]].startswith("R-2003,")


def test_a_row_with_an_extra_cell_is_refused_not_dropped(cat_path, capsys):
    lines = cat_path.read_bytes().decode().splitlines(keepends=True)
    lines[3] = lines[3].rstrip("\n") + ",stray\n"
    cat_path.write_text("".join(lines))
    before = cat_path.read_bytes()
    assert main(_add_argv(cat_path, "C-9", 2019)) == 2
    err = capsys.readouterr().err
    assert f"{cat_path}:4: the row has" in err and "nothing was written" in err
    assert cat_path.read_bytes() == before


def test_an_unknown_id_with_a_status_names_the_id_not_another_row(cat_path, capsys):
    before = cat_path.read_bytes()
    assert main(["--catalogue", str(cat_path), "data", "add", "--id", "R-20O3", "--status", "cancelled"]) == 2
    err = capsys.readouterr().err
    assert "--id: 'R-20O3' is not an event of the catalogue (did you mean 'R-20" in err
    assert ":2" not in err.replace(str(cat_path), "") and cat_path.read_bytes() == before


def test_held_is_not_later_than_today_and_through_not_later_than_today(cat_path, capsys):
    from drillcast.data.dates import today

    ahead = today() + dt.timedelta(days=400)
    before = cat_path.read_bytes(), cat_path.with_name("series.csv").read_bytes()
    argv = _add_argv(cat_path, "F-1", ahead.year)
    argv[argv.index("--start") + 1] = ahead.isoformat()
    assert main(argv) == 2
    assert "--status: held, but the start" in capsys.readouterr().err
    argv[argv.index("--status") + 1] = "announced"
    for through in (today() + dt.timedelta(days=1), dt.date(2200, 12, 31)):
        assert main(["--catalogue", str(cat_path), "data", "checked", "--series", "rot", "--through",
                     through.isoformat(), "--note", "x"]) == 2
        assert "--through: " in capsys.readouterr().err
    assert (cat_path.read_bytes(), cat_path.with_name("series.csv").read_bytes()) == before
    assert main(argv) == 0  # announced for a future date is fine


def test_data_checked_rewrites_one_line_of_series_csv(cat_path, capsys):
    sp = cat_path.with_name("series.csv")
    before = sp.read_bytes().decode().splitlines()
    assert main(["--catalogue", str(cat_path), "data", "checked", "--series", "rec", "--through", "2020-01-01",
                 "--note", "searched"]) == 0
    after = sp.read_bytes().decode().splitlines()
    assert [i for i, (a, b) in enumerate(zip(before, after)) if a != b] == [2] and len(after) == len(before)


# --------------------------------------------------------------------------- ledger reading


@pytest.fixture
def ledger(tmp_path, cat_path):
    cat = load_catalogue(cat_path)
    led = Ledger(tmp_path / "ledger.jsonl")
    for y in (2018, 2019):
        led.record([Forecaster().fit(cat.as_of(dt.date(y, 1, 1)), "rot").forecast(horizon=1)], cat, now=NOW)
    return led


def _rewrite_last(led, change):
    """Change the last entry with ``change(entry_text) -> text`` and re-hash it, as a forger would."""
    lines = led.path.read_bytes().split(b"\n")[:-1]
    text = change(lines[-1].decode())
    lines[-1] = text.encode()
    led.path.write_bytes(b"\n".join(lines) + b"\n")


def _resealed(mutate):
    def change(text):
        e = json.loads(text)
        mutate(e)
        e["sha256"] = entry_sha256(e)
        return json.dumps(e, sort_keys=True, separators=(",", ":"))
    return change


@pytest.mark.parametrize("change,kind,needle", [
    (lambda t: t.replace('"p_held":', '"p_held":NaN,"x":', 1), "corrupt", "NaN"),
    (lambda t: t.replace('"year":', '"year":1,"year":', 1), "corrupt", "the key 'year' twice"),
    (lambda t: t[:-1] + ',"deep":' + "[" * 5000 + "]" * 5000 + "}", "corrupt", "nests deeper"),
    (lambda t: t[:-1] + ',"big":' + "9" * 5000 + "}", "corrupt", "5000 digits"),
    (lambda t: t[:-1] + ',"big":1e999}', "corrupt", "too large"),
    (_resealed(lambda e: e["forecast"].update(p_held=7.5)), "invalid", "'p_held' is not a probability"),
    (_resealed(lambda e: e.update(year="2019")), "invalid", "'year' is not a year"),
    (_resealed(lambda e: e["forecast"].update(count_pmf=None)), "invalid", "'count_pmf'"),
    (_resealed(lambda e: e.update(kind="mystery")), "invalid", "kind 'mystery'"),
])
def test_a_bad_entry_is_a_finding_naming_its_line_never_an_internal_error(ledger, cat_path, capsys, change, kind,
                                                                          needle):
    _rewrite_last(ledger, change)
    v = ledger.verify()
    assert not v.ok and v.problem.kind == kind and v.problem.line == 2 and needle in v.problem.message
    for argv in (["ledger", "verify"], ["--catalogue", str(cat_path), "ledger", "score"],
                 ["--catalogue", str(cat_path), "ledger", "diff", "--series", "rot", "--year", "2019"]):
        assert main([*argv, "--ledger", str(ledger.path)]) == 2
        err = capsys.readouterr().err
        assert ":2: entry 2" in err and "internal error" not in err


def test_a_trailing_blank_line_is_named_and_repaired(ledger, capsys):
    intact = ledger.path.read_bytes()
    ledger.path.write_bytes(intact + b"\n")
    v = ledger.verify()
    assert v.problem.kind == "blank" and v.problem.line == 3 and v.n_entries == 2
    assert main(["ledger", "verify", "--repair", "--ledger", str(ledger.path)]) == 0
    assert ledger.path.read_bytes() == intact


def test_repair_of_a_read_only_ledger_is_a_clear_error(ledger, capsys, monkeypatch):
    import drillcast.ledger as ledger_module

    intact = ledger.path.read_bytes()
    ledger.path.write_bytes(intact + b'{"id":3')
    ledger.path.chmod(0o444)

    def denied(path, mode="r", *a, **k):  # what a non-root user meets; root may write a read-only file
        if "+" in mode or "w" in mode:
            raise PermissionError(13, "Permission denied", str(path))
        return open(path, mode, *a, **k)

    if os.geteuid() == 0:
        monkeypatch.setattr(ledger_module, "open", denied, raising=False)
    try:
        assert main(["ledger", "verify", "--repair", "--ledger", str(ledger.path)]) == 2
        err = capsys.readouterr().err
        assert "cannot repair: Permission denied" in err and "internal error" not in err
        assert ledger.path.read_bytes() == intact + b'{"id":3'
    finally:
        ledger.path.chmod(0o644)


def test_an_endless_ledger_is_refused_after_the_limit(monkeypatch):
    import drillcast.ledger_check as lc

    monkeypatch.setattr(lc, "MAX_LEDGER_BYTES", 2**20)
    with pytest.raises(DataError, match="more than 1 MiB read and the ledger does not end"):
        Ledger("/dev/zero").verify()


def test_a_missing_ledger_is_an_error_not_an_empty_record(tmp_path, cat_path, capsys):
    missing = tmp_path / "ledgr.jsonl"
    with pytest.raises(DataError, match="no such ledger"):
        Ledger(missing).score(load_catalogue(cat_path))
    assert main(["--catalogue", str(cat_path), "report", "--series", "rot", "--ledger", str(missing),
                 "-o", str(tmp_path / "r.pdf")]) == 2
    assert "no such ledger" in capsys.readouterr().err
    assert not (tmp_path / "r.pdf").exists()


def test_report_refuses_a_broken_ledger_unless_told_and_then_prints_the_break(ledger, cat_path, tmp_path, capsys):
    from pypdf import PdfReader

    ledger.path.write_bytes(ledger.path.read_bytes().replace(b'"year":2019', b'"year":2020', 1))
    out = tmp_path / "r.pdf"
    base = ["--catalogue", str(cat_path), "--as-of", "2020-06-01", "report", "--series", "rot", "--no-annex",
            "--ledger", str(ledger.path), "-o", str(out)]
    assert main(base) == 2
    err = capsys.readouterr().err
    assert ":2: entry 2 was edited" in err and "--allow-broken-ledger" in err and not out.exists()
    assert main([*base, "--allow-broken-ledger"]) == 0
    text = " ".join(p.extract_text() for p in PdfReader(str(out)).pages)
    assert "The ledger is broken" in " ".join(text.split())


@pytest.mark.parametrize("zone", ["Etc/GMT-14", "Etc/GMT+12"])
def test_ledger_score_today_is_the_utc_date(ledger, cat_path, monkeypatch, zone):
    """At any hour one of these zones has another date than UTC."""
    from drillcast.data.dates import today

    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        assert ledger.score(load_catalogue(cat_path)).settings["today"] == today().isoformat()
    finally:
        monkeypatch.undo()
        time.tzset()


def test_the_forecast_kind_is_registered_and_another_kind_can_be(ledger):
    from drillcast import ledger_check as lc

    assert "forecast" in lc.ENTRY_KINDS
    text = ledger.path.read_bytes().split(b"\n")[0]
    e, why = lc.parse_entry(text)
    assert why is None and lc.check_entry(e) is None and lc.check_entry(dict(e, kind="example")) is not None
    try:
        lc.register_entry_kind("example", lambda entry: None)
        assert lc.check_entry(dict(e, kind="example")) is None
    finally:
        lc.ENTRY_KINDS.pop("example", None)


def test_summary_counts_after_a_capped_problem_list(tmp_path, capsys):
    from drillcast.data.catalogue import inspect_file
    from drillcast.data.validate import MAX_PROBLEMS, ListingStopped

    bad = [dict(e, start_date=f"{2000 + i % 20}-13-01", id=f"B-{i}") for i, e in enumerate(cycle_events() * 15)]
    path = write_catalogue(tmp_path / "bad", bad, [ROT_SERIES, REC_SERIES])
    problems, _ = inspect_file(path)
    last = problems[-1]
    assert isinstance(last, ListingStopped) and not last.complete
    total = sum(p.severity == "error" for p in problems[:-1]) + last.dropped_errors
    assert total >= MAX_PROBLEMS
    assert main(["data", "validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f": at least {total} errors, " in err and f"{MAX_PROBLEMS + 1} errors" not in err


def test_ledger_output_shows_escapes_of_a_path_not_raw_control_characters(ledger, tmp_path, capsys):
    odd = tmp_path / "l\x1b[31mred.jsonl"
    odd.write_bytes(ledger.path.read_bytes())
    assert main(["ledger", "verify", "--ledger", str(odd)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "l\\x1b[31mred.jsonl: intact" in out
    odd.write_bytes(ledger.path.read_bytes() + b"{")
    assert main(["ledger", "verify", "--ledger", str(odd)]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\\x1b[31m" in err


def test_a_catalogue_reached_through_a_symlink_is_read_with_its_own_series(cat_path, tmp_path, capsys):
    other = tmp_path / "other"
    write_catalogue(other, [], [dict(ROT_SERIES, checked_through="2010-12-31"), REC_SERIES])
    (other / "exercises.csv").unlink()
    (other / "exercises.csv").symlink_to(cat_path)
    assert load_catalogue(other / "exercises.csv").checked_through("rot") == dt.date(2099, 12, 31)
    # and an edit through the link changes the real catalogue's series.csv, under the real folder's lock
    assert main(["--catalogue", str(other / "exercises.csv"), "data", "checked", "--series", "rot",
                 "--through", "2020-01-01", "--note", "searched"]) == 0
    assert load_catalogue(cat_path).checked_through("rot") == dt.date(2020, 1, 1)
    assert "2010-12-31" in (other / "series.csv").read_text()


@pytest.mark.parametrize("what", ["add", "checked", "import"])
def test_every_catalogue_edit_waits_for_the_folders_lock(cat_path, monkeypatch, capsys, what):
    """``data add``, ``data checked`` and an import into the folder all take the folder's lock."""
    import drillcast._io as io_module
    from drillcast._io import edit_lock

    fix = Path(__file__).parent / "fixtures" / "import" / "mme_v7_sample.csv"
    argv = {"add": _add_argv(cat_path, "L-1", 2015),
            "checked": ["--catalogue", str(cat_path), "data", "checked", "--series", "rot", "--through", "2020-01-01",
                        "--note", "x"],
            "import": ["data", "import", "mme", str(fix), "-o", str(cat_path.with_name("imported.csv"))]}[what]
    before = sorted((p.name, p.read_bytes()) for p in cat_path.parent.iterdir())
    monkeypatch.setattr(io_module, "LOCK_TIMEOUT", 0.05)
    with edit_lock(cat_path.parent.resolve(), folder=True):
        assert main(argv) == 2
    assert "locked by another drillcast process" in capsys.readouterr().err
    assert sorted((p.name, p.read_bytes()) for p in cat_path.parent.iterdir()) == before
