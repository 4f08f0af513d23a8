"""Outcome, count and timing models behind one interface, and the registry of their names.

The package imports its members lazily, so ``drillcast.models.names`` (the list
of model names the command line checks) costs no numerical import.
``MODELS``, ``DEFAULT_MODEL``, ``get_model`` and the model classes live in
:mod:`drillcast.models.registry`.
"""

from __future__ import annotations

_REGISTRY = ("MODELS", "BASELINES", "DEFAULT_MODEL", "get_model", "OutcomeModel", "FittedOutcome",
             "Uniform", "Climatology", "Persistence", "StrictRotation", "CalendarRotation",
             "ChangePoint", "MarkovRotation", "Ensemble", "Pooled")
__all__ = list(_REGISTRY)


def __getattr__(name):
    if name in _REGISTRY:
        from drillcast.models import registry

        return getattr(registry, name)
    raise AttributeError(f"module 'drillcast.models' has no attribute {name!r}")
