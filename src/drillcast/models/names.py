"""Model names, importable without numpy: option checking stays instant.

:data:`drillcast.models.MODELS` holds the models themselves; a test checks
that both list the same names.
"""

from __future__ import annotations

from drillcast.errors import OptionError, did_you_mean

MODEL_NAMES = ("uniform", "climatology", "persistence", "strict-rotation", "calendar", "markov", "markov2",
               "changepoint", "ensemble", "ensemble-bayes", "pooled")


def check_model_name(name: str, option: str = "--model") -> str:
    """Return ``name`` if it is a model; otherwise raise OptionError naming the option and the choices."""
    if name not in MODEL_NAMES:
        raise OptionError(
            f"{option}: unknown model {name!r}{did_you_mean(name, MODEL_NAMES)}; choose from {', '.join(MODEL_NAMES)}"
        )
    return name


COUNT_MODELS = ("gamma-poisson", "glm-trend")


def check_count_model(name: str, option: str = "--counts") -> str:
    """Return ``name`` if it is a count model (or "default"); otherwise raise OptionError."""
    if name != "default" and name not in COUNT_MODELS:
        raise OptionError(f"{option}: unknown count model {name!r}{did_you_mean(name, COUNT_MODELS)}; "
                          f"choose from {', '.join(COUNT_MODELS)}")
    return name
