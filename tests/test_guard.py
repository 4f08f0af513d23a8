"""One rule for outputs: no command's output replaces a file the command reads (issue 25).

The walk below finds every command that takes ``-o`` (and every other output option) from the
parser itself, so a new command with ``-o`` fails here until it is given its inputs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest

from drillcast.cli import main
from drillcast.cli.main import build_parser
from drillcast.data.catalogue import load_catalogue
from drillcast.forecasting import Forecaster
from drillcast.ledger import Ledger

from .conftest import REC_SERIES, ROT_SERIES, cycle_events, write_catalogue

FIX = Path(__file__).parent / "fixtures" / "import"
NOW = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.timezone.utc)


def _leaf_parsers(parser, path=()):
    """(command words, parser) of every runnable command."""
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield path, parser
        return
    for name, sub in subs[0].choices.items():
        yield from _leaf_parsers(sub, path + (name,))


def _output_options(parser) -> list[str]:
    """The options of a command that name a file it writes."""
    return [a.option_strings[-1] for a in parser._actions
            if a.option_strings and (a.dest == "output" or a.dest == "report")]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A catalogue, a second catalogue, a ledger with its archive, a --since file, import inputs."""
    tmp = tmp_path_factory.mktemp("guard")
    cat = write_catalogue(tmp / "cat", cycle_events(), [ROT_SERIES, REC_SERIES])
    new = write_catalogue(tmp / "new", cycle_events(last=2021), [ROT_SERIES, REC_SERIES])
    catalogue = load_catalogue(cat)
    ledger = Ledger(tmp / "ledger.jsonl")
    snap = catalogue.as_of(dt.date(2020, 1, 1))
    ledger.record([Forecaster().fit(snap, "rot").forecast(horizon=1)], catalogue, now=NOW)
    archive = sorted((tmp / "ledger.jsonl.catalogues").glob("*/*.csv"))
    assert [p.name for p in archive] == ["exercises.csv", "series.csv"]
    since = tmp / "since.json"
    since.write_text(json.dumps({"as_of": "2020-01-01", "forecasts": []}))
    table = tmp / "table.csv"
    shutil.copy(FIX / "table_exercises.csv", table)
    mapping = tmp / "map.json"
    shutil.copy(FIX / "table_map.json", mapping)
    mme = tmp / "mme.csv"
    shutil.copy(FIX / "mme_v7_sample.csv", mme)
    return {"tmp": tmp, "cat": cat, "series": cat.with_name("series.csv"), "new": new,
            "new_series": new.with_name("series.csv"), "ledger": ledger.path, "archive": archive,
            "since": since, "table": table, "map": mapping, "mme": mme}


def _recipes(w):
    """Per command: (arguments without the output, the files it reads, extension of an output it accepts)."""
    c = ["--catalogue", str(w["cat"])]
    cat_in = [w["cat"], w["series"]]
    led = ["--ledger", str(w["ledger"])]
    return {
        ("data", "validate"): ([*c, "data", "validate", str(w["cat"])], cat_in, "txt"),
        ("data", "show"): ([*c, "data", "show"], cat_in, "txt"),
        ("data", "series"): ([*c, "data", "series"], cat_in, "txt"),
        ("data", "import", "mme"): (["data", "import", "mme", str(w["mme"])], [w["mme"]], "csv"),
        ("data", "import", "csv"): (["data", "import", "csv", str(w["table"]), "--map-file", str(w["map"])],
                                    [w["table"], w["map"]], "csv"),
        ("data", "diff"): (["data", "diff", str(w["cat"]), str(w["new"])],
                           [w["cat"], w["series"], w["new"], w["new_series"]], "txt"),
        ("ledger", "score"): ([*c, "ledger", "score", *led], [*cat_in, w["ledger"], *w["archive"]], "txt"),
        ("ledger", "diff"): ([*c, "ledger", "diff", *led, "--series", "rot", "--year", "2020"],
                             [*cat_in, w["ledger"], *w["archive"]], "txt"),
        ("forecast",): ([*c, "forecast", "--series", "rot"], cat_in, "txt"),
        ("outlook",): ([*c, "outlook", "--series", "rot"], cat_in, "txt"),
        ("backtest",): ([*c, "backtest", "--series", "rot"], cat_in, "txt"),
        ("test",): ([*c, "test", "rotation", "--series", "rot"], cat_in, "txt"),
        ("plot",): ([*c, "plot", "timeline", "--series", "rot"], cat_in, "png"),
        ("report",): ([*c, "report", "--series", "rot", *led, "--since", str(w["since"])],
                      [*cat_in, w["ledger"], *w["archive"], w["since"]], "pdf"),
    }


