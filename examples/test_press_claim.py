"""Test a press claim: "Russia's strategic exercises rotate through four directions".

Loads the bundled catalogue as known on 1 January 2026, builds the yearly
history of Russia's annual strategic exercise and runs the rotation test:
H0 the yearly outcomes are in no particular order, H1 they follow a fixed
cycle of the four directions (the best of the 24 orders and phases; the
p-value accounts for that search). Prints the verdict, the p-value and the
power of the test.

Usage: python examples/test_press_claim.py
"""

import datetime as dt
import sys

from drillcast.data.catalogue import load_catalogue
from drillcast.errors import DrillcastError
from drillcast.data.history import series_history
from drillcast.hypotheses import run_test

CLAIM = "Russia's strategic exercises rotate through four directions"
SERIES = "russia-strategic"
AS_OF = dt.date(2026, 1, 1)

try:
    snapshot = load_catalogue().as_of(AS_OF)  # only what was reported by the as-of date
    history = series_history(snapshot, SERIES)
except DrillcastError as exc:
    sys.exit(f"cannot load the bundled catalogue: {exc}")

result = run_test("rotation", history, seed=0)
years = f"{history.years[0]}-{history.years[-1]}" if history.n_years else "no years"
print(f"Claim: {CLAIM!r} (series {SERIES}, {years}, as of {AS_OF})")
print(f"Outcomes: {', '.join(f'{y}:{lab}' for y, lab in zip(history.years, history.labels))}")
print(f"Verdict: {result.reading}")
if result.skipped:
    sys.exit(0)
print(f"p-value: {result.p_value:.3g} ({result.method})")
print(f"Power: {result.power:.2f} against {result.power_alternative}")
if result.n_for_80 is None:
    print("80 % power would need more than 100 more years.")
elif result.n_for_80 > result.n:
    print(f"80 % power would need about {result.n_for_80 - result.n} more years.")
else:
    print(f"80 % power is reached from about {result.n_for_80} years.")
print(f"Best order found: {' -> '.join(result.details['best_order'])} (from {result.details['best_order_starts']}); "
      f"years off the cycle: {', '.join(map(str, result.details['mismatch_years'])) or 'none'}")
