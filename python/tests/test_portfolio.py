"""Portfolios, quotes, rating, credibility and backtests from DataFrames."""

import json

import numpy as np
import pandas as pd
import pytest

import kexian
from conftest import DATA, ROOT


def test_per_policy_vectors_sum_to_the_portfolio_total_exactly():
    book = pd.read_csv(DATA / "portfolio.csv", keep_default_na=False)
    run = kexian.simulate_portfolio(book.head(60), trials=5000, seed=11)
    cents = sum(run.policy_cents(i) for i in run.ids)
    assert cents.dtype == np.int64
    assert np.array_equal(cents, np.round(run.totals() * 100).astype(np.int64))
    alloc = run.allocation()
    assert len(alloc) == 60
    assert alloc["allocated_tvar"].sum() == pytest.approx(run.tvar, rel=1e-9)
    assert run.losses().mean().std_error > 0


def test_both_engines_agree_and_an_unknown_engine_is_refused():
    book = pd.read_csv(DATA / "portfolio.csv", keep_default_na=False).head(60)
    runs = [kexian.simulate_portfolio(book, trials=20_000, seed=5, engine=e)
            for e in ("superposition", "streams")]
    a, b = (r.allocation() for r in runs)
    # Different draws of the same model: each firm's means agree within 4.5 combined s.e.
    z = (a["mean"] - b["mean"]) / np.hypot(a["mean_std_error"], b["mean_std_error"]).clip(1e-9)
    assert (z.abs() < 4.5).all(), z.abs().max()
    assert not np.array_equal(runs[0].totals(), runs[1].totals())
    refusal = "unknown variant `fastest`, expected `superposition` or `streams`"
    with pytest.raises(kexian.KexianError, match=refusal):
        kexian.simulate_portfolio(book, trials=100, seed=5, engine="fastest")


def test_standalone_losses_are_the_streams_engines_draws():
    book = pd.read_csv(DATA / "portfolio.csv", keep_default_na=False).head(30)
    sup, streams = (kexian.simulate_portfolio(book, trials=5_000, seed=9, engine=e)
                    for e in ("superposition", "streams"))
    cents = lambda x: np.rint(x * 100).astype(np.int64).sum()
    differ = 0
    for i in sup.ids:
        # The same draws, moved by each run's own copula (systemic hits stay in their
        # years): the same total over the years, to the 分.
        own = sup.standalone_losses(i)
        assert cents(own) == cents(streams.policy_losses(i)), i
        differ += cents(own) != sup.policy_cents(i).sum()
    assert differ > 0  # the superposed run drew some firms' suits from the book's stream
    with pytest.raises(kexian.KexianError, match="no policy `nobody`"):
        sup.standalone_losses("nobody")


def test_the_bundled_quote_equals_the_rust_pins():
    book = pd.read_csv(DATA / "portfolio.csv", keep_default_na=False)
    experience = pd.read_csv(DATA / "experience.csv")
    result = kexian.quote(book, DATA / "pricing.json", experience=experience)
    q = result.quotes
    assert len(q) == 300
    # The pinned totals of tests/quote.rs (seed 2025, 100,000 years).
    assert f"{result.summary['premium']:.2f}" == "311426080.00"
    assert f"{result.summary['subsidy']:.2f}" == "42030338.27"
    components = ["expected_loss", "risk_load", "reinsurance_cost", "expense", "commission", "profit",
                  "minimum_premium_adjustment", "rounding_adjustment"]
    np.testing.assert_allclose(q[components].sum(axis=1), q["premium"], rtol=1e-9)


def test_covers_with_their_own_terms_and_the_two_way_push():
    # A firm buys the 走出去 package with its own policy terms beside cyber 500万 xs 50万.
    firm = {"id": "P1", "sector": "ai", "size": "small", "stage": "growth", "score": 655,
            "covariates": {"log_revenue": 17.5},
            "covers": [{"product": "cyber",
                        "terms": {"claim": {"deductible": 500000, "limit": 5500000}}},
                       {"product": "going_global",
                        "terms": {"claim": {"deductible": 50000},
                                  "policy": {"limit": 5000000, "annual_limit": 8000000}}}]}
    config = json.loads((DATA / "pricing.json").read_text())
    config.pop("rating")
    config["simulation"]["trials"] = 20_000
    result = kexian.quote([firm], config)
    q = result.quotes.loc["P1"]
    assert q["expected_loss_going_global"] > 0 and q["expected_loss_cyber"] > 0
    m = kexian.match_products([firm], config)
    assert "going_global" not in set(m.by_firm["product"])
    assert "clinical_trial" not in set(m.by_firm["product"])  # biomedicine only
    assert list(m.by_firm["firm_rank"]) == list(range(1, len(m.by_firm) + 1))
    assert (m.by_firm["premium"] >= m.by_firm["expected_loss"]).all()
    assert set(m.unpriced["product"]) == {"rnd_failure"}  # needs a project type
    with pytest.raises(kexian.DataError) as e:
        kexian.quote([dict(firm, covers=[{"product": "cyber_plus"}])], config)
    assert "unknown product `cyber_plus`" in str(e.value)


