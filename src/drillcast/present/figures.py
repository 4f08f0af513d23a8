"""Figures as bytes: a pyplot-free Figure in the house style, and its rendering to PNG, SVG or PDF.

:func:`drillcast.analysis.figure` computes what a figure shows and draws it with
:mod:`drillcast.present.plotting` on a Figure from :func:`new_figure`;
:func:`figure_bytes` renders it with fixed rcParams and no dates, so the same
inputs give the same bytes.
"""

from __future__ import annotations

import io
import os

from drillcast.errors import OptionError

__all__ = ["new_figure", "figure_bytes", "output_format", "FORMATS"]

FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}


def output_format(path) -> str:
    """``png``, ``svg`` or ``pdf`` from the file name; anything else is an OptionError."""
    ext = os.path.splitext(str(path))[1].lower()
    if ext not in FORMATS:
        shown = f"extension {ext!r}" if ext else "no extension"
        raise OptionError(f"-o: {path} has {shown}; use .png, .svg or .pdf")
    return FORMATS[ext]


def figure_bytes(fig, fmt: str) -> bytes:
    """Render ``fig`` to bytes, with no dates or random ids (same inputs, same bytes)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from drillcast.present.plotting import style

    if fig.canvas is None or not hasattr(fig.canvas, "print_png"):
        FigureCanvasAgg(fig)
    metadata = {"svg": {"Date": None}, "pdf": {"CreationDate": None, "ModDate": None},
                "png": {"Software": None}}[fmt]
    buf = io.BytesIO()
    with style():
        fig.savefig(buf, format=fmt, metadata=metadata)
    return buf.getvalue()


def new_figure(size, polar=False):
    """A pyplot-free Figure with one Axes, in the house style, with room for the source line."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from drillcast.present.plotting import style

    with style():
        fig = Figure(figsize=size, layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.add_subplot(projection="polar" if polar else None)
    # leave room for the source line at the foot
    fig.get_layout_engine().set(rect=(0.0, 0.035, 1.0, 0.965))
    return fig, ax
