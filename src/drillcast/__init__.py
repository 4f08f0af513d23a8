"""drillcast: forecast recurring military exercises and test hypotheses about their rotation.

Public names are imported lazily, so ``import drillcast`` (and ``drillcast --help``)
stays fast and pulls in no numerical library.
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
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'drillcast' has no attribute {name!r}")
