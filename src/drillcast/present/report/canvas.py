"""Matplotlib figures drawn straight onto the reportlab canvas, as vectors.

This module imports matplotlib at import time and defines the renderer class
once; :mod:`drillcast.present.report.document` imports it only when a figure
is drawn.
"""

from __future__ import annotations

import math

from matplotlib.backend_bases import RendererBase
from matplotlib.font_manager import weight_dict
from matplotlib.path import Path
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Affine2D
from reportlab.platypus import Flowable

from drillcast.present.plotting import style
from drillcast.present.report.fonts import FONT, FONT_BOLD, FONT_ITALIC

_CAPS = {"butt": 0, "round": 1, "projecting": 2}
_JOINS = {"miter": 0, "round": 1, "bevel": 2}
_FONTS = {(False, False): FONT, (True, False): FONT_BOLD, (False, True): FONT_ITALIC,
          (True, True): "DejaVuSans-BoldOblique"}


class ReportLabRenderer(RendererBase):
    """A matplotlib renderer that draws on a reportlab canvas.

    Matplotlib lays the figure out and calls ``draw_path``, ``draw_text``
    and ``draw_image`` with device coordinates in points (the figure is made
    at 72 dpi); each call becomes reportlab canvas operations, so the PDF
    gets vector paths, text as text in the embedded DejaVu Sans, hatches
    (tiled like matplotlib's PDF backend: a 72 pt tile, clipped to the
    shape), dashes, alpha and clipping. Markers and collections use
    matplotlib's generic implementations, which call ``draw_path``.
    """

    def __init__(self, canv, width, height, metrics=None):
        super().__init__()
        self.canv, self.width, self.height = canv, width, height
        self._metrics = metrics

    def get_text_width_height_descent(self, s, prop, ismath):
        """Text extents from the figure's own Agg renderer (same 72 dpi), which the layout pass has
        already measured and cached: each text is measured once, not once per pass."""
        if self._metrics is not None:
            return self._metrics.get_text_width_height_descent(s, prop, ismath)
        return super().get_text_width_height_descent(s, prop, ismath)

    def flipy(self):
        return False

    def get_canvas_width_height(self):
        return self.width, self.height

    def points_to_pixels(self, points):
        return points

    def option_image_nocomposite(self):
        return True

    def _add(self, p, path, transform):
        last = (0.0, 0.0)
        for v, code in path.iter_segments(transform, remove_nans=True, simplify=False, curves=True):
            if code == Path.MOVETO:
                p.moveTo(v[0], v[1])
            elif code == Path.LINETO:
                p.lineTo(v[0], v[1])
            elif code == Path.CURVE4:
                p.curveTo(*v[:6])
            elif code == Path.CURVE3:  # quadratic -> cubic
                (x0, y0), (x1, y1), (x2, y2) = last, v[0:2], v[2:4]
                p.curveTo(x0 + 2 / 3 * (x1 - x0), y0 + 2 / 3 * (y1 - y0),
                          x2 + 2 / 3 * (x1 - x2), y2 + 2 / 3 * (y1 - y2), x2, y2)
            elif code == Path.CLOSEPOLY:
                p.close()
                continue
            last = (v[-2], v[-1])
        return p

    def _path(self, path, transform):
        return self._add(self.canv.beginPath(), path, transform)

    def _clip(self, gc):
        c = self.canv
        rect = gc.get_clip_rectangle()
        if rect is not None:
            x0, y0, w, h = rect.bounds
            p = c.beginPath()
            p.rect(x0, y0, w, h)
            c.clipPath(p, stroke=0, fill=0)
        cp, tr = gc.get_clip_path()
        if cp is not None:
            c.clipPath(self._path(cp, tr), stroke=0, fill=0)

    @staticmethod
    def _alpha(gc, rgba):
        if gc.get_forced_alpha():
            return gc.get_alpha()
        return rgba[3] if len(rgba) > 3 else 1.0

    def draw_path(self, gc, path, transform, rgbFace=None):
        c = self.canv
        c.saveState()
        self._clip(gc)
        fill = rgbFace is not None and self._alpha(gc, rgbFace) > 0
        if fill:
            c.setFillColorRGB(*rgbFace[:3])
            a = self._alpha(gc, rgbFace)
            if a < 1:
                c.setFillAlpha(a)
        rgb = gc.get_rgb()
        stroke = gc.get_linewidth() > 0 and self._alpha(gc, rgb) > 0
        if stroke:
            c.setStrokeColorRGB(*rgb[:3])
            a = self._alpha(gc, rgb)
            if a < 1:
                c.setStrokeAlpha(a)
            c.setLineWidth(gc.get_linewidth())
            c.setLineCap(_CAPS.get(gc.get_capstyle(), 0))
            c.setLineJoin(_JOINS.get(gc.get_joinstyle(), 0))
            off, dashes = gc.get_dashes()
            if dashes is not None and len(dashes):
                c.setDash([float(d) for d in dashes], float(off or 0))
        if gc.get_hatch():
            if fill:
                c.drawPath(self._path(path, transform), stroke=0, fill=1)
            self._hatch(gc, path, transform)
            if stroke:
                c.drawPath(self._path(path, transform), stroke=1, fill=0)
        elif fill or stroke:
            c.drawPath(self._path(path, transform), stroke=int(stroke), fill=int(fill))
        c.restoreState()

    def _hatch(self, gc, path, transform):
        hp = gc.get_hatch_path()
        if hp is None:
            return
        c = self.canv
        side = 72.0
        c.saveState()
        c.clipPath(self._path(path, transform), stroke=0, fill=0)
        hc = gc.get_hatch_color()
        c.setStrokeColorRGB(*hc[:3])
        c.setFillColorRGB(*hc[:3])
        lw = gc.get_hatch_linewidth() if hasattr(gc, "get_hatch_linewidth") else 1.0
        c.setLineWidth(lw)
        ext = path.get_extents(transform)
        p = c.beginPath()
        for i in range(math.floor(ext.x0 / side), math.floor(ext.x1 / side) + 1):
            for j in range(math.floor(ext.y0 / side), math.floor(ext.y1 / side) + 1):
                self._add(p, hp, Affine2D().scale(side).translate(i * side, j * side))
        c.drawPath(p, stroke=1, fill=1)
        c.restoreState()

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath:  # drawn as paths by matplotlib's generic implementation
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        c = self.canv
        c.saveState()
        self._clip(gc)
        rgb = gc.get_rgb()
        c.setFillColorRGB(*rgb[:3])
        if self._alpha(gc, rgb) < 1:
            c.setFillAlpha(self._alpha(gc, rgb))
        w = prop.get_weight()
        w = weight_dict.get(w, 400) if isinstance(w, str) else int(w)
        font = _FONTS[(w >= 600, prop.get_style() in ("italic", "oblique"))]
        c.translate(x, y)
        if angle:
            c.rotate(angle)
        t = c.beginText(0, 0)
        t.setFont(font, prop.get_size_in_points())
        t.textOut(s)
        c.drawText(t)
        c.restoreState()

    def draw_image(self, gc, x, y, im):
        import numpy as np
        from PIL import Image
        from reportlab.lib.utils import ImageReader

        h, w = im.shape[:2]
        c = self.canv
        c.saveState()
        self._clip(gc)
        c.drawImage(ImageReader(Image.fromarray(np.ascontiguousarray(im), "RGBA")), x, y, w, h, mask="auto")
        c.restoreState()


class FigureFlowable(Flowable):
    """A matplotlib figure (made at 72 dpi) as a platypus Flowable drawn in vector form, scaled to fit."""

    def __init__(self, fig, max_width):
        super().__init__()
        self.fig = fig
        self.k = min(1.0, max_width / fig.bbox.width)
        self.width, self.height = fig.bbox.width * self.k, fig.bbox.height * self.k
        self.hAlign = "CENTER"

    def wrap(self, aw, ah):
        return self.width, self.height

    def draw(self):
        fig = self.fig
        self.canv.saveState()
        self.canv.scale(self.k, self.k)
        with style():
            fig.draw(ReportLabRenderer(self.canv, fig.bbox.width, fig.bbox.height, fig.canvas.get_renderer()))
        self.canv.restoreState()


def new_figure(width_in, height_in):
    """A pyplot-free Figure at 72 dpi (1 unit = 1 pt on the page) with constrained layout."""
    with style():
        fig = Figure(figsize=(width_in, height_in), dpi=72, layout="constrained")
        FigureCanvasAgg(fig)
    return fig
