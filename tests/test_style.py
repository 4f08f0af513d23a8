"""Every word a user reads is plain: no internal field names or spec syntax in messages, plurals and
articles right for 0, 1 and 2, the option the user typed named in errors."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from drillcast._words import article, plural
from drillcast.cli import main
from tests.conftest import REC_SERIES, ROT_SERIES, write_catalogue

# internal names a message must not show (the CLI names the option the user typed instead)
INTERNAL = ("hypothesis_date", "from_year", "to_year", "truth_as_of", "as_of=", "paired_draws", "n_future",
            "ParameterError", "OptionError", "DataError", "NoneType")
SPEC = re.compile(r"(cycle>|@\?|every:\d|climatology@)")
BAD_NUMBER = re.compile(r"(?<![\d.,])1 (events|years|rows|errors|warnings|problems|fields|directions|entries|days)\b"
                        r"|\(s\)")
BAD_ARTICLE = re.compile(r"\ba (?:[aio]|e(?!u))[a-z]+\b|\ban (?![aeiouh])[a-z]+\b", re.IGNORECASE)


def check_prose(text: str) -> list[str]:
    """Problems of style in ``text`` (empty when clean)."""
    found = [f"internal name {w!r}" for w in INTERNAL if w in text]
    found += [f"spec syntax {m.group(0)!r}" for m in SPEC.finditer(text)]
    found += [f"number {m.group(0)!r}" for m in BAD_NUMBER.finditer(text)]
    found += [f"article {m.group(0)!r}" for m in BAD_ARTICLE.finditer(text)
              if m.group(0).lower() not in ("a one", "an hour")]
    return found


def test_the_checker_catches_what_it_should():
    assert check_prose("give the path of a exercises CSV file") == ["article 'a exercises'"]
    assert check_prose("1 events over 1 years") == ["number '1 events'", "number '1 years'"]
    assert check_prose("H1: biennial (cycle>every:2:*@?)") != []
    assert check_prose("hypothesis_date: 02-30 is not a date") == ["internal name 'hypothesis_date'"]
    assert check_prose("an exercise held in 11 events over 21 years, a uniform guess, 2 event(s)") == \
        ["number '(s)'"]


@pytest.mark.parametrize("n,noun,want", [(0, "event", "0 events"), (1, "event", "1 event"), (2, "event", "2 events"),
                                         (1, "series", "1 series"), (2, "series", "2 series"),
                                         (2, "held primary event", "2 held primary events"),
                                         (2, "entry", "2 entries"), (2, "box", "2 boxes")])
def test_plural(n, noun, want):
    assert plural(n, noun) == want


def test_article():
    assert (article("exercises file"), article("series"), article("uniform")) == \
        ("an exercises file", "a series", "an uniform")  # letters, not sounds: callers avoid 'u' words


@pytest.mark.parametrize("argv", [
    ["test", "seasonality", "--date", "02-30"],
    ["backtest", "--from", "2020", "--to", "2015"],
    ["test", "rotation", "--order", "zapad"],
    ["test", "rotation", "--alpha", "2"],
    ["test", "rotation", "--draws", "0"],
    ["forecast", "--horizon", "0"],
    ["forecast", "--as-of", "2026"],
    ["plot", "power", "--test", "nope", "-o", "x.png"],
])
def test_errors_name_the_option_typed(argv, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    typed = next(a for a in argv if a.startswith("--") and a not in ("--to",))
    assert typed in err and check_prose(err) == [], err


@pytest.mark.parametrize("n_years", [1, 2, 3])
def test_forecast_text_counts_read_plainly_for_small_histories(tmp_path, n_years, capsys):
    ev = [{"id": f"E-{y}", "series": "rec", "start_date": f"{y}-05-10"} for y in range(2020, 2020 + n_years)]
    path = write_catalogue(tmp_path, ev, [ROT_SERIES, REC_SERIES])
    as_of = dt.date(2020 + n_years, 1, 1).isoformat()
    assert main(["--catalogue", str(path), "forecast", "--series", "rec", "--as-of", as_of]) == 0
    out = capsys.readouterr().out
    assert check_prose(out) == [], out


def test_readme_glossary_is_the_one_the_report_prints():
    from pathlib import Path

    from drillcast.present.glossary import TERMS

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Glossary\n"):]
    listed = re.findall(r"^- \*\*(.+?)\*\*: (.+)$", section, flags=re.M)
    assert listed == list(TERMS) and len(TERMS) >= 10
    for term in ("log score", "Brier", "CRPS", "coverage", "power", "as of", "checked through"):
        assert any(term.lower() in t.lower() for t, _ in TERMS), term


def test_test_and_backtest_text_read_plainly(capsys):
    """No spec strings in `test compare`, no 'dated ... dated by', one p-value format, a legend for
    the backtest table's columns."""
    assert main(["test", "all", "--series", "russia-strategic", "--as-of", "2026-01-01", "--draws", "300"]) == 0
    out = capsys.readouterr().out
    assert check_prose(out) == [], out
    assert "dated by" not in out and "e-0" not in out
    assert main(["backtest", "--series", "union-shield", "--models", "pooled,uniform", "--as-of", "2026-01-01"]) == 0
    out = capsys.readouterr().out
    assert check_prose(out) == [] and "80 % cover:" in out and "CRPS d:" in out
