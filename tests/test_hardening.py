"""Hardening, round two (issue 17): output semantics, all-or-nothing writes, signals, UTC 'today',
bounded resources, terminal-safe text. Bad-input attacks live in tests/corpus/ (test_corpus.py)."""

from __future__ import annotations

import datetime as dt
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from drillcast._io import OutputTransaction, atomic_write, check_output_path
from drillcast.cli import main
from drillcast.errors import OutputError, ParameterError

from .conftest import ROT_SERIES, write_catalogue

SRC = str(Path(__file__).resolve().parents[1] / "src")


def _env(**extra):
    return dict(os.environ, PYTHONPATH=SRC, OPENBLAS_NUM_THREADS="1", **extra)


@pytest.fixture
def umask022():
    old = os.umask(0o022)
    yield
    os.umask(old)


# --------------------------------------------------------------------------- output semantics


def test_output_dash_is_stdout(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["data", "series", "--format", "json", "-o", "-"]) == 0
    out, err = capsys.readouterr()
    assert out.lstrip().startswith("[") and '"series": "russia-strategic"' in out and "wrote" not in err
    assert list(tmp_path.iterdir()) == []  # no file called '-'


def test_output_symlink_is_followed_and_stays_a_link(tmp_path, capsys):
    target = tmp_path / "real" / "out.json"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    assert main(["data", "series", "--format", "json", "-o", str(link)]) == 0
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert '"series": "russia-strategic"' in target.read_text()
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.json"]  # no temporary file left


