"""The registry of outcome models: baselines and rotation models behind one interface.

``MODELS`` maps each public model name to its default settings. ``DEFAULT_MODEL``
names the model :func:`drillcast.forecasting.forecast` uses for each kind of
series. The choice is backed by rolling-origin and leave-series-out backtests
(``python benchmarks/model_choice.py``, figures in the README): the pooled model
(:mod:`drillcast.models.pooled`) had the best Brier and log score of P(held) on
field-like simulated catalogues of 110 short series (about 1,500 series-years
each, where the former default, the strict-rotation + change-point ensemble,
did worse than the change-point model alone), was level with the ensemble on
the bundled catalogue, and beat the ensemble on Russia's strategic
series, because it gives the rotation rule weight only as far as the series
has followed its cycle.
"""

from __future__ import annotations

from drillcast.models.base import FittedOutcome, OutcomeModel
from drillcast.models.baselines import Climatology, Persistence, StrictRotation, Uniform
from drillcast.models.calendar import CalendarRotation, ChangePoint
from drillcast.models.ensemble import Ensemble
from drillcast.models.markov import MarkovRotation
from drillcast.models.pooled import Pooled

__all__ = [
    "MODELS", "BASELINES", "DEFAULT_MODEL", "get_model", "OutcomeModel", "FittedOutcome",
    "Uniform", "Climatology", "Persistence", "StrictRotation", "CalendarRotation",
    "ChangePoint", "MarkovRotation", "Ensemble", "Pooled",
]

MODELS: dict[str, OutcomeModel] = {
    "uniform": Uniform(),
    "climatology": Climatology(),
    "persistence": Persistence(k=1),
    "strict-rotation": StrictRotation(),
    "calendar": CalendarRotation(),
    "markov": MarkovRotation(order=1),
    "markov2": MarkovRotation(order=2),
    "changepoint": ChangePoint(),
    "ensemble": Ensemble(members=(StrictRotation(), ChangePoint())),
    "ensemble-bayes": Ensemble(members=(CalendarRotation(), MarkovRotation(order=1), ChangePoint()),
                               label="ensemble-bayes"),
    "pooled": Pooled(),
}
BASELINES = ("uniform", "climatology", "persistence", "strict-rotation")
DEFAULT_MODEL = {"rotating": "pooled", "recurring": "pooled"}


def get_model(name: str) -> OutcomeModel:
    """Look up a model by name; an unknown name raises ParameterError("model") with the valid names."""
    from drillcast.models.names import check_model_name

    return MODELS[check_model_name(name)]
