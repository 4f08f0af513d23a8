"""Plain definitions of the terms drillcast prints (the README's Glossary and the report's annex).

One list, so the two never drift apart (a test checks the README against it).
"""

from __future__ import annotations

__all__ = ["TERMS"]

TERMS = (
    ('as of',
     "the knowledge date of a forecast, test or figure. Only events reported by the end of that day are used; `--as-of` defaults to today's date in UTC."),
    ('checked through',
     "the date through which a series' public sources were searched (`series.csv`). After it, an exercise missing from the catalogue may simply not be recorded yet, so forecasts treat that time as unknown."),
    ('held / primary',
     "a held event took place; the primary event of a year is the one a single-event series counts (Russia's strategic exercise of the year)."),
    ('log score',
     'the natural log of the probability a forecast gave to what happened; 0 is perfect, higher is better. A mean log score of -0.38 means the forecast gave what happened about exp(-0.38) = 68 % on average (geometric mean). A uniform guess over K outcomes scores log(1/K).'),
    ('Brier score',
     'the squared difference between the forecast probabilities and what happened (1 for the outcome that occurred, 0 for the others), summed over outcomes; 0 is perfect, lower is better.'),
    ('CRPS (days)',
     'the continuous ranked probability score of the start date: how far, in days, the forecast distribution of the start was from the actual start, rewarding both accuracy and sharpness; lower is better.'),
    ('coverage',
     'how often the stated interval (for example the 80 % interval of the start date) contained what happened; an honest 80 % interval covers about 80 % of the time. `12/12 [74-100 %]` means 12 of 12 intervals covered, with the exact 95 % binomial confidence interval of the coverage rate in brackets.'),
    ('skill',
     "the improvement of a model's mean score over a baseline's on the same forecasts; the paired test says whether the difference could be chance."),
    ('p-value',
     'the probability, if the null hypothesis (H0) were true, of a result at least as extreme as the one seen; printed as `0.032`, or `<0.0001` when smaller. `p adj.` is corrected for testing several hypotheses at once (Holm).'),
    ('power',
     'the probability that a test detects the stated alternative at the chosen level; `n for 80 %` is the number of years (or events) the test would need to reach 80 % power.'),
    ('ICD 203 words',
     'the estimative language of US Intelligence Community Directive 203 (almost no chance, very unlikely, unlikely, roughly even chance, likely, very likely, almost certain), used with the probability beside it.'),
)
