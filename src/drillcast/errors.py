"""Errors and warnings raised by drillcast.

Every error a user can cause (bad data, bad options, bad paths) is a
:class:`DrillcastError`; the command line turns it into one message on stderr
and exit status 2. Anything else is a bug and exits with status 1.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "DrillcastError",
    "DataError",
    "OptionError",
    "OutputError",
    "ParameterError",
    "Problem",
    "DrillcastWarning",
    "DataWarning",
    "did_you_mean",
]


class DrillcastError(Exception):
    """Base class of every error a user can fix."""

    exit_code = 2


class OptionError(DrillcastError):
    """A command-line option or function argument has an invalid value."""


class ParameterError(OptionError):
    """A function argument has an invalid value.

    The library names the Python parameter (``alpha``, ``horizon``, ``as_of``,
    ``series``, ...); the command line shows the option the user typed
    instead (``--alpha``, ``--horizon``, ...), using :attr:`parameter` and
    :attr:`detail`.

    Parameters
    ----------
    parameter : str
        The Python parameter name, e.g. ``"alpha"``.
    detail : str
        What is wrong and how to fix it, without the parameter's name, e.g.
        ``"1.5 is not allowed; give a level between 0 and 1, e.g. 0.05"``.
    """

    def __init__(self, parameter: str, detail: str):
        self.parameter = parameter
        self.detail = detail
        super().__init__(f"{parameter}: {detail}")


class OutputError(DrillcastError):
    """An output path cannot be written (missing directory, read-only, is an input)."""


class Problem:
    """One validation finding, located precisely.

    Parameters
    ----------
    path : str
        File the problem is in.
    line : int or None
        1-based physical line of the file (the header is line 1).
    column : str or None
        Column name.
    found : str
        The value found.
    expected : str
        What was expected, including how to fix it.
    severity : {"error", "warning"}
    """

    __slots__ = ("path", "line", "column", "found", "expected", "severity")

    def __init__(self, path, line, column, found, expected, severity="error"):
        self.path = str(path)
        self.line = line
        self.column = column
        self.found = found
        self.expected = expected
        self.severity = severity

    def location(self) -> str:
        loc = self.path
        if self.line is not None:
            loc += f":{self.line}"
        if self.column:
            loc += f": column '{self.column}'"
        return loc

    def __str__(self) -> str:
        if self.found is None:  # a file-level problem: ``expected`` is the whole message
            return self.expected
        found = self.found
        if isinstance(found, str) and len(found) > 80:
            found = found[:77] + "..."
        return f"{self.location()}: {self.severity}: found {found!r}; {self.expected}"

    def __repr__(self) -> str:
        return f"Problem({self!s})"

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "found": self.found,
            "expected": self.expected,
            "severity": self.severity,
        }


class DataError(DrillcastError):
    """A data file is invalid. ``problems`` lists every finding at once."""

    def __init__(self, message: str, problems: Iterable[Problem] = ()):
        self.problems = tuple(problems)
        if self.problems:
            errors = [p for p in self.problems if p.severity == "error"]
            lines = [message] + [str(p) for p in errors]
            message = "\n".join(lines)
        super().__init__(message)


class DrillcastWarning(UserWarning):
    """Base class of drillcast warnings."""


class DataWarning(DrillcastWarning):
    """Doubtful but legal data (a likely duplicate, an unknown extra column)."""


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest choice, or ``""``."""
    choices = list(choices)
    close = difflib.get_close_matches(str(value).lower(), [c.lower() for c in choices], n=1, cutoff=0.5)
    if not close:
        return ""
    match = next(c for c in choices if c.lower() == close[0])
    return f" (did you mean '{match}'?)"
