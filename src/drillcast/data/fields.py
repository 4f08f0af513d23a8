"""The catalogue's vocabulary: columns, codes, limits, and the series record.

The bottom of ``drillcast.data``: constants the codebook (``data/README.md``) states, the
:class:`SeriesInfo` record, and two helpers on parsed event records. Nothing here reads files.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

__all__ = ["EXERCISE_COLUMNS", "REQUIRED_COLUMNS", "SERIES_COLUMNS", "SERIES_REQUIRED", "STATUSES",
           "CONFIDENCE", "KINDS", "DOMAINS", "OTHER", "NONE", "SeriesInfo"]

EXERCISE_COLUMNS = (
    "id", "name", "series", "direction", "primary", "start_date", "end_date", "status",
    "first_reported", "status_reported", "dates_reported", "host", "participants", "observers", "domain",
    "personnel_claimed", "location", "lat", "lon", "sources", "confidence", "notes",
)
REQUIRED_COLUMNS = ("id", "name", "series", "start_date", "status", "sources", "confidence")
SERIES_COLUMNS = (
    "id", "name", "kind", "directions", "events_per_year", "regular_participants",
    "organiser", "description", "cadence_claims", "sources", "checked_through", "checked_note",
)
SERIES_REQUIRED = ("id", "kind")
STATUSES = ("held", "cancelled", "announced", "postponed")
CONFIDENCE = ("high", "medium", "low")
KINDS = ("rotating", "recurring")
DOMAINS = (
    "land", "air", "sea", "amphibious", "joint", "command-staff", "cyber", "space",
    "peacekeeping", "counter-terrorism", "humanitarian", "warfighting",
)
OTHER, NONE = "other", "none"

# data/README.md §1 and §2 state these two patterns; tests/test_catalogue.py checks that they agree.
_ID = re.compile(r"^[A-Z0-9][A-Z0-9-]*$")
_FULL_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_URL = re.compile(r"^https?://[A-Za-z0-9][A-Za-z0-9.-]*(?::\d+)?(?:[/?#]\S*)?$")
_NUMBER = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$")  # ASCII digits only: no 1_0, no ١٢
MAX_FIELD = 100_000  # characters; a longer field is an error, not a hang
MAX_PROBLEMS = 200  # stop listing after this many errors (and this many warnings), of every kind
MAX_ROWS = 250_000  # rows; a larger file is refused rather than exhausting memory
MAX_DIRECTIONS = 12  # directions of a rotating series (the models' work grows with their number)
MAX_SERIES = 2_000  # series in a catalogue
MAX_EVENTS_PER_SERIES = 10_000  # events of one series


# --------------------------------------------------------------------------- series


def id_suggestion(text: str) -> str:
    """``text`` made into a valid event id (capitals, digits, hyphens), or '' if nothing is left.

    >>> id_suggestion("ru-2021.zapad"), id_suggestion("a:b__c"), id_suggestion("._:")
    ('RU-2021-ZAPAD', 'A-B-C', '')
    """
    return re.sub(r"[^A-Z0-9]+", "-", text.upper()).strip("-")


@dataclass(frozen=True)
class SeriesInfo:
    """One series of exercises.

    Attributes
    ----------
    id : str
        Slug such as ``russia-strategic``.
    name : str
    kind : {"rotating", "recurring"}
    directions : tuple of str
        The known directions of a rotating series, in their rotation order.
    multi_event : bool
        True if the series may hold several events a year (patrols).
    regular_participants : tuple of str
        ISO3 codes whose participation is forecast.
    description, organiser, cadence_claims : str
    sources : tuple of str
    inferred : bool
        True if the series was not listed in ``series.csv`` and was inferred from the events.
    checked_through : datetime.date or None
        The date through which the public sources of the series were searched: every event
        first reported up to then is in the catalogue. After it, "not in the catalogue" is
        not evidence that nothing happened. Use :meth:`Catalogue.checked_through`, which
        fills a missing value with the catalogue's latest report.
    checked_note : str
        What was searched (agencies, ministries, languages).
    checked_inferred : bool
        True when ``series.csv`` gave no ``checked_through`` and it was inferred.
    """

    id: str
    name: str
    kind: str
    directions: tuple[str, ...] = ()
    multi_event: bool = False
    regular_participants: tuple[str, ...] = ()
    description: str = ""
    organiser: str = ""
    cadence_claims: str = ""
    sources: tuple[str, ...] = ()
    inferred: bool = False
    checked_through: _dt.date | None = None
    checked_note: str = ""
    checked_inferred: bool = False

    @property
    def rotating(self) -> bool:
        return self.kind == "rotating"

    @property
    def categories(self) -> tuple[str, ...]:
        """Outcome labels of a year: directions + other + none, or held + none."""
        if self.rotating:
            return self.directions + (OTHER, NONE)
        return ("held", NONE)

    def to_dict(self) -> dict:
        return {
            "id": self.id, "name": self.name, "kind": self.kind, "directions": list(self.directions),
            "events_per_year": "multiple" if self.multi_event else "single",
            "regular_participants": list(self.regular_participants), "organiser": self.organiser,
            "description": self.description, "cadence_claims": self.cadence_claims,
            "sources": list(self.sources), "inferred": self.inferred,
            "checked_through": self.checked_through.isoformat() if self.checked_through else None,
            "checked_note": self.checked_note, "checked_through_inferred": self.checked_inferred,
        }


def _split(value: str, sep: str = ";") -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(sep) if v.strip())



def _doy(start) -> tuple[int, int]:
    """0-based day-of-year interval of a start date, clipped to its year."""
    hi = start.high if start.high.year == start.low.year else _dt.date(start.low.year, 12, 31)
    return start.low.timetuple().tm_yday - 1, hi.timetuple().tm_yday - 1


def _known_from(r) -> _dt.date:
    """When an event became public: ``first_reported`` if given, else its start (last possible day of either).

    data/README.md §4 rule 1: a first report after the start (an exercise
    revealed only once under way) makes the event known from that report, not
    from its start. Computed from the recorded dates once, at load: a
    snapshot may hide an announced exercise's dates, but not move the day it
    became known.
    """
    known = r.get("known")
    if known is not None:
        return known
    if r["first_reported"] is not None:
        return r["first_reported"].high
    return r["start"].high
