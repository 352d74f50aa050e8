"""Reference product-limit estimate for tests/fit_charts.rs (run: python3 scripts/reference_product_limit.py).

statsmodels' SurvfuncRight with `entry` (left truncation at the deductible) and right
censoring at the limit, on data/claims_cyber.csv read as `kexian fit` reads it: an amount at
or above its limit is censored there. Writes tests/data/product_limit_reference.json: the
estimate and its Greenwood standard error at every 25th distinct exact amount.
"""
import csv
import json

import numpy as np
import statsmodels
from statsmodels.duration.survfunc import SurvfuncRight

time, status, entry = [], [], []
with open("data/claims_cyber.csv") as f:
    for row in csv.DictReader(f):
        x, d, u = float(row["amount"]), float(row["deductible"]), float(row["limit"])
        censored = x >= u
        time.append(u if censored else x)
        status.append(0 if censored else 1)
        entry.append(d)
sf = SurvfuncRight(np.array(time), np.array(status), entry=np.array(entry))
rows = [
    [float(t), float(s), float(se)]
    for t, s, se in zip(sf.surv_times, sf.surv_prob, sf.surv_prob_se)
][::25]
out = {
    "source": "statsmodels " + statsmodels.__version__ + " SurvfuncRight(time, status, entry)",
    "points": rows,
}
with open("tests/data/product_limit_reference.json", "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print(len(rows), rows[:3])
