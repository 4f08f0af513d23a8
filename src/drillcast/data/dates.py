"""Dates with their precision.

The catalogue writes a date at the precision its sources give: ``2021-09-10``
(day), ``2021-09`` (month) or ``2021`` (year). Precision is data, never a
guess, so a date is kept as the closed interval of days it may denote.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from dataclasses import dataclass

__all__ = ["PartialDate", "parse_partial_date", "parse_day", "today", "check_knowledge_date", "DAY", "MONTH", "YEAR",
           "MIN_YEAR", "MAX_YEAR"]

DAY, MONTH, YEAR = "day", "month", "year"
MIN_YEAR, MAX_YEAR = 1800, 2200
"""Years a catalogue date or a knowledge (as-of) date may have (the codebook's bounds)."""
_PATTERN = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")  # ASCII digits only


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to a precision of a day, a month or a year.

    Attributes
    ----------
    low, high : datetime.date
        First and last day the date may denote (equal for day precision).
    precision : {"day", "month", "year"}
    text : str
        The ISO text it was parsed from.
    """

    low: _dt.date
    high: _dt.date
    precision: str
    text: str

    @property
    def year(self) -> int:
        return self.low.year

    def __str__(self) -> str:
        return self.text


def parse_partial_date(text: str) -> PartialDate:
    """Parse ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``.

    Raises
    ------
    ValueError
        With a message saying what is wrong (format, month 13, 30 February).

    Examples
    --------
    >>> d = parse_partial_date("2021-09")
    >>> d.low, d.high, d.precision
    (datetime.date(2021, 9, 1), datetime.date(2021, 9, 30), 'month')
    """
    s = text.strip()
    m = _PATTERN.match(s)
    if not m:
        raise ValueError("not a date in the form YYYY-MM-DD, YYYY-MM or YYYY")
    year = int(m.group(1))
    if year < 1:
        raise ValueError("year 0000 does not exist")
    if m.group(2) is None:
        return PartialDate(_dt.date(year, 1, 1), _dt.date(year, 12, 31), YEAR, s)
    month = int(m.group(2))
    if not 1 <= month <= 12:
        raise ValueError(f"month {month:02d} does not exist (months are 01-12)")
    last = calendar.monthrange(year, month)[1]
    if m.group(3) is None:
        return PartialDate(_dt.date(year, month, 1), _dt.date(year, month, last), MONTH, s)
    day = int(m.group(3))
    if not 1 <= day <= last:
        raise ValueError(
            f"day {day:02d} does not exist in {calendar.month_name[month]} {year} (it has {last} days)"
        )
    d = _dt.date(year, month, day)
    return PartialDate(d, d, DAY, s)


def today() -> _dt.date:
    """Today's date in UTC: the default knowledge date, the same in every time zone."""
    return _dt.datetime.now(_dt.timezone.utc).date()


def check_knowledge_date(date: _dt.date, parameter: str = "as_of") -> _dt.date:
    """``date`` if it is a knowledge date drillcast handles (years :data:`MIN_YEAR`-:data:`MAX_YEAR`).

    Raises
    ------
    ParameterError
        Naming ``parameter``.
    """
    from drillcast.errors import ParameterError

    if not isinstance(date, _dt.date):
        raise ParameterError(parameter, f"{date!r} is not a date; give a datetime.date such as 2025-01-01")
    if not MIN_YEAR <= date.year <= MAX_YEAR:
        raise ParameterError(parameter, f"{date.isoformat()} is not allowed; give a date from {MIN_YEAR}-01-01 "
                                        f"to {MAX_YEAR}-12-31")
    return date


def parse_day(text: str, *, what: str = "date") -> _dt.date:
    """Parse a full ``YYYY-MM-DD`` date (for options such as ``--as-of``)."""
    try:
        pd = parse_partial_date(text)
    except ValueError as exc:
        why = "is not a date" if not _PATTERN.match(text.strip()) else f"is not a date: {exc}"
        raise ValueError(f"{what} {text!r} {why}; write it as YYYY-MM-DD, e.g. 2025-01-01") from None
    if pd.precision != DAY:
        raise ValueError(f"{what} {text!r} is not a full day; write it as YYYY-MM-DD, e.g. {pd.low.isoformat()}")
    return pd.low
