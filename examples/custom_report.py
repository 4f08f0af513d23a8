"""Build a custom PDF report through the Python API.

Two series (Russia's annual strategic exercise and the China-Russia joint
air patrols), as known on 1 June 2025, with only the key judgments, the
forecasts, the track record and the reproducibility section.

Usage::

    python examples/custom_report.py              # writes to a temporary folder
    python examples/custom_report.py out.pdf      # writes out.pdf
"""

import datetime
import sys
import tempfile
from pathlib import Path

from drillcast import load_catalogue
from drillcast.present.report import build_report, write_report

catalogue = load_catalogue(warn=False)
series = [s for s in ("russia-strategic", "joint-air-patrol") if s in catalogue.series]
as_of = datetime.date(2025, 6, 1)

pdf = build_report(
    catalogue,
    series,
    as_of,
    horizon=2,
    sections=["judgments", "forecast", "track_record", "reproducibility"],
    command_line="python examples/custom_report.py",
)

if len(sys.argv) > 1:
    out = Path(sys.argv[1])
else:
    out = Path(tempfile.mkdtemp(prefix="drillcast-")) / f"custom-{as_of}.pdf"
write_report(out, pdf)
print(f"wrote {out} ({len(pdf) / 1024:.0f} KiB): {', '.join(series)} as of {as_of}")
