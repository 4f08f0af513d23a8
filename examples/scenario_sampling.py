"""Answer scenario questions by sampling whole future calendars.

"What is the probability that Russia's strategic exercise is Zapad in both 2027 and 2029?"
Joint questions need joint draws: the product of the yearly marginals would ignore that the years
share the same (uncertain) rotation.
"""

import datetime as dt

from drillcast import Forecaster, load_catalogue

snapshot = load_catalogue().as_of(dt.date(2026, 1, 1))
fc = Forecaster("calendar").fit(snapshot, "russia-strategic").forecast(years=[2026, 2027, 2028, 2029], seed=1)
paths = fc.sample(100_000, seed=1)

both = paths.is_(2027, "zapad") & paths.is_(2029, "zapad")
p, se = paths.probability(both)
p27 = fc.year(2027).outcomes["zapad"]
p29 = fc.year(2029).outcomes["zapad"]
print(f"P(Zapad in 2027 and 2029) = {p:.3f} (Monte Carlo s.e. {se:.3f}, 100,000 calendars)")
print(f"product of the marginals  = {p27 * p29:.3f} (wrong: ignores shared uncertainty)")
no_gap = ~(paths.is_(2026, "none") | paths.is_(2027, "none") | paths.is_(2028, "none"))
print(f"P(an exercise every year 2026-2028) = {paths.probability(no_gap)[0]:.3f}")
