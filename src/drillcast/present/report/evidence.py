"""What the catalogue itself says, as known on the as-of date: sources, names, announcements, skill.

No hindsight: a report as of D names, cites and counts only what was
reported by D. The catalogue records one ``first_reported`` date per event
but not the date of each source, so a source's date is read from its URL
where the URL carries one (``/2023/09/14/``, ``2023-09-14``, ``20230914``,
``/2023-09/14/``, ``14.09.2023``, ``14sep2023``, ``/2023/09/``); a source
dated after D is left out of a report as of D. Series names written later
(an alternative name first used by an event reported after D) are cut back
the same way.

Nothing here imports numpy, matplotlib or reportlab.
"""

from __future__ import annotations

import datetime as _dt
import re
import statistics
from urllib.parse import urlparse

_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                       "nov", "dec"), 1)}
_Y = r"((?:19|20)\d\d)"
_DAY_PATTERNS = (  # (regex, order of the groups: y, m, d)
    (re.compile(_Y + r"-(\d\d)/(\d\d)(?:/|$)"), "ymd"),                      # chinadaily /2006-04/26/
    (re.compile(_Y + r"-(\d\d)-(\d\d)(?!\d)"), "ymd"),                       # 2026-06-27
    (re.compile(r"/" + _Y + r"/(\d{1,2})/(\d{1,2})(?:/|$|[-_.])"), "ymd"),  # /2026/07/02/
    (re.compile(r"/" + _Y + r"/([A-Za-z]{3})/(\d{1,2})(?:/|$)"), "ymd"),    # /2026/Feb/17/
    (re.compile(r"/" + _Y + r"/(\d\d)(\d\d)/"), "ymd"),                      # people.cn /2025/0328/
    (re.compile(r"(?<!\d)(\d\d)\.(\d\d)\." + _Y + r"(?!\d)"), "dmy"),       # 14.09.2009
    (re.compile(r"(?<![\da-z])(\d{1,2})([a-z]{3})" + _Y + r"(?!\d)", re.I), "dmy"),  # 28sep2009
    (re.compile(r"(?<!\d)" + _Y + r"([01]\d)([0-3]\d)(?!\d)"), "ymd"),      # 20100703
)
_MONTH_PATTERN = re.compile(r"/" + _Y + r"/(\d\d)/")


def _date(y, m, d):
    try:
        month = int(m) if str(m).isdigit() else _MONTHS[str(m).lower()]
        return _dt.date(int(y), month, int(d))
    except (KeyError, ValueError):
        return None


def url_date(url: str):
    """The earliest day a source URL's own date allows, or None when the URL carries no date.

    Examples
    --------
    >>> url_date("https://doyou.ca/2026/07/02/column-the-11th-sino-russian-patrol/")
    datetime.date(2026, 7, 2)
    >>> url_date("https://www.newindianexpress.com/world/2026/Feb/17/russia-china-iran-set-for-joint-drills")
    datetime.date(2026, 2, 17)
    >>> url_date("http://defenseindustrialbase.blogspot.com/2008/08/exercises-2008.html")
    datetime.date(2008, 8, 1)
    >>> url_date("https://tass.com/defense/898820") is None
    True
    """
    path = urlparse(url or "")
    text = path.path + ("?" + path.query if path.query else "")
    for rx, order in _DAY_PATTERNS:
        for m in rx.finditer(text):
            g = m.groups()
            d = _date(*g) if order == "ymd" else _date(g[2], g[1], g[0])
            if d is not None and _dt.date(1990, 1, 1) <= d <= _dt.date(2100, 1, 1):
                return d
    m = _MONTH_PATTERN.search(text)
    if m:
        return _date(m.group(1), m.group(2), 1)
    return None


_FUTURE = re.compile(r"(will|to-hold|to-conduct|to-stage|set-for|plan|prepar|upcoming|ahead|announc|anons|"
                     r"provedut|provest|gotov|to-take-part|to-join|to-participate|-to-)", re.I)
_PAST = re.compile(r"(held|hold|began|begin|start|kick|conclud|complet|wrap|end|finish|launch|stag|conduct|"
                   r"nachal|proshl|zaversh|startoval|take-part|took-part|patrol)", re.I)


def sources_by(event, as_of):
    """The event's sources as known on ``as_of``: those whose URL date is after it are left out."""
    return [u for u in event["sources"] if (url_date(u) or as_of) <= as_of]


def held_source(event) -> str:
    """The source that best reports the event *held*, not announced.

    Ranking: a source dated on or after the start (earliest first); an
    undated one whose address reads as a report of the event happening; an
    undated neutral one; one that reads as an announcement ("will hold",
    "set for", "to hold"); one dated before the start last.
    """
    start = event["start"].low

    def rank(i_u):
        i, u = i_u
        d = url_date(u)
        slug = urlparse(u).path
        if d is not None and d >= start:
            return (0, d.toordinal(), i)
        if d is None and _PAST.search(slug) and not _FUTURE.search(slug):
            return (1, 0, i)
        if d is None and not _FUTURE.search(slug):
            return (2, 0, i)
        if d is None:
            return (3, 0, i)
        return (4, -d.toordinal(), i)

    srcs = list(event["sources"])
    return min(enumerate(srcs), key=rank)[1] if srcs else ""


def host(url: str) -> str:
    return urlparse(url).netloc.removeprefix("www.") or url


def series_name(info, events_all, known_ids) -> str:
    """The series name as it could be written on the as-of date.

    An alternative name (a part after ' / ') that appears in the name of an
    event of the series, but only of events not yet known, is left out:
    "Mosi / Will for Peace (...)" is "Mosi (...)" before Will for Peace 2026
    was reported.
    """
    name = info.name
    head, paren = (name.split(" (", 1) + [""])[:2]
    parts = [p.strip() for p in head.split(" / ")]
    keep = [parts[0]]
    for alt in parts[1:]:
        users = [e for e in events_all if alt.lower() in e["name"].lower()]
        if users and not any(e["id"] in known_ids for e in users):
            continue
        keep.append(alt)
    return " / ".join(keep) + (f" ({paren}" if paren else "")


def event_name(name: str) -> str:
    """An event name without the catalogue's status words ('(planned)'), which the report states itself."""
    return re.sub(r"\s*\((?:planned|cancelled|postponed|held)\)", "", name).strip() or name


def announcements(events) -> dict:
    """How often the held events of a series were announced before they started, and how far ahead.

    Only held events whose start is known to the day and whose first report is
    recorded count. ``{"n", "ahead", "median_days"}``; ``median_days`` is over
    the events announced ahead (None when none was).
    """
    leads = []
    for e in events:
        if e["status"] != "held" or e["first_reported"] is None or e["start"].precision != "day":
            continue
        leads.append((e["start"].low - e["first_reported"].high).days)
    ahead = [d for d in leads if d > 0]
    return {"n": len(leads), "ahead": len(ahead), "median_days": statistics.median(ahead) if ahead else None,
            "max_days": max(ahead) if ahead else None}


def announcement_phrase(a: dict) -> str:
    """'announced in advance 0 of 11 times' / '... 9 of 12 times, a median 43 days ahead'."""
    if not a["n"]:
        return "no held event with a known first-report date"
    s = f"announced in advance {a['ahead']} of {a['n']} time{'s' if a['n'] != 1 else ''}"
    if a["ahead"]:
        s += f", a median {a['median_days']:.0f} days ahead"
    return s