def test_output_fifo_is_written_through_not_replaced(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    atomic_write(fifo, b"through the pipe\n")
    reader.join(10)
    assert got == [b"through the pipe\n"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and [p.name for p in tmp_path.iterdir()] == ["pipe"]


def test_output_dev_null_stays_a_character_device(capsys):
    assert main(["data", "series", "--format", "csv", "-o", "/dev/null"]) == 0
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert not [p for p in Path("/dev").iterdir() if p.name.startswith(".null.")]


def test_new_file_gets_umask_permissions_existing_file_keeps_its_mode(tmp_path, umask022):
    new = tmp_path / "new.csv"
    atomic_write(new, "a\n")
    assert stat.S_IMODE(new.stat().st_mode) == 0o644  # 0o666 & ~0o022, not mkstemp's 0o600
    old = tmp_path / "old.csv"
    old.write_text("x")
    old.chmod(0o640)
    atomic_write(old, "b\n")
    assert stat.S_IMODE(old.stat().st_mode) == 0o640 and old.read_text() == "b\n"


def test_same_named_copy_of_the_input_is_refused(tmp_path):
    """The repository's data/exercises.csv while the installed copy is read: same name, same bytes."""
    installed = tmp_path / "site" / "exercises.csv"
    repo = tmp_path / "repo" / "exercises.csv"
    for p in (installed, repo):
        p.parent.mkdir()
        p.write_text("id,name\nE1,x\n")
    with pytest.raises(OutputError, match="this is an input file"):
        check_output_path(repo, [installed])
    hard = tmp_path / "hard.csv"
    os.link(installed, hard)
    with pytest.raises(OutputError, match="this is an input file"):
        check_output_path(hard, [installed])
    repo.write_text("id,name\nE2,y\n")  # different bytes: a different file
    assert check_output_path(repo, [installed]) == repo


# --------------------------------------------------------------------------- all or nothing


def _import_args(tmp_path, *extra):
    table = tmp_path / "t.csv"
    table.write_text("Name,Start\nAlpha,2021-09-01\nBeta,2022-09-01\n")
    return ["data", "import", "csv", str(table), "--map", "name=Name,start_date=Start",
            "--source", "https://example.org/t", "-o", str(tmp_path / "out" / "exercises.csv"), *extra]


def test_import_series_write_failure_leaves_nothing(tmp_path, monkeypatch, capsys):
    import drillcast._io as io_mod

    (tmp_path / "out").mkdir()
    real = os.replace
    calls = []

    def second_fails(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(io_mod.os, "replace", second_fails)
    assert main(_import_args(tmp_path)) == 2
    err = capsys.readouterr().err
    assert "nothing was written" in err and "No space left on device" in err
    assert list((tmp_path / "out").iterdir()) == []  # the catalogue renamed first was taken back


def test_import_with_report_writes_all_three(tmp_path, capsys):
    (tmp_path / "out").mkdir()
    assert main(_import_args(tmp_path, "--report", str(tmp_path / "out" / "r.json"))) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["exercises.csv", "r.json", "series.csv"]


def test_transaction_failed_commit_restores_previous_versions(tmp_path, monkeypatch):
    import drillcast._io as io_mod

    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("old a")
    real = os.replace

    def fail_on_b(src, dst):
        if Path(dst) == b:
            raise OSError(5, "Input/output error")
        return real(src, dst)

    monkeypatch.setattr(io_mod.os, "replace", fail_on_b)
    with pytest.raises(OutputError, match="nothing was written"):
        with OutputTransaction() as tx:
            tx.add(a, "new a")
            tx.add(b, "new b")
    assert a.read_text() == "old a" and sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_transaction_abort_on_exception_leaves_no_temporary_file(tmp_path):
    with pytest.raises(RuntimeError, match="boom"):
        with OutputTransaction() as tx:
            tx.add(tmp_path / "x.txt", "x")
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(OutputError, match="given twice"):
        with OutputTransaction() as tx:
            tx.add(tmp_path / "y.txt", "1")
            tx.add(tmp_path / "y.txt", "2")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- signals

_SIGNAL_CHILD = """
import os, signal, sys
import drillcast._io as io_mod
real = os.replace
def replace(src, dst):
    os.kill(os.getpid(), signal.{sig})
    return real(src, dst)
io_mod.os.replace = replace
from drillcast.cli import main
sys.exit(main(["data", "series", "--format", "json", "-o", sys.argv[1]]))
"""


@pytest.mark.parametrize("sig, code", [("SIGTERM", 143), ("SIGHUP", 129)])
def test_sigterm_and_sighup_clean_up_like_ctrl_c(tmp_path, sig, code):
    out = tmp_path / "x.json"
    out.write_text("previous")
    proc = subprocess.run([sys.executable, "-c", _SIGNAL_CHILD.format(sig=sig), str(out)],
                          capture_output=True, text=True, env=_env(), timeout=120)
    assert proc.returncode == code, proc.stderr
    assert proc.stderr.strip().splitlines() == [f"drillcast: terminated by {sig}; no output was written"]
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"] and out.read_text() == "previous"


# --------------------------------------------------------------------------- today, ranges


def test_today_is_the_utc_date_in_every_time_zone():
    code = "from drillcast.analysis import today; print(today())"
    dates = {tz: subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                env=_env(TZ=tz), timeout=60).stdout.strip()
             for tz in ("Pacific/Kiritimati", "America/Adak")}  # UTC+14 and UTC-10: always different local dates
    utc = dt.datetime.now(dt.timezone.utc).date().isoformat()
    assert set(dates.values()) <= {utc, (dt.date.fromisoformat(utc) + dt.timedelta(days=1)).isoformat()}
    assert len(set(dates.values())) == 1, dates


def test_help_says_today_is_utc(capsys):
    with pytest.raises(SystemExit):
        main(["forecast", "--help"])
    assert "today's date in UTC" in capsys.readouterr().out


def test_library_bounds_horizon_and_as_of(tmp_path):
    from drillcast.data.catalogue import load_catalogue
    from drillcast.evaluation.backtest import backtest
    from drillcast.forecasting import Forecaster

    cat = load_catalogue()
    for bad in (0, 51, 100_000):
        with pytest.raises(ParameterError, match="from 1 to 50") as info:
            Forecaster("uniform").fit(cat.as_of(dt.date(2025, 1, 1)), "joint-sea").forecast(horizon=bad)
        assert info.value.parameter == "horizon"
    with pytest.raises(ParameterError, match="from 1 to 50") as info:
        backtest(cat, "joint-sea", horizon=1000, models=["uniform"], summary=False)
    assert info.value.parameter == "horizon"
    for bad in (dt.date(9999, 12, 31), dt.date(1, 1, 1)):
        with pytest.raises(ParameterError, match="1800-01-01 to 2200-12-31") as info:
            cat.as_of(bad)
        assert info.value.parameter == "as_of"
    fc = Forecaster("uniform").fit(cat.as_of(dt.date(2200, 12, 31)), "joint-sea").forecast(horizon=50)
    assert fc.years[-1].year == 2249


# --------------------------------------------------------------------------- terminal-safe text


def test_csv_to_a_terminal_shows_escapes(tmp_path, monkeypatch, capsys):
    path = write_catalogue(tmp_path, [{"id": "E1", "series": "rot", "direction": "a", "start_date": "2021-09-01",
                                       "notes": "\x1b]0;owned\x07 \u202etxt.exe"}], [ROT_SERIES])
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["--catalogue", str(path), "data", "show", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert "\\x1b]0;owned\\x07 \\u202etxt.exe" in out and "\x1b" not in out and "\u202e" not in out
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)  # to a file or a pipe: the data as it is
    assert main(["--catalogue", str(path), "data", "show", "--format", "csv"]) == 0
    assert "\x1b]0;owned\x07" in capsys.readouterr().out


# --------------------------------------------------------------------------- bounded resources


def test_rotation_search_is_chosen_by_budget():
    from drillcast.hypotheses.rotation import SEARCH_MAX_DIRECTIONS, rotation_test_labels

    dirs = [f"d{i}" for i in range(SEARCH_MAX_DIRECTIONS + 1)]
    labels = [dirs[i % len(dirs)] for i in range(2 * len(dirs))]
    r = rotation_test_labels(labels, dirs, draws=200, power=False)
    assert r.details["search"] is False and "beyond the budget" in r.details["budget_note"]
    assert "beyond the budget" in r.reading and r.statistic == len(labels)
    small = rotation_test_labels(labels[:8], dirs[:4], draws=200, power=False)
    assert small.details["search"] is True and small.details["budget_note"] == ""


def test_large_file_peak_memory_stays_under_ten_times_its_size(tmp_path):
    """Many short fields (the first round held every parsed row at once: 26x the file size)."""
    path = tmp_path / "wide.csv"
    with path.open("w", encoding="utf-8") as fh:
        fh.write("id,name,series,start_date,status,sources,confidence," + ",".join(f"c{j}" for j in range(60)) + "\n")
        fh.writelines(f"E{i},x,s{i % 20},{1800 + i // 20 % 400}-09-01,held,https://a.org,high,"
                      + ",".join(f"{j:02d}{i % 7}" for j in range(60)) + "\n" for i in range(20_000))
    size = path.stat().st_size
    code = ("import resource, sys; from drillcast.cli import main; import drillcast.data.catalogue; "
            "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss; rc = main(['data', 'validate', sys.argv[1]]); "
            "print(rc, base, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, env=_env(),
                          timeout=300)
    rc, base, peak = map(int, proc.stderr.split()[-3:])
    assert rc == 0, proc.stdout[-2000:]
    assert (peak - base) * 1024 < 10 * size, (peak - base, size)