def test_a_second_insurer_book_from_json_with_its_own_assumptions():
    b = ROOT / "tests" / "data" / "insurer_b"
    config = json.loads((b / "pricing.json").read_text())
    result = kexian.quote(b / "policies.json", config, assumptions=b / "assumptions.json",
                          experience=b / "experience.csv")
    assert f"{result.summary['premium']:.2f}" == "8815280.00"  # tests/open_book.rs
    assert set(result.quotes["score_tier"]) == {1, 2, 3, 4}


def test_rating_plan_credibility_and_backtest_from_dataframes():
    experience = pd.read_csv(DATA / "experience.csv")
    spec = json.loads((DATA / "pricing.json").read_text())["rating"]["spec"]
    plan = kexian.RatingPlan.fit(experience, spec, "poisson")
    rel = plan.relativities()
    assert {"factor", "level", "relativity"} <= set(rel.columns)
    predicted = plan.predict(experience)
    assert predicted.sum() == pytest.approx(experience["claims"].sum(), rel=1e-8)  # Poisson GLM
    # The claims of all lines pooled: the line is a factor (R&D fails far more often).
    pooled = dict(spec, factors=spec["factors"] + [{"kind": "categorical", "column": "line"}])
    bt = kexian.rolling_backtest(experience, pooled)
    assert list(bt["label"]) == ["2023", "2024", "2025", "all"]  # 2021–2022 train the first
    assert bt["test_rows"].iloc[-1] == bt["test_rows"].iloc[:-1].sum()
    assert (bt["gini"] > 0).all()
    # Hachemeister's data (actuar): the collective premium of the unbiased estimator.
    h = pd.DataFrame({
        "state": np.repeat(["1", "2", "3", "4", "5"], 12),
        "period": np.tile(np.arange(1, 13), 5),
        "ratio": [1738, 1642, 1794, 2051, 2079, 2234, 2032, 2035, 2115, 2262, 2267, 2517,
                  1364, 1408, 1597, 1444, 1342, 1675, 1470, 1448, 1464, 1831, 1612, 1471,
                  1759, 1685, 1479, 1763, 1674, 2103, 1502, 1622, 1828, 2155, 2233, 2059,
                  1223, 1146, 1010, 1257, 1426, 1532, 1953, 1123, 1343, 1243, 1762, 1306,
                  1456, 1499, 1609, 1741, 1482, 1572, 1606, 1735, 1607, 1573, 1613, 1690],
        "weight": [7861, 9251, 8706, 8575, 7917, 8263, 9456, 8003, 7365, 7832, 7849, 9077,
                   1622, 1742, 1523, 1515, 1622, 1602, 1964, 1515, 1527, 1748, 1654, 1861,
                   1147, 1357, 1329, 1204, 998, 1077, 1277, 1218, 896, 1003, 1108, 1121,
                   407, 396, 348, 341, 315, 328, 352, 331, 287, 384, 321, 342,
                   2902, 3172, 3046, 3068, 2693, 2910, 3275, 2697, 2663, 3017, 3242, 3425],
    })
    fit = kexian.buhlmann_straub(h, "state", "period", "ratio", "weight")
    assert fit["collective"] == pytest.approx(1683.713, abs=1e-3)  # R actuar 3.3-2
    assert list(fit["table"].index) == ["1", "2", "3", "4", "5"]


def test_one_standard_error_per_statistic_in_the_quote_and_the_portfolio_run():
    # The quote's summary and the portfolio run of the same book, seed and years: the same
    # VaR and TVaR with the same standard errors (the copula blocks' estimators), to the bit.
    book = pd.read_csv(DATA / "portfolio.csv", keep_default_na=False).head(80)
    config = {"simulation": {"seed": 7, "trials": 20_000}, "tvar_level": 0.99,
              "loadings": {"cost_of_capital": 0.1, "expense_ratio": 0.15,
                           "commission_ratio": 0.05, "profit_ratio": 0.05}}
    summary = kexian.quote(book, config).summary
    run = kexian.simulate_portfolio(book, trials=20_000, seed=7, tvar_level=0.99)
    stats = run.losses().statistics(levels=(0.99,))
    assert stats.loc["VaR 0.99", "value"] == summary["var"]
    assert stats.loc["TVaR 0.99", "value"] == summary["tvar"]
    assert stats.loc["VaR 0.99", "std_error"] == summary["standard_errors"]["var"]
    assert stats.loc["TVaR 0.99", "std_error"] == summary["standard_errors"]["tvar"]
    assert summary["standard_errors"]["tvar"] > 0
