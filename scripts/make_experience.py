"""The firm-years of the bundled experience: synthetic Shanghai technology firms over
2021–2025, for kexian's backtests, examples and the bundled portfolio. Seeded; rerunning
reproduces the file.

The claims it writes are a first draft, kept only so that the firms' covariates keep their
draws: `cargo run --release --example make_experience` then replaces them with the bundled
model's own claims, one row per firm, year and line (see data/README.md).

Writes data/experience.csv, one row per firm-year:
  firm      firm id (F0001…)
  year      policy year (2021–2025)
  sector    ic | biomedicine | ai | low_altitude | new_materials (guidance priority sectors)
  stage     start_up | growth | mature
  score     沪科积分 on 0–1000 (drifts upward by year)
  log_revenue  ln(revenue in 元)
  exposure  policy-years in force (0.25–1; firms join during the period)
  claims    claim count in the year
  incurred  incurred loss of those claims, 元
True model (for the tests to recover): claims ~ Poisson(exposure · θ · exp(η)),
η = −1.2 − 0.18·(tier − 1) + sector effect + 0.2·(log_revenue − 17), θ ~ Gamma(mean 1, var 0.3).
Run: python3 scripts/make_experience.py
"""
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20251201)
firms = 300
years = range(2021, 2026)
sectors = ["ic", "biomedicine", "ai", "low_altitude", "new_materials"]
sector_effect = {"ic": 0.0, "biomedicine": 0.35, "ai": 0.15, "low_altitude": 0.25, "new_materials": -0.1}
severity_mean = {"ic": 400_000, "biomedicine": 650_000, "ai": 250_000, "low_altitude": 500_000, "new_materials": 300_000}
stages = ["start_up", "growth", "mature"]

sector = rng.choice(sectors, firms, p=[0.25, 0.2, 0.25, 0.1, 0.2])
stage = rng.choice(stages, firms, p=[0.35, 0.45, 0.2])
score0 = np.clip(rng.normal(480, 190, firms), 20, 980)
lrev0 = rng.normal(17.0, 1.1, firms) + np.where(stage == "mature", 1.0, np.where(stage == "start_up", -0.8, 0.0))
join = rng.choice([2021, 2021, 2021, 2022, 2023], firms)
theta = rng.gamma(1 / 0.3, 0.3, firms)

rows = []
for i in range(firms):
    score, lrev = score0[i], lrev0[i]
    for t, year in enumerate(years):
        if year < join[i]:
            continue
        exposure = round(float(rng.uniform(0.25, 1.0)), 4) if year == join[i] else 1.0
        tier = min(int(score // 200), 4) + 1
        eta = -1.2 - 0.18 * (tier - 1) + sector_effect[sector[i]] + 0.2 * (lrev - 17.0)
        claims = int(rng.poisson(exposure * theta[i] * np.exp(eta)))
        sev = rng.lognormal(np.log(severity_mean[sector[i]]) - 0.5 * 1.2 ** 2, 1.2, claims)
        rows.append((f"F{i + 1:04d}", year, sector[i], stage[i], round(float(score), 1), round(float(lrev), 4),
                     exposure, claims, round(float(sev.sum()), 2)))
        score = float(np.clip(score + rng.normal(12, 25), 0, 1000))
        lrev += rng.normal(0.08, 0.1)

os.makedirs(os.path.join(HERE, "..", "data"), exist_ok=True)
with open(os.path.join(HERE, "..", "data", "experience.csv"), "w") as fh:
    fh.write("firm,year,sector,stage,score,log_revenue,exposure,claims,incurred\n")
    for r in rows:
        fh.write(",".join(str(v) for v in r) + "\n")
print(len(rows), "firm-years;", sum(r[7] for r in rows), "claims")
