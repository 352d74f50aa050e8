"""Reference statistics of the GLM fits on the committed data/glm_synthetic.csv, for kexian's
tests (tests/glm.rs): log-likelihood, AIC, BIC, null deviance, Pearson chi2, residual degrees
of freedom, covariance matrix, 95% Wald intervals and p-values from statsmodels for the
Poisson, Gamma, Tweedie (p = 1.5, series log-likelihood) and NB2 fits; and the expected-
information NB2 standard errors that R's MASS::glm.nb reports (from scripts/reference_glm_nb.R,
whose output this script merges when present).

Run: python3 scripts/reference_glm_statistics.py   (statsmodels >= 0.15, scipy >= 1.14)
     Rscript scripts/reference_glm_nb.R > /tmp/glm_nb.json first to include glm.nb.
"""
import json
import os

import numpy as np
import statsmodels.api as sm

HERE = os.path.dirname(os.path.abspath(__file__))
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


def stats(res, nobs, k):
    """Statistics of a statsmodels result; k = number of parameters in AIC/BIC."""
    ci = np.asarray(res.conf_int(0.05))
    return {
        "log_likelihood": float(res.llf),
        "aic": float(-2 * res.llf + 2 * k),
        "bic": float(-2 * res.llf + k * np.log(nobs)),
        "covariance": np.asarray(res.cov_params())[: X.shape[1], : X.shape[1]].tolist(),
        "conf_int_95": ci.tolist(),
        "p_values": np.asarray(res.pvalues).tolist(),
    }


allrows = np.ones(len(cnt), dtype=bool)
X = design(allrows)
ref = {"generator": "scripts/reference_glm_statistics.py", "statsmodels": sm.__version__}

pois = sm.GLM(cnt, X, family=sm.families.Poisson(), offset=np.log(expo)).fit(tol=1e-12)
ref["poisson"] = stats(pois, len(cnt), X.shape[1]) | {
    "null_deviance": float(pois.null_deviance), "pearson_chi2": float(pois.pearson_chi2),
    "df_residual": int(pois.df_resid)}
assert abs(pois.aic - ref["poisson"]["aic"]) < 1e-8 * abs(pois.aic)
assert abs(pois.bic_llf - ref["poisson"]["bic"]) < 1e-8 * abs(pois.bic_llf)

pos = cnt > 0
Xp = design(pos)
gam = sm.GLM(sev[pos], Xp, family=sm.families.Gamma(sm.families.links.Log()), var_weights=cnt[pos]).fit(tol=1e-12)
ref["gamma"] = stats(gam, int(pos.sum()), Xp.shape[1]) | {
    "null_deviance": float(gam.null_deviance), "pearson_chi2": float(gam.pearson_chi2),
    "df_residual": int(gam.df_resid)}

pure = cnt * sev / expo
tw = sm.GLM(pure, X, family=sm.families.Tweedie(sm.families.links.Log(), var_power=1.5),
            var_weights=expo).fit(tol=1e-12, maxiter=1000)
ref["tweedie_1.5"] = stats(tw, len(cnt), X.shape[1]) | {
    "null_deviance": float(tw.null_deviance), "pearson_chi2": float(tw.pearson_chi2),
    "df_residual": int(tw.df_resid)}

nb = sm.NegativeBinomial(cnt_od, X, loglike_method="nb2", offset=np.log(expo)).fit(
    method="newton", tol=1e-14, maxiter=200, disp=0)
alpha = float(nb.params[-1])
ref["negative_binomial"] = stats(nb, len(cnt), X.shape[1] + 1)
ref["negative_binomial"]["p_values"] = np.asarray(nb.pvalues)[:-1].tolist()
ref["negative_binomial"]["conf_int_95"] = np.asarray(nb.conf_int(0.05))[:-1].tolist()
# The GLM at the estimated alpha: expected-information (Fisher) standard errors of beta and the
# null deviance at that alpha.
nbg = sm.GLM(cnt_od, X, family=sm.families.NegativeBinomial(alpha=alpha), offset=np.log(expo)).fit(tol=1e-14)
ref["negative_binomial"]["expected_std_errors"] = np.asarray(nbg.bse).tolist()
ref["negative_binomial"]["null_deviance"] = float(nbg.null_deviance)
ref["negative_binomial"]["pearson_chi2"] = float(nbg.pearson_chi2)

r_out = "/tmp/glm_nb.json"
if os.path.exists(r_out):
    with open(r_out) as fh:
        ref["glm_nb_r"] = json.load(fh)

with open(os.path.join(HERE, "..", "tests", "data", "glm_statistics_reference.json"), "w") as fh:
    json.dump(ref, fh, indent=1)
print({k: (v["log_likelihood"] if isinstance(v, dict) and "log_likelihood" in v else v) for k, v in ref.items()})
