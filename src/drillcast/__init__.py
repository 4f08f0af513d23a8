"""drillcast: forecast recurring military exercises and test hypotheses about their rotation.

Public names (imported lazily, so ``import drillcast`` and ``drillcast --help`` stay fast and pull
in no numerical library):

- ``load_catalogue``, ``validate_file``, ``Catalogue``: read and validate a catalogue;
- ``series_history``: one series' yearly arrays as of a date;
- ``Forecaster``, ``Forecast``, ``forecast``: fit a model on a snapshot and forecast;
- ``Ledger``: record forecasts when made, score them later;
- ``MODELS``, ``get_model``: the outcome models by name;
- ``DrillcastError``, ``DataError``, ``OptionError``, ``ParameterError``, ``OutputError``: the errors.

The orchestrator every command uses is :mod:`drillcast.analysis`.
"""

from __future__ import annotations

__version__ = "0.1.0"

_LAZY = {
    "load_catalogue": "drillcast.data.catalogue",
    "validate_file": "drillcast.data.catalogue",
    "Catalogue": "drillcast.data.catalogue",
    "series_history": "drillcast.data.history",
    "Forecaster": "drillcast.forecasting",
    "Forecast": "drillcast.forecasting",
    "forecast": "drillcast.forecasting",
    "Ledger": "drillcast.ledger",
    "MODELS": "drillcast.models",
    "get_model": "drillcast.models",
    "DrillcastError": "drillcast.errors",
    "DataError": "drillcast.errors",
    "OptionError": "drillcast.errors",
    "ParameterError": "drillcast.errors",
    "OutputError": "drillcast.errors",
}

__all__ = ["__version__", *_LAZY]


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'drillcast' has no attribute {name!r}")
