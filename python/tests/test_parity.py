"""Python does what the `kexian` program does, from the same files: the same quotes cell by
cell, the same fitted model, the same loss-ratio backtest, the same errors (file and line)."""

import csv
import io
import json
import math
import subprocess

import numpy as np
import pandas as pd
import pytest

import kexian
from conftest import DATA, ROOT

CONFIG = DATA / "pricing.json"
BOOK = DATA / "portfolio.csv"


def run_cli(cli, *args):
    done = subprocess.run([str(cli), *map(str, args)], capture_output=True, text=True)
    return done


def read_csv_cells(data: bytes):
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    return rows[0], rows[1:]


def shown(value, cell: str) -> str:
    """`value` written as the CSV cell `cell` is: the same number of decimals, empty for a
    missing value, the text itself."""
    if isinstance(value, (float, np.floating)) and math.isnan(value):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value)).lower()
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        places = len(cell.split(".")[1]) if "." in cell else 0
        return f"{value + 0.0:.{places}f}"
    return str(value)


def assert_frame_is_csv(df: pd.DataFrame, data: bytes):
    header, rows = read_csv_cells(data)
    assert list(df.columns) == header
    assert len(df) == len(rows)
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            value = df.iat[r, c]
            assert shown(value, cell) == cell, (r, header[c], value, cell)


def test_the_main_job_from_python_is_the_cli_s_quotes_cell_by_cell(cli, tmp_path):
    done = run_cli(cli, "quote", "--portfolio", BOOK, "--config", CONFIG,
                   "--out", tmp_path / "cli", "--quiet")
    assert done.returncode == 0, done.stderr
    cli_csv = (tmp_path / "cli" / "quotes.csv").read_bytes()
    # The same files, the same pricing.json: its rating plan's experience is read from the
    # file it names, as the program reads it.
    result = kexian.quote(BOOK, CONFIG, out=tmp_path / "py")
    assert len(result.quotes) == 300
    assert_frame_is_csv(result.quotes.reset_index(), cli_csv)
    for name in ("quotes.csv", "covers.csv", "quotes.json"):
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
    assert_frame_is_csv(result.covers, (tmp_path / "cli" / "covers.csv").read_bytes())
    # Every premium's components add up to it, to the 分.
    q = result.quotes
    parts = ["expected_loss", "risk_load", "reinsurance_cost", "expense", "commission", "profit",
             "minimum_premium_adjustment", "rounding_adjustment"]
    assert np.allclose(q[parts].sum(axis=1), q["premium"], atol=0.005)
    # A simulated premium carries its standard error (one held at the minimum premium: none).
    assert (q["premium_std_error"] >= 0).all() and (q["premium_std_error"] > 0).mean() > 0.5
    assert q["score_tier"].dtype == np.int64 and q["covers"].dtype == np.int64


def test_a_dataframe_book_pandas_or_polars_gives_the_file_s_quotes():
    polars = pytest.importorskip("polars")
    from_file = kexian.quote(BOOK, CONFIG).quotes
    book = pd.read_csv(BOOK, keep_default_na=False)
    from_pandas = kexian.quote(book, CONFIG).quotes
    from_polars = kexian.quote(polars.read_csv(BOOK), CONFIG).quotes
    for q in (from_pandas, from_polars):
        pd.testing.assert_frame_equal(q, from_file, check_exact=True)


def test_fitting_gives_the_cli_s_model(cli, tmp_path):
    claims = DATA / "claims_cyber.csv"
    done = run_cli(cli, "fit", "--claims", claims, "--deductible-column", "deductible",
                   "--limit-column", "limit", "--out", tmp_path / "cli")
    assert done.returncode == 0, done.stderr
    cli_model = json.loads((tmp_path / "cli" / "model.json").read_text())
    fitted = kexian.fit(claims, deductible="deductible", limit="limit", out=tmp_path / "py")
    assert fitted.model == cli_model
    for name in ("model.json", "pp.svg", "qq.svg"):
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes()
    # From a DataFrame: the same model, the charts as SVG text.
    frame = kexian.fit(pd.read_csv(claims), deductible="deductible", limit="limit")
    assert frame.model == cli_model
    assert frame.charts["qq.svg"].startswith("<svg")
    assert frame.selection["aic"].is_monotonic_increasing or frame.selection["aic"].isna().any()
    assert frame.selection.iloc[0]["family"] == cli_model["type"]


def test_the_loss_ratio_backtest_is_the_cli_s(cli, tmp_path):
    experience = DATA / "experience.csv"
    done = run_cli(cli, "backtest", "--experience", experience, "--config", CONFIG,
                   "--out", tmp_path / "cli", "--quiet")
    assert done.returncode == 0, done.stderr
    cli_csv = (tmp_path / "cli" / "loss_ratio.csv").read_bytes()
    bt = kexian.backtest(experience, CONFIG)
    assert_frame_is_csv(bt.loss_ratio, cli_csv)
    assert bt.files["loss_ratio.csv"] == cli_csv
    assert {"lorenz.svg", "ae_claims_by_year.svg"} <= set(bt.charts)
    assert bt.rolling.iloc[-1]["label"] == "all"
    # The experience as a DataFrame: the same backtest.
    again = kexian.backtest(pd.read_csv(experience), CONFIG)
    pd.testing.assert_frame_equal(again.loss_ratio, bt.loss_ratio, check_exact=True)


