"""Model names, importable without numpy: option checking stays instant.

:data:`drillcast.models.MODELS` holds the models themselves; a test checks
that both list the same names.
"""

from __future__ import annotations

from drillcast.errors import ParameterError, did_you_mean

MODEL_NAMES = ("uniform", "climatology", "persistence", "strict-rotation", "calendar", "markov", "markov2",
               "changepoint", "ensemble", "ensemble-bayes", "pooled")


def check_model_name(name: str, parameter: str = "model") -> str:
    """Return ``name`` if it is a model; otherwise raise ParameterError naming the Python parameter and the choices."""
    if not isinstance(name, str) or name not in MODEL_NAMES:
        raise ParameterError(parameter, f"unknown model {name!r}{did_you_mean(str(name), MODEL_NAMES)}; choose from "
                                        f"{', '.join(MODEL_NAMES)}")
    return name


COUNT_MODELS = ("gamma-poisson", "glm-trend")


def check_count_model(name: str, parameter: str = "counts") -> str:
    """Return ``name`` if it is a count model (or "default"); otherwise raise ParameterError."""
    if not isinstance(name, str) or (name != "default" and name not in COUNT_MODELS):
        raise ParameterError(parameter, f"unknown count model {name!r}{did_you_mean(str(name), COUNT_MODELS)}; "
                                        f"choose from {', '.join(COUNT_MODELS)}")
    return name
