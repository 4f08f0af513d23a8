"""The offline base layer of the event map: Natural Earth 1:110m land and country borders.

``ne_110m.json`` (100 KB) is derived once from the npm package world-atlas 2.0.2
(Natural Earth 4.1.0, public domain) by ``tools/build_basemap.py``; ``PROVENANCE.md``
beside it says how. It is read through :mod:`importlib.resources`, so maps need
no network, no cartopy and no geopandas.
"""

from __future__ import annotations

import functools

__all__ = ["outline"]


@functools.lru_cache(maxsize=1)
def outline() -> tuple:
    """``(land, borders)``: read-only ``(n, 2)`` arrays of (lon, lat) in degrees.

    ``land`` is a tuple of polygons, each a tuple of rings (the outer ring first, then its
    holes, wound the other way, so both the nonzero and the even-odd fill rule leave them
    empty); ``borders`` is a tuple of lines, the land borders between two countries.

    Examples
    --------
    >>> land, borders = outline()
    >>> len(land), sum(len(p) for p in land), len(borders), land[0][0].shape[1]
    (124, 125, 326, 2)
    """
    import json
    from importlib import resources

    import numpy as np

    doc = json.loads(resources.files(__name__).joinpath("ne_110m.json").read_text(encoding="utf-8"))

    def arrays(lines):
        out = []
        for flat in lines:
            a = np.asarray(flat, dtype=float).reshape(-1, 2)
            a.setflags(write=False)
            out.append(a)
        return tuple(out)

    return tuple(arrays(poly) for poly in doc["land"]), arrays(doc["borders"])
