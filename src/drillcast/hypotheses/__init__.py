"""Hypothesis tests about a series' rotation, period, breaks, season, trend and participation.

See :mod:`drillcast.hypotheses.core` for the conventions shared by every test.
"""

from drillcast.hypotheses.core import *  # noqa: F401,F403
from drillcast.hypotheses.core import __all__  # noqa: F401
