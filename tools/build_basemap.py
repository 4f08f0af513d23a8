"""Build ``src/drillcast/present/basemap/ne_110m.json``, the offline base layer of ``drillcast plot map``.

Run once, by hand, when the outline should change; the package only reads the result::

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python tools/build_basemap.py package/countries-110m.json src/drillcast/present/basemap/ne_110m.json

Input: ``countries-110m.json`` of the npm package world-atlas 2.0.2 (TopoJSON of Natural Earth 4.1.0,
Admin 0 countries, 1:110m; Natural Earth is public domain, world-atlas is ISC-licensed). Output: a
small JSON document with

- ``land``: the land polygons (the world-atlas ``land`` object, i.e. the countries merged), each a
  list of rings (the outer one first, then holes such as the Caspian Sea, wound the other way), each
  ring a flat list ``[lon0, lat0, lon1, lat1, ...]``; a ring crossing the antimeridian runs past
  180 (or -180) degrees instead of jumping across the map (see :func:`unwrap`);
- ``borders``: land borders between two countries (arcs shared by two different countries, what
  ``topojson.mesh(world, countries, (a, b) => a !== b)`` gives), each a flat list as above;

coordinates in decimal degrees rounded to 0.01 degree (about 1 km; the 1:110m outline itself is
accurate to about 10 km). Decoding TopoJSON: an arc is a list of quantised, delta-encoded positions
(cumulative sums times ``transform.scale`` plus ``transform.translate``); a ring lists arc indices,
``~i`` meaning arc ``i`` reversed, and consecutive arcs share their joining point.
"""

from __future__ import annotations

import json
import sys


def decode_arcs(topology) -> list[list[tuple[float, float]]]:
    """Every arc of ``topology`` as absolute (lon, lat) positions."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    out = []
    for arc in topology["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        out.append(pts)
    return out


def ring(arcs, indices) -> list[tuple[float, float]]:
    """The closed ring made of arcs ``indices`` (``~i``: arc ``i`` reversed)."""
    pts: list[tuple[float, float]] = []
    for k, i in enumerate(indices):
        a = arcs[i] if i >= 0 else arcs[~i][::-1]
        pts.extend(a if k == 0 else a[1:])
    return pts


def unwrap(points) -> list[tuple[float, float]]:
    """``points`` without jumps across the antimeridian: a step of more than 180 degrees of longitude
    is taken the short way, so a ring crossing 180 degrees (Chukotka, Fiji) runs past it (to 190, say)
    instead of across the whole map; the plot draws such a polygon once more, shifted by 360."""
    out, shift = [], 0.0
    for k, (x, y) in enumerate(points):
        if k and abs(x + shift - out[-1][0]) > 180:
            shift += 360.0 if out[-1][0] > x + shift else -360.0
        out.append((x + shift, y))
    return out


def polygons(geometry) -> list:
    """The arc-index rings of a Polygon or MultiPolygon, as a list of polygons."""
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    return []


def flat(points) -> list[float]:
    return [round(v, 2) for p in points for v in p]


def build(topology) -> dict:
    arcs = decode_arcs(topology)
    land = [[flat(unwrap(ring(arcs, r))) for r in poly] for g in topology["objects"]["land"]["geometries"]
            for poly in polygons(g)]
    users: dict[int, set[int]] = {}
    for n, g in enumerate(topology["objects"]["countries"]["geometries"]):
        for poly in polygons(g):
            for r in poly:
                for i in r:
                    users.setdefault(i if i >= 0 else ~i, set()).add(n)
    borders = [flat(arcs[i]) for i in sorted(users) if len(users[i]) > 1]
    return {
        "source": "Natural Earth 4.1.0, Admin 0 countries, 1:110m, via the npm package world-atlas 2.0.2 "
                  "(countries-110m.json)",
        "licence": "Natural Earth: public domain; world-atlas: ISC",
        "built_by": "tools/build_basemap.py",
        "units": "decimal degrees (lon, lat), rounded to 0.01",
        "land": land,
        "borders": borders,
    }


def main(argv) -> int:
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        out = build(json.load(f))
    with open(argv[2], "w", encoding="utf-8") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    n = sum(len(r) // 2 for p in out["land"] for r in p) + sum(len(b) // 2 for b in out["borders"])
    sys.stderr.write(f"{argv[2]}: {len(out['land'])} land polygons, {len(out['borders'])} border lines, "
                     f"{n} points\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
