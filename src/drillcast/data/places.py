"""Where held events took place: the catalogue's ``lat``/``lon`` of each held event, as of a date.

:func:`event_places` reads a snapshot (nothing reported after its as-of date) and returns an
:class:`EventPlaces` result, which :func:`drillcast.present.plot_map.plot_event_map` draws.
Only held events are placed: an announced or cancelled exercise has no place where it *took*
place. Events without coordinates (multi-theatre exercises, or no specific place named; see
the codebook, ``lat``/``lon``) are counted, so a map can say what it leaves out.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

__all__ = ["Place", "EventPlaces", "event_places"]


@dataclass(frozen=True)
class Place:
    """One held event with coordinates.

    Attributes
    ----------
    series : str
        Series id.
    event_id, name : str
    year : int
        Year of the start.
    start : str
        The start as written in the catalogue (``2019-11-25``, ``2019-11`` or ``2019``).
    label : str
        The event's direction in a rotating series (``other`` for a direction outside the
        rotation), ``held`` in a recurring one.
    lat, lon : float
        Decimal degrees.
    location : str
        The catalogue's place description.
    """

    series: str
    event_id: str
    name: str
    year: int
    start: str
    label: str
    lat: float
    lon: float
    location: str

    def to_dict(self) -> dict:
        return {"series": self.series, "id": self.event_id, "name": self.name, "year": self.year,
                "start": self.start, "label": self.label, "lat": self.lat, "lon": self.lon,
                "location": self.location}


@dataclass(frozen=True)
class EventPlaces:
    """Held events with coordinates, for one or more series, as known on ``as_of``.

    Attributes
    ----------
    as_of : datetime.date
    series : tuple of str
        The series asked for, in order.
    names : dict of str to str
        Series id -> name, as known on ``as_of``.
    colour_by : {"direction", "series"}
        ``direction`` for one rotating series (its directions, then ``other``), else ``series``.
    categories : tuple of str
        What the colours stand for, in legend order: the directions (and ``other``) or the series ids.
    places : tuple of Place
        Sorted by series (in the order asked), then start.
    unplaced : dict of str to int
        Series id -> number of held events without coordinates.
    """

    as_of: _dt.date
    series: tuple
    names: dict
    colour_by: str
    categories: tuple
    places: tuple
    unplaced: dict

    def category(self, place: Place) -> str:
        """The category ``place`` is coloured by."""
        return place.label if self.colour_by == "direction" else place.series

    @property
    def n_held(self) -> int:
        """Held events of the series, with or without coordinates."""
        return len(self.places) + sum(self.unplaced.values())

    def to_dict(self) -> dict:
        return {"as_of": self.as_of.isoformat(), "series": list(self.series), "names": dict(self.names),
                "colour_by": self.colour_by, "categories": list(self.categories),
                "places": [p.to_dict() for p in self.places], "unplaced": dict(self.unplaced)}

    def to_frame(self):
        """One row per placed event (columns as :meth:`Place.to_dict`)."""
        import pandas as pd

        cols = ["series", "id", "name", "year", "start", "label", "lat", "lon", "location"]
        return pd.DataFrame([p.to_dict() for p in self.places], columns=cols)

    def summary(self) -> str:
        """One line per series: events placed and events without coordinates.

        Examples
        --------
        >>> import datetime as dt
        >>> from drillcast import load_catalogue
        >>> print(event_places(load_catalogue().as_of(dt.date(2026, 12, 7)), ["mosi"]).summary())  # doctest: +ELLIPSIS
        Held events with coordinates, as of 2026-12-07
          mosi: ... of ... placed
        """
        lines = [f"Held events with coordinates, as of {self.as_of}"]
        for sid in self.series:
            n = sum(p.series == sid for p in self.places)
            lines.append(f"  {sid}: {n} of {n + self.unplaced[sid]} placed")
        return "\n".join(lines)


def event_places(snapshot, series) -> EventPlaces:
    """The held events of ``series`` (ids) in ``snapshot`` with their coordinates.

    Parameters
    ----------
    snapshot : Catalogue
        A snapshot (``catalogue.as_of(date)``): statuses, names and coordinates as known then.
    series : sequence of str
        Series ids, already resolved.

    Returns
    -------
    EventPlaces
    """
    from drillcast.data.catalogue import OTHER
    from drillcast.errors import ParameterError

    if snapshot.as_of_date is None:
        raise ParameterError("snapshot", "the full catalogue has no knowledge date; pass catalogue.as_of(date)")
    series = tuple(series)
    infos = {sid: snapshot.get_series(sid) for sid in series}
    one_rotating = len(series) == 1 and infos[series[0]].rotating
    places, unplaced = [], {}
    for sid in series:
        info = infos[sid]
        unplaced[sid] = 0
        for r in snapshot.events(sid):
            if r["status"] != "held":
                continue
            if r["lat"] is None or r["lon"] is None:
                unplaced[sid] += 1
                continue
            if info.rotating:
                label = r["direction"] if r["direction"] in info.directions else OTHER
            else:
                label = "held"
            places.append(Place(sid, r["id"], r["name"], r["start"].year, r["start"].text, label,
                                float(r["lat"]), float(r["lon"]), r["location"]))
    if one_rotating:
        info = infos[series[0]]
        seen = {p.label for p in places}
        categories = tuple(c for c in info.directions + (OTHER,) if c in seen)
        colour_by = "direction"
    else:
        categories, colour_by = series, "series"
    return EventPlaces(snapshot.as_of_date, series, {sid: infos[sid].name for sid in series}, colour_by, categories,
                       tuple(places), unplaced)
