"""Synthetic tech-insurance rating data and statsmodels GLM fits, for kexian's GLM tests.

Writes data/glm_synthetic.csv (seeded) and tests/data/glm_reference.json (statsmodels 0.14+
Poisson with log exposure offset, Gamma with log link and claim-count weights, Tweedie p = 1.5
with log link on loss per policy-year weighted by exposure, NB2 by maximum likelihood on the
over-dispersed counts).
Run: python3 scripts/make_glm_reference.py
"""
import json
import os

import numpy as np
import statsmodels.api as sm

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20250612)
n = 2000
score = rng.uniform(0, 1000, n)                       # 沪科积分
tier = np.minimum((score // 200).astype(int), 4)      # five tiers 0..4
sector = rng.integers(0, 3, n)                        # 0 IC, 1 biomedicine, 2 AI
log_revenue = rng.normal(17.0, 1.2, n)                # ln(revenue in 元)
exposure = rng.uniform(0.2, 1.0, n)                   # policy-years
eta = -2.0 - 0.15 * tier + np.array([0.0, 0.3, -0.2])[sector] + 0.25 * (log_revenue - 17.0)
counts = rng.poisson(exposure * np.exp(eta))
sev_mean = np.exp(11.5 + 0.1 * tier + np.array([0.0, 0.4, 0.1])[sector])
avg_sev = np.where(counts > 0, rng.gamma(2.0 * np.maximum(counts, 1), sev_mean / (2.0 * np.maximum(counts, 1))), 0.0)
# Over-dispersed counts for the NB2 fit: Poisson with a gamma(1/α, α) firm effect, α = 0.8
# (drawn last so the columns above are unchanged).
claims_od = rng.poisson(4.0 * exposure * np.exp(eta) * rng.gamma(1.25, 0.8, n))

os.makedirs(os.path.join(HERE, "..", "data"), exist_ok=True)
with open(os.path.join(HERE, "..", "data", "glm_synthetic.csv"), "w") as fh:
    fh.write("firm,score,tier,sector,log_revenue,exposure,claims,avg_severity,claims_od\n")
    for i in range(n):
        fh.write(f"{i},{score[i]:.3f},{tier[i]},{sector[i]},{log_revenue[i]:.6f},{exposure[i]:.6f},{counts[i]},{avg_sev[i]:.4f},{claims_od[i]}\n")

# Read back exactly what was written, so both sides see the same rounded numbers.
data = np.genfromtxt(os.path.join(HERE, "..", "data", "glm_synthetic.csv"), delimiter=",", skip_header=1)
tier, sector, lrev, expo, cnt, sev = data[:, 2].astype(int), data[:, 3].astype(int), data[:, 4], data[:, 5], data[:, 6], data[:, 7]
cnt_od = data[:, 8]


def design(rows):
    cols = [np.ones(rows.sum())]
    for t in range(1, 5):
        cols.append((tier[rows] == t).astype(float))
    for s in range(1, 3):
        cols.append((sector[rows] == s).astype(float))
    cols.append(lrev[rows] - 17.0)
    return np.column_stack(cols)


names = ["intercept", "tier_1", "tier_2", "tier_3", "tier_4", "sector_1", "sector_2", "log_revenue_c"]
allrows = np.ones(len(cnt), dtype=bool)
pois = sm.GLM(cnt, design(allrows), family=sm.families.Poisson(), offset=np.log(expo)).fit(tol=1e-12)
pos = cnt > 0
gam = sm.GLM(sev[pos], design(pos), family=sm.families.Gamma(sm.families.links.Log()),
             var_weights=cnt[pos]).fit(tol=1e-12)
pure = cnt * sev / expo                                # loss per policy-year
tw = sm.GLM(pure, design(allrows), family=sm.families.Tweedie(sm.families.links.Log(), var_power=1.5),
            var_weights=expo).fit(tol=1e-12, maxiter=1000)
# NB2 by maximum likelihood (β and α jointly, Newton on the exact Hessian); standard errors from
# the inverse observed information of (β, α); AIC = −2ℓ + 2(p + 1).
nb = sm.NegativeBinomial(cnt_od, design(allrows), loglike_method="nb2", offset=np.log(expo)).fit(
    method="newton", tol=1e-14, maxiter=200, disp=0)
# The monotone (阶梯式) plan: the unconstrained tier relativities rise from tier 4 to tier 5,
# so kexian merges those two tiers; the same fit with one dummy for tiers 4+5:
Xm = design(allrows)
Xm = np.column_stack([Xm[:, :3], Xm[:, 3] + Xm[:, 4], Xm[:, 5:]])
mono = sm.GLM(cnt, Xm, family=sm.families.Poisson(), offset=np.log(expo)).fit(tol=1e-12)
ref = {
    "generator": "scripts/make_glm_reference.py",
    "columns": names,
    "poisson": {"coefficients": pois.params.tolist(), "std_errors": pois.bse.tolist(),
                "deviance": float(pois.deviance), "aic": float(pois.aic), "iterations": int(pois.fit_history["iteration"])},
    "gamma": {"coefficients": gam.params.tolist(), "std_errors": gam.bse.tolist(),
              "deviance": float(gam.deviance), "dispersion": float(gam.scale)},
    "tweedie_1.5": {"coefficients": tw.params.tolist(), "std_errors": tw.bse.tolist(),
                    "deviance": float(tw.deviance), "dispersion": float(tw.scale)},
    "poisson_monotone": {"coefficients": mono.params.tolist(), "std_errors": mono.bse.tolist(),
                         "deviance": float(mono.deviance), "aic": float(mono.aic)},
    "negative_binomial": {"coefficients": nb.params[:-1].tolist(), "std_errors": nb.bse[:-1].tolist(),
                          "dispersion": float(nb.params[-1]), "dispersion_std_error": float(nb.bse[-1]),
                          "log_likelihood": float(nb.llf), "aic": float(nb.aic)},
}
with open(os.path.join(HERE, "..", "tests", "data", "glm_reference.json"), "w") as fh:
    json.dump(ref, fh, indent=1)
print(json.dumps(ref, indent=1)[:800])