def test_match_rates_and_report_run(tmp_path):
    book = pd.read_csv(BOOK, keep_default_na=False).head(20)
    m = kexian.match_products(book, CONFIG, out=tmp_path / "match")
    assert len(m.by_firm) > 0 and (m.by_firm["premium"] > 0).all()
    assert (tmp_path / "match" / "matches_by_firm.csv").exists()
    r = kexian.rates(BOOK, CONFIG, trials=20_000)
    assert {t["product"] for t in r.tables} >= {"cyber", "rnd_failure"}
    assert all(t["max_residual"] <= t["tolerance"] for t in r.tables)
    assert (r.check["residual"].abs() <= 0.05).all() and len(r.check) > 300
    rep = kexian.report(BOOK, CONFIG, lang="zh", out=tmp_path / "report", trials=8192)
    assert rep.html.startswith("<!DOCTYPE html>") and "费率表" in rep.html
    assert len(rep.sensitivity["results"]) > 5
    assert (tmp_path / "report" / "report.html").read_text(encoding="utf-8") == rep.html


def test_a_bad_row_on_file_line_9_is_line_9_with_the_file_name(cli, tmp_path):
    lines = BOOK.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[8].split(",")  # file line 9
    row[header.index("sector")] = "shipping"
    lines[8] = ",".join(row)
    bad = tmp_path / "book.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = run_cli(cli, "quote", "--portfolio", bad, "--config", CONFIG,
                   "--out", tmp_path / "out", "--quiet")
    assert done.returncode != 0
    assert f"{bad} line 9, field `sector`" in done.stderr, done.stderr
    with pytest.raises(kexian.DataError) as e:
        kexian.quote(bad, CONFIG)
    assert f"{bad} line 9, field `sector`" in str(e.value)
    # A DataFrame's rows are numbered as the lines of its CSV (header line 1).
    with pytest.raises(kexian.DataError) as e:
        kexian.quote(pd.read_csv(bad, keep_default_na=False), CONFIG)
    assert "DataFrame `firms` line 9, field `sector`" in str(e.value)


def test_value_at_risk_is_not_var():
    sim = kexian.LossModel(kexian.Poisson(2.0), kexian.LogNormal(10.0, 1.0)).simulate(
        trials=10_000, seed=3)
    v = sim.value_at_risk(0.99)
    assert v.value > sim.mean().value
    with pytest.warns(DeprecationWarning, match="value_at_risk"):
        assert sim.var(0.99) == v


def test_frequency_fitting_equals_the_mpmath_references():
    # tests/data/frequency_fitting_reference.json (scripts/reference_frequency_fitting.py:
    # mpmath likelihoods, 40 digits, maximised by Newton's method): Poisson and negative
    # binomial per unit exposure on tests/data/counts.csv. Tolerance 1e-6 relative (ours
    # stops its optimiser at that precision, as tests/fitting.rs allows).
    counts = ROOT / "tests" / "data" / "counts.csv"
    reference = json.loads((ROOT / "tests" / "data" / "frequency_fitting_reference.json")
                           .read_text())
    fits = kexian.fit_frequency(counts, "claims", exposure="exposure")
    assert list(fits["family"]) == ["negative_binomial", "poisson"]  # best AIC first
    for want in reference["fits"][:2]:
        got = fits.set_index("family").loc[want["family"]]
        assert np.allclose(got["parameters"], want["parameters"], rtol=1e-6)
        assert np.allclose(got["std_errors"], want["std_errors"], rtol=1e-4)
        assert got["log_likelihood"] == pytest.approx(want["log_likelihood"], rel=1e-9)
    # The same counts as a polars or pandas DataFrame: the same fits.
    again = kexian.fit_frequency(pd.read_csv(counts), "claims", exposure="exposure")
    assert list(again["aic"]) == list(fits["aic"])


def test_the_tail_fit_is_scipy_s_generalized_pareto():
    # Exact claims above the threshold: the peaks-over-threshold MLE is scipy's
    # genpareto.fit of the exceedances with location 0 (an independent optimiser; both
    # maximise the same likelihood, so they agree to its flatness, 1e-3 relative).
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(11)
    amounts = stats.genpareto.rvs(0.3, scale=2e5, size=2000, random_state=rng) + 1e4
    claims = pd.DataFrame({"amount": amounts})
    u = float(np.quantile(amounts, 0.8))
    fit = kexian.fit_tail(claims, u)
    xi, _, sigma = stats.genpareto.fit(amounts[amounts > u] - u, floc=0)
    assert fit["parameters"][0] == pytest.approx(xi, rel=1e-3)
    assert fit["parameters"][1] == pytest.approx(sigma, rel=1e-3)
    table = kexian.threshold_stability(claims, [u / 2, u])
    assert len(table) == 2 and table.iloc[1]["xi"] == pytest.approx(fit["parameters"][0])


def test_quotes_from_shards_are_the_single_run_s():
    single = kexian.quote(BOOK, CONFIG, trials=8192).quotes
    parts = [kexian.quote_shard(i, 3, BOOK, CONFIG, trials=8192) for i in (3, 1, 2)]
    merged = kexian.quote(BOOK, CONFIG, trials=8192, parts=parts).quotes
    pd.testing.assert_frame_equal(merged, single, check_exact=True)
    with pytest.raises(kexian.KexianError):
        kexian.quote(BOOK, CONFIG, trials=8192, parts=parts[:2])
