"""Run the corpus cases (tests/corpus/cases.json) in this process and print one JSON result per case.

Started by tests/test_corpus.py in a child process whose address space is limited
(``resource.setrlimit(RLIMIT_AS)``), so that a case that exhausts memory fails with
exit 1 (MemoryError) instead of passing slowly. Usage::

    python tests/corpus_child.py CASES.json WORKDIR > results.json

Each case may have a ``setup`` list, run in its fresh folder ``{tmp}`` before the
command: ``["write", NAME, [[TEXT, COUNT], ...]]`` writes the concatenation of
TEXT * COUNT pieces (huge inputs are generated, not stored); ``["loop", NAME]``
makes NAME a symlink to itself; ``["socket", NAME]`` binds a Unix socket at NAME;
``["fifo", NAME, [[TEXT, COUNT], ...]]`` makes a named pipe fed once with that text.
"""

from __future__ import annotations

import io
import json
import os
import socket
import sys
import threading
from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"


def _snapshot(folder: Path):
    return sorted((str(p.relative_to(folder)), p.lstat().st_size, p.lstat().st_mtime_ns)
                  for p in folder.rglob("*") if not p.is_socket() and not p.is_fifo())


def _text(pieces) -> bytes:
    return b"".join(t.encode("utf-8") * n for t, n in pieces)


def _feed(path: Path, data: bytes) -> None:
    try:
        with open(path, "wb") as fh:
            fh.write(data)
    except BrokenPipeError:  # the reader stopped early: that is allowed
        pass


def _setup(tmp: Path, steps, keep):
    for step in steps:
        kind, name = step[0], tmp / step[1]
        if kind == "write":
            name.write_bytes(_text(step[2]))
        elif kind == "loop":
            os.symlink(name.name, name)
        elif kind == "socket":
            s = socket.socket(socket.AF_UNIX)
            s.bind(str(name))
            keep.append(s)
        elif kind == "fifo":
            os.mkfifo(name)
            threading.Thread(target=_feed, args=(name, _text(step[2])), daemon=True).start()
        else:
            raise ValueError(f"unknown setup step {kind!r}")


def run_case(case: dict, tmp: Path) -> dict:
    from drillcast.cli import main

    tmp.mkdir(parents=True)
    keep: list = []
    _setup(tmp, case.get("setup", []), keep)
    argv = [a.replace("{corpus}", str(CORPUS)).replace("{tmp}", str(tmp)) for a in case["argv"]]
    before_corpus, before_tmp = _snapshot(CORPUS), _snapshot(tmp)
    out_b, err_b = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_b, encoding="utf-8", write_through=True)
    err = io.TextIOWrapper(err_b, encoding="utf-8", write_through=True)
    old = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    cwd = os.getcwd()
    os.chdir(tmp)
    try:
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse errors
            code = exc.code
    finally:
        os.chdir(cwd)
        sys.stdout, sys.stderr = old
    for s in keep:
        s.close()
    return {"name": case["name"], "exit": code, "stdout": out_b.getvalue().decode("utf-8", "replace"),
            "stderr": err_b.getvalue().decode("utf-8", "replace"),
            "corpus_unchanged": _snapshot(CORPUS) == before_corpus,
            "tmp_unchanged": _snapshot(tmp) == before_tmp}


def main() -> None:
    cases = json.loads(Path(sys.argv[1]).read_text())["cases"]
    work = Path(sys.argv[2])
    results = [run_case(c, work / f"case{i}") for i, c in enumerate(cases)]
    sys.stdout.write(json.dumps(results))


if __name__ == "__main__":
    main()
