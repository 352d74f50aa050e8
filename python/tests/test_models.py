"""Loss models: simulations equal the Rust CLI's for the same seed and do not depend on the
thread count; exact and simulated results agree; premiums and DataFrames."""

import json
import subprocess

import numpy as np
import pandas as pd
import pytest

import kexian
from conftest import DATA

SPEC = DATA / "line_cyber.json"


def test_a_simulation_equals_the_rust_cli_for_the_same_seed(cli, tmp_path):
    out = tmp_path / "out"
    subprocess.run([cli, "price", "--model", SPEC, "--trials", "50000", "--quiet", "--out", out],
                   check=True, capture_output=True)
    rust = json.loads((out / "priced.json").read_text())
    spec = json.loads(SPEC.read_text())
    spec["method"]["simulation"]["trials"] = 50000
    ours = kexian.price_line(spec)
    for key in ("mean", "std_dev", "var", "tvar", "premiums"):
        assert ours[key] == rust[key], key
    # The same cover through LossModel: identical to the last bit.
    m = spec["model"]
    model = kexian.LossModel(kexian.Frequency.from_json(json.dumps(m["frequency"])),
                             kexian.Severity.from_json(json.dumps(m["severity"])),
                             claim_terms=m["claim_terms"], aggregate_terms=m["aggregate_terms"])
    sim = model.simulate(trials=50000, seed=spec["method"]["simulation"]["seed"])
    assert sim.mean() == (rust["mean"]["value"], rust["mean"]["std_error"])
    assert sim.tvar(0.995) == (rust["tvar"][1][1]["value"], rust["tvar"][1][1]["std_error"])


def test_results_do_not_depend_on_the_thread_count_and_agree_with_exact():
    model = kexian.LossModel(kexian.Poisson(2.0), kexian.LogNormal(10.0, 2.0),
                             claim_terms={"deductible": 1e4, "limit": 1e6})
    one = model.simulate(trials=200_000, seed=7, threads=1)
    two = model.simulate(trials=200_000, seed=7, threads=2)
    assert one.statistics().equals(two.statistics())
    exact = model.exact(points=1 << 15)
    assert exact.warnings == []
    assert abs(one.mean().value - exact.mean()) < 4 * one.mean().std_error
    assert abs(exact.mean() - model.analytic_mean()) < 1e-6 * exact.mean()
    tvar = one.tvar(0.99)
    assert abs(tvar.value - exact.tvar(0.99)) < 4 * tvar.std_error
    curve = one.exceedance_curve()
    assert list(curve.columns) == ["return_period", "loss", "std_error"]
    assert curve["loss"].is_monotonic_increasing
    assert exact.probabilities().sum() == pd.Series(exact.probabilities()).sum()
    # Premium principles on both.
    wang_mc = one.premium("wang", **{"lambda": 0.25})
    wang_exact = exact.premium({"principle": "wang", "lambda": 0.25})
    assert wang_exact > exact.mean()
    assert abs(wang_mc / wang_exact - 1) < 0.02


def test_progress_is_reported_and_a_raising_callback_stops_the_run():
    model = kexian.LossModel(kexian.Poisson(2.0), kexian.LogNormal(10.0, 2.0))
    seen = []
    model.simulate(trials=200_000, seed=1, batch_size=1000, progress=lambda s, d, t: seen.append((s, d, t)))
    assert seen and seen[-1] == ("batches", 200, 200)

    def stop(stage, done, total):
        raise RuntimeError("enough")

    try:
        model.simulate(trials=200_000, seed=1, batch_size=1000, progress=stop)
    except RuntimeError as e:
        assert "enough" in str(e)
    else:
        raise AssertionError("the callback's exception must stop the run")


def test_ctrl_c_stops_a_long_run():
    import _thread
    import threading
    import time

    model = kexian.LossModel(kexian.Poisson(2.0), kexian.LogNormal(10.0, 2.0))
    threading.Timer(0.2, _thread.interrupt_main).start()
    start = time.perf_counter()
    try:
        # About 20 s of work if nothing stopped it.
        model.simulate(trials=400_000_000, seed=1, tail_level=0.999)
    except KeyboardInterrupt:
        pass
    else:
        raise AssertionError("Ctrl-C must interrupt the run")
    assert time.perf_counter() - start < 10
    # The interpreter is fine afterwards.
    assert model.simulate(trials=1000, seed=1, tail_level=0.99).value_at_risk(0.995).value > 0


def test_counts_are_whole_and_nan_is_no_value():
    # Poisson.pmf([1.5]) was cast to pmf(1), and lev(NaN) returned NaN.
    p = kexian.Poisson(2.0)
    assert p.pmf(1) == pytest.approx(2.0 * np.exp(-2.0), rel=1e-15)
    with pytest.raises(kexian.KexianError, match="whole number"):
        p.pmf([1.5])
    with pytest.raises(kexian.KexianError, match="whole number"):
        p.cdf(-1)
    s = kexian.LogNormal(10.0, 1.0)
    with pytest.raises(kexian.KexianError, match="NaN"):
        s.lev(float("nan"))
    assert 0 < s.lev(1e6) < s.mean()
