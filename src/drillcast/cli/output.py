"""How commands hand results to the user: stdout or an atomically written file, JSON, CSV, progress.

Standard library only at top level (the parser must stay instant).
"""

from __future__ import annotations

import csv
import io
import json
import sys

__all__ = ["emit", "to_json", "to_csv", "frame_csv", "Progress", "warn", "MAX_WARNINGS"]

MAX_WARNINGS = 5  # on stderr per command; `data validate` lists every one


def warn(message: str) -> None:
    """One warning line on stderr, terminal-safe."""
    from drillcast.present.text import safe_text

    sys.stderr.write(f"drillcast: warning: {safe_text(message)}\n")


def emit(args, text_or_bytes, inputs=()) -> int:
    """Write to ``-o FILE`` (atomically, never over an input) or to stdout; return exit status 0."""
    out = getattr(args, "output", None)
    if out and out != "-":
        from drillcast._io import atomic_write

        from drillcast.present.text import safe_lines

        atomic_write(out, text_or_bytes, inputs)
        sys.stderr.write(f"drillcast: wrote {safe_lines(out)}\n")
        return 0
    if isinstance(text_or_bytes, str) and sys.stdout.isatty():  # CSV and JSON to a terminal too
        from drillcast.present.text import safe_lines

        text_or_bytes = safe_lines(text_or_bytes)
    if isinstance(text_or_bytes, bytes):
        sys.stdout.buffer.write(text_or_bytes)
    else:
        sys.stdout.write(text_or_bytes if text_or_bytes.endswith("\n") else text_or_bytes + "\n")
    return 0


def to_json(obj) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def to_csv(rows: list[dict], columns, raw: bool = False) -> str:
    """CSV text; cells that a spreadsheet would run as formulas are neutralised unless ``raw``."""
    from drillcast._io import neutralise_cell

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    for r in rows:
        w.writerow({k: (v if raw else neutralise_cell(v)) for k, v in r.items()})
    return buf.getvalue()


def frame_csv(df, raw: bool = False) -> str:
    """A pandas DataFrame as CSV text (missing values as empty cells)."""
    rows = df.astype(object).where(df.notna(), "").to_dict("records")
    return to_csv(rows, df.columns, raw)


class Progress:
    """A one-line progress bar on stderr, shown only on a terminal and only once a job takes over a second."""

    def __init__(self, total: int, label: str):
        import time

        self.total, self.label, self.done = total, label, 0
        self._clock = time.monotonic
        self._start = self._clock()
        self._shown = False
        self._tty = sys.stderr.isatty()

    def step(self, *_):
        self.done += 1
        if self._tty and self._clock() - self._start > 1.0:
            width = 30
            full = int(width * self.done / max(self.total, 1))
            sys.stderr.write(f"\r{self.label} [{'#' * full}{'.' * (width - full)}] {self.done}/{self.total}")
            sys.stderr.flush()
            self._shown = True

    def close(self):
        if self._shown:
            sys.stderr.write("\n")
