"""The command line: forwarding, light start-up, exit codes, messages, atomic outputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from drillcast.cli import main

from .conftest import REC_SERIES, REPO, ROT_SERIES, cycle_events, write_catalogue

HEAVY = ("numpy", "pandas", "scipy", "statsmodels", "matplotlib", "pycountry")


def run(*argv):
    return subprocess.run([sys.executable, "-m", "drillcast", *argv], capture_output=True, text=True, timeout=300)


def heavy_modules_after(statements: str) -> str:
    """Run ``statements`` in a fresh interpreter; return the list of heavy modules it imported."""
    code = (f"import sys; from drillcast.cli import main\n{statements}\n"
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return out.strip().splitlines()[-1]


def test_help_imports_no_heavy_module():
    assert heavy_modules_after("try:\n    main(['--help'])\nexcept SystemExit:\n    pass") == "[]"


def test_console_script_and_module_both_work():
    r = run("--version")
    assert r.returncode == 0 and r.stdout.startswith("drillcast ")


def test_option_error_exit_2_one_message_no_traceback(capsys):
    assert main(["forecast", "--as-of", "tomorrow"]) == 2
    err = capsys.readouterr().err
    assert "--as-of 'tomorrow'" in err and "YYYY-MM-DD" in err and "Traceback" not in err


@pytest.mark.parametrize("argv,needle", [
    (["forecast", "--horizon", "-1"], "--horizon: -1 is not allowed"),
    (["forecast", "--model", "markof"], "did you mean 'markov'"),
    (["forecast", "--series", "russia-strategik"], "did you mean 'russia-strategic'"),
    (["forecast", "--as-of", "2021-02-30"], "day 30 does not exist in February 2021"),
    (["backtest", "--cutoffs", "2020-13-01"], "month 13 does not exist"),
    (["backtest", "--from", "2020", "--to", "2015"], "--from 2020 is after --to 2015"),
    (["--catalogue", "/nonexistent/x.csv", "data", "show"], "no such file"),
])
def test_bad_options(capsys, argv, needle):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_argparse_errors_exit_2():
    r = run("forecast", "--format", "xml")
    assert r.returncode == 2 and "--format: 'xml' is not a format" in r.stderr and "Traceback" not in r.stderr
    r = run("forecast", "--bogus")
    assert r.returncode == 2 and "unrecognized arguments: --bogus" in r.stderr and "Traceback" not in r.stderr


def test_validate_own_file_reports_each_problem(tmp_path):
    path = write_catalogue(tmp_path, [
        {"id": "A", "series": "rot", "direction": "zapad", "start_date": "2021-02-30"},
        {"id": "B", "series": "rot", "direction": "a", "start_date": "2021-09-01", "status": "done"},
    ], [ROT_SERIES, REC_SERIES])
    r = run("data", "validate", str(path))
    assert r.returncode == 2
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 3
    assert f"{path}:2: column 'direction'" in lines[0]
    assert f"{path}:2: column 'start_date'" in lines[1]
    assert f"{path}:3: column 'status'" in lines[2]
    ok = run("data", "validate")
    assert ok.returncode == 0 and "valid:" in ok.stdout


def test_catalogue_option_on_every_command(tmp_path):
    path = write_catalogue(tmp_path, cycle_events(2001, 2020), [ROT_SERIES, REC_SERIES])
    for argv in (["data", "show", "--format", "json"], ["data", "series", "--format", "json"],
                 ["forecast", "--series", "rot", "--as-of", "2021-01-01", "--format", "json"],
                 ["backtest", "--series", "rot", "--models", "uniform,calendar", "--format", "json"]):
        r = run("--catalogue", str(path), *argv)
        assert r.returncode == 0, r.stderr
        json.loads(r.stdout)
    shown = json.loads(run("--catalogue", str(path), "data", "show", "--format", "json").stdout)
    assert len(shown) == 20 and isinstance(shown[0]["participants"], list) and isinstance(shown[0]["sources"], list)


def test_forecast_json_contract_and_determinism(tmp_path):
    args = ["forecast", "--series", "russia-strategic", "--as-of", "2023-01-01", "--format", "json", "--seed", "0"]
    a, b = run(*args), run(*args)
    assert a.returncode == 0 and a.stdout == b.stdout
    doc = json.loads(a.stdout)
    assert doc["as_of"] == "2023-01-01" and doc["seed"] == 0 and len(doc["catalogue_sha256"]) == 64
    (fc,) = doc["forecasts"]
    assert fc["series"] == "russia-strategic" and fc["status"] == "ok" and fc["n_events_used"] >= 14
    y = fc["years"][0]
    assert y["year"] == 2023
    assert set(y["outcomes"]) == {"zapad", "vostok", "tsentr", "kavkaz", "other", "none"}
    assert set(y["start"]) == {"median", "q025", "q10", "q25", "q75", "q90", "q975"}
    assert "CHN" in y["participants"] and "p_held" in y and "expected_count" in y
    assert fc["track_record"]["n"] >= 5


def test_output_file_atomic_and_never_over_input(tmp_path):
    out = tmp_path / "f.json"
    r = run("forecast", "--series", "joint-sea", "--format", "json", "-o", str(out), "--no-track-record")
    assert r.returncode == 0 and json.loads(out.read_text())["forecasts"]
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]
    path = write_catalogue(tmp_path / "c", cycle_events(2001, 2020), [ROT_SERIES, REC_SERIES])
    before = path.read_bytes()
    r = run("--catalogue", str(path), "data", "show", "--format", "csv", "-o", str(path))
    assert r.returncode == 2 and "input file" in r.stderr and path.read_bytes() == before
    r = run("forecast", "--format", "json", "-o", str(tmp_path / "missing" / "x.json"))
    assert r.returncode == 2 and "does not exist" in r.stderr


def test_csv_export_neutralises_formulas(tmp_path):
    ev = cycle_events(2001, 2004)
    ev[0]["name"] = "=HYPERLINK(\"http://evil\")"
    ev[1]["notes"] = "@SUM(A1)"
    path = write_catalogue(tmp_path, ev, [ROT_SERIES, REC_SERIES])
    safe = run("--catalogue", str(path), "data", "show", "--format", "csv").stdout
    assert "'=HYPERLINK" in safe and "'@SUM" in safe
    raw = run("--catalogue", str(path), "data", "show", "--format", "csv", "--raw").stdout
    assert "\n" + "R-2001,\"=HYPERLINK" in raw


def test_terminal_table_shows_control_characters(tmp_path):
    ev = cycle_events(2001, 2004)
    ev[0]["id"] = "R-X"
    ev[0]["name"] = "bad\x1b[31mred"
    path = write_catalogue(tmp_path, ev, [ROT_SERIES, REC_SERIES])
    r = run("--catalogue", str(path), "data", "show")
    assert r.returncode == 0 and "\x1b" not in r.stdout


def test_unexpected_error_exit_1_and_traceback_only_with_debug(monkeypatch, capsys):
    import drillcast.cli.commands as commands

    def boom(args, argv):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(commands, "run", boom)
    assert main(["data", "series"]) == 1
    err = capsys.readouterr().err
    assert "internal error" in err and "report it" in err and "Traceback" not in err
    with pytest.raises(RuntimeError):
        main(["--debug", "data", "series"])


def test_interrupt_exits_130(monkeypatch, capsys):
    import drillcast.cli.commands as commands

    def interrupted(args, argv):
        raise KeyboardInterrupt

    monkeypatch.setattr(commands, "run", interrupted)
    assert main(["data", "series"]) == 130


def test_readme_test_command_is_what_ci_runs():
    readme = (REPO / "README.md").read_text()
    ci = (REPO / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert ci in readme
    assert os.access(REPO / ".ci" / "run", os.X_OK)


def test_model_names_list_matches_the_models():
    from drillcast.models.names import MODEL_NAMES
    from drillcast.models import MODELS

    assert tuple(MODELS) == MODEL_NAMES
    assert all(m.name == k for k, m in MODELS.items())


def test_option_errors_import_no_heavy_module():
    statements = "main(['forecast', '--horizon', '-1']); main(['forecast', '--model', 'nope'])"
    assert heavy_modules_after(statements) == "[]"


@pytest.mark.parametrize("argv", [
    ["forecast", "--series", "all", "--as-of", "2025-03-01", "--format", "csv", "--seed", "3"],
    ["backtest", "--series", "joint-sea", "--models", "ensemble,markov,uniform", "--format", "csv", "--seed", "3"],
    ["test", "all", "--series", "joint-air-patrol", "--as-of", "2026-01-01", "--format", "json", "--seed", "3"],
])
def test_same_inputs_same_bytes(argv):
    a, b = run(*argv), run(*argv)
    assert a.returncode == 0 and a.stdout and a.stdout == b.stdout


@pytest.mark.parametrize("spelling", [["--series", "joint-sea", "union-shield"], ["--series", "joint-sea,union-shield"],
                                      ["--series", "joint-sea", "--series", "union-shield"]])
def test_several_series_any_spelling(spelling, capsys):
    assert main(["forecast", *spelling, "--as-of", "2024-01-01", "--no-track-record", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [f["series"] for f in doc["forecasts"]] == ["joint-sea", "union-shield"]


def test_coverage_warning_names_series_and_gap(tmp_path, capsys):
    series = [dict(ROT_SERIES, checked_through="2020-10-01"), dict(REC_SERIES, checked_through="2020-10-01")]
    path = write_catalogue(tmp_path, cycle_events(2001, 2020), series)
    assert main(["--catalogue", str(path), "forecast", "--as-of", "2020-10-01", "--format", "json"]) == 0
    out, err = capsys.readouterr()
    doc = json.loads(out)
    assert doc["catalogue_latest_report"] == "2020-09-15" and "warning" not in err
    assert [f["checked_through"] for f in doc["forecasts"]] == ["2020-10-01", "2020-10-01"]
    assert main(["--catalogue", str(path), "forecast", "--as-of", "2021-06-01", "--no-track-record"]) == 0
    err = capsys.readouterr().err
    # 2020-10-01 -> 2021-06-01: 31 + 30 + 31 + 31 + 28 + 31 + 30 + 31 = 243 days
    assert err.count("warning") == 1 and "rec (checked through 2020-10-01, 243 days before)" in err
    assert "rot (checked through 2020-10-01, 243 days before)" in err
