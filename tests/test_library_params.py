"""Library errors name the Python parameter, seeds are 32-bit everywhere, help(drillcast) lists the API (issue 25)."""

from __future__ import annotations

import datetime as dt
import pydoc

import pytest

import drillcast
from drillcast import Forecaster, analysis
from drillcast.cli import main
from drillcast.errors import ParameterError

AS_OF = dt.date(2025, 1, 1)


@pytest.fixture(scope="module")
def snap():
    return drillcast.load_catalogue().as_of(AS_OF)


def _fitted(snap):
    return Forecaster().fit(snap, "russia-strategic")


CASES = [
    ("model", lambda s: Forecaster("bad")),
    ("model", lambda s: drillcast.forecast(s, "russia-strategic", model="bad")),
    ("model", lambda s: drillcast.get_model("bad")),
    ("model", lambda s: Forecaster(["calendar"])),
    ("counts", lambda s: Forecaster(counts="nope")),
    ("count_half_life", lambda s: Forecaster(count_half_life=-1)),
    ("series", lambda s: Forecaster().fit(s, "nope")),
    ("series", lambda s: Forecaster().fit(s, 3)),
    ("snapshot", lambda s: Forecaster().fit("data/exercises.csv", "russia-strategic")),
    ("years", lambda s: _fitted(s).forecast(years=5)),
    ("years", lambda s: _fitted(s).forecast(years=[2025, "2026"])),
    ("years", lambda s: _fitted(s).forecast(years=[2025, 99999])),
    ("seed", lambda s: _fitted(s).forecast(seed=-1)),
    ("seed", lambda s: _fitted(s).forecast(seed=2**32)),
    ("seed", lambda s: _fitted(s).forecast(seed=1.5)),
    ("seed", lambda s: _fitted(s).forecast().sample(10, seed=-1)),
    ("n", lambda s: _fitted(s).forecast().sample(-3)),
    ("catalogue", lambda s: drillcast.series_history("snapshot", "russia-strategic")),
    ("path", lambda s: drillcast.load_catalogue(123)),
    ("path", lambda s: drillcast.validate_file(123)),
    ("path", lambda s: drillcast.Ledger(123)),
    ("forecasts", lambda s: drillcast.Ledger("never.jsonl").record("forecast", s)),
    ("catalogue", lambda s: drillcast.Ledger("never.jsonl").record([_fitted(s).forecast()], "catalogue")),
    ("catalogue", lambda s: drillcast.Ledger("never.jsonl").score("catalogue")),
    ("catalogue", lambda s: analysis.forecast("catalogue", "russia-strategic")),
    ("series", lambda s: analysis.forecast(s, 123, track_record=False)),
    ("models", lambda s: analysis.backtest(s, "russia-strategic", models=[123])),
    ("history", lambda s: analysis.power_curve("history")),
]


@pytest.mark.parametrize("parameter,call", CASES)
def test_public_functions_raise_parameter_error_naming_the_python_parameter(snap, parameter, call):
    with pytest.raises(ParameterError) as info:
        call(snap)
    assert info.value.parameter == parameter
    assert "--" not in str(info.value)  # never a command-line flag


def test_the_largest_seed_is_accepted_and_reproducible(snap):
    a = _fitted(snap).forecast(seed=2**32 - 1, horizon=1)
    b = _fitted(snap).forecast(seed=2**32 - 1, horizon=1)
    assert a.to_dict() == b.to_dict()


@pytest.mark.parametrize("call", [
    lambda cat: analysis.forecast(cat, "russia-strategic", as_of=AS_OF, seed=-1, track_record=False),
    lambda cat: analysis.backtest(cat, "russia-strategic", as_of=AS_OF, seed=2**32, models=["uniform"]),
    lambda cat: analysis.hypothesis_tests(cat, "russia-strategic", "rotation", as_of=AS_OF, seed=-1),
    lambda cat: analysis.figure("timeline", cat, "russia-strategic", as_of=AS_OF, seed=-1),
])
def test_analysis_checks_the_seed_first(call):
    with pytest.raises(ParameterError, match="^seed: "):
        call(drillcast.load_catalogue())


@pytest.mark.parametrize("argv", [
    ["forecast", "--series", "russia-strategic"], ["backtest", "--series", "russia-strategic"],
    ["test", "rotation"], ["report", "-o", "never.pdf"], ["ledger", "record", "--ledger", "never.jsonl"],
    ["plot", "timeline", "-o", "never.png"],
])
@pytest.mark.parametrize("seed", ["-1", str(2**32)])
def test_every_command_refuses_a_seed_out_of_range(argv, seed, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main([*argv, "--seed", seed]) == 2
    err = capsys.readouterr().err
    assert f"--seed: {seed} is not allowed" in err and "internal error" not in err
    assert list(tmp_path.iterdir()) == []


def test_help_lists_the_public_names():
    text = pydoc.render_doc(drillcast, renderer=pydoc.plaintext)
    assert set(drillcast.__all__) <= set(dir(drillcast))
    assert all(name in text for name in drillcast.__all__)
