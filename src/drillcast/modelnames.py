"""Model names, importable without numpy: option checking stays instant.

:data:`drillcast.models.MODELS` holds the models themselves; a test checks
that both list the same names.
"""

from __future__ import annotations

from .errors import OptionError, did_you_mean

MODEL_NAMES = ("uniform", "climatology", "persistence", "strict-rotation", "calendar", "markov", "markov2",
               "changepoint", "ensemble", "ensemble-bayes")


def check_model_name(name: str, option: str = "--model") -> str:
    """Return ``name`` if it is a model; otherwise raise OptionError naming the option and the choices."""
    if name not in MODEL_NAMES:
        raise OptionError(
            f"{option}: unknown model {name!r}{did_you_mean(name, MODEL_NAMES)}; choose from {', '.join(MODEL_NAMES)}"
        )
    return name