def test_every_command_with_an_output_has_a_recipe(world):
    with_output = {path for path, p in _leaf_parsers(build_parser()) if _output_options(p)}
    assert with_output == set(_recipes(world))


def _cases(w):
    for command, (argv, inputs, ext) in _recipes(w).items():
        parser = dict(_leaf_parsers(build_parser()))[command]
        for option in _output_options(parser):
            for i, target in enumerate(inputs):
                yield command, argv, option, target, ext, i


def test_no_output_option_of_any_command_replaces_any_of_its_inputs(world, capsys):
    checked = 0
    links = world["tmp"] / "links"
    links.mkdir(exist_ok=True)
    for command, argv, option, target, ext, i in _cases(world):
        before = {p: p.read_bytes() for p in map(Path, _recipes(world)[command][1])}
        link = links / f"{'-'.join(command)}-{option.lstrip('-')}-{i}.{ext}"
        if not link.is_symlink():
            link.symlink_to(target)
        ways = [link] if ext in ("png", "pdf") else [target, link]  # plots and reports need their extension
        for out in ways:
            extra = ["-o", str(world["tmp"] / "elsewhere.csv")] if option == "--report" else []
            code = main([*argv, *extra, option, str(out)])
            err = capsys.readouterr().err
            assert code == 2, (command, option, out, err)
            assert "input file" in err, (command, option, out, err)
            assert all(p.read_bytes() == b for p, b in before.items()), (command, option, out)
            assert not (world["tmp"] / "elsewhere.csv").exists()
            checked += 1
    assert checked >= 60


def test_outputs_inside_the_ledger_archive_are_refused_even_unread(world, capsys):
    """The archive is the ledger's own: a new file there is refused too (it is not an output folder)."""
    folder = world["archive"][0].parent
    argv = ["--catalogue", str(world["cat"]), "ledger", "score", "--ledger", str(world["ledger"]),
            "-o", str(folder / "new.txt")]
    assert main(argv) == 2
    assert "input file" in capsys.readouterr().err
    assert not (folder / "new.txt").exists()


def test_read_only_output_file_is_refused(tmp_path, world, capsys):
    out = tmp_path / "out.txt"
    out.write_text("keep me\n")
    out.chmod(0o444)
    assert main(["--catalogue", str(world["cat"]), "data", "series", "-o", str(out)]) == 2
    assert "read-only" in capsys.readouterr().err
    assert out.read_text() == "keep me\n"


def test_library_outside_a_command_protects_only_named_inputs(tmp_path):
    """The guard is per command: a library caller writing a file it read earlier is not refused."""
    from drillcast._io import atomic_write, guard_outputs, note_inputs
    from drillcast.errors import OutputError

    f = tmp_path / "a.txt"
    f.write_text("x")
    with guard_outputs():
        note_inputs(f)
        with pytest.raises(OutputError, match="input file"):
            atomic_write(f, "y")
        atomic_write(f, "z", replacing=True)  # an in-place edit says so
    atomic_write(f, "w")
    assert f.read_text() == "w"
    assert os.listdir(tmp_path) == ["a.txt"]
