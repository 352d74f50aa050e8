"""Errors are KexianError (ValueError) subclasses carrying the Rust error's fields; no panic
reaches Python."""

import pytest

import kexian


def test_an_invalid_parameter_names_itself():
    with pytest.raises(kexian.ParameterError) as e:
        kexian.LogNormal(10.0, -1.0)
    assert isinstance(e.value, kexian.KexianError) and isinstance(e.value, ValueError)
    assert e.value.parameter == "sigma"
    assert e.value.value == -1.0
    assert e.value.model == "LogNormal"
    assert "sigma" in str(e.value)
    with pytest.raises(kexian.KexianError) as e:
        kexian.Poisson(-2.0)
    assert e.value.parameter == "lambda"


def test_a_bad_book_names_the_firm_and_the_field():
    firm = {"id": "F1", "sector": "shipping", "size": "small", "stage": "growth", "score": 500,
            "covers": [{"product": "cyber"}]}
    with pytest.raises(kexian.DataError) as e:
        kexian.simulate_portfolio([firm], trials=100, seed=1)
    assert "unknown sector `shipping`" in str(e.value)
    with pytest.raises(kexian.KexianError):
        kexian.simulate_portfolio([dict(firm, sector="ai", score=5000)], trials=100, seed=1)


def test_no_panic_reaches_python():
    with pytest.raises(kexian.KexianError) as e:
        kexian._kexian._panic_for_test()
    assert "internal error" in str(e.value)


def test_calls_beyond_the_budget_are_refused_at_once():
    """Severity.sample(2**40), LossModel.simulate(trials=2**62) and simulate_portfolio over
    5e8 years killed the interpreter on a failed allocation (issue 36)."""
    import time

    firm = {"id": "F1", "sector": "ai", "size": "small", "stage": "growth", "score": 500,
            "covers": [{"product": "cyber"}]}
    start = time.monotonic()
    sev = kexian.LogNormal(10.0, 1.0)
    with pytest.raises(kexian.BudgetError, match="the sample needs about .* memory budget"):
        sev.sample(2**40, seed=1)
    model = kexian.LossModel(kexian.Poisson(2.0), sev)
    with pytest.raises(kexian.BudgetError, match="the simulation needs about"):
        model.simulate(trials=2**62, seed=1)
    with pytest.raises(kexian.BudgetError, match="the portfolio run needs about"):
        kexian.simulate_portfolio([firm], trials=500_000_000, seed=1)
    assert time.monotonic() - start < 10
    # The budget is the caller's to set, and restore.
    kexian.set_budget(seconds=1e-6)
    try:
        with pytest.raises(kexian.BudgetError, match="time budget"):
            model.simulate(trials=100_000, seed=1)
    finally:
        kexian.set_budget()
    assert kexian.budget()["seconds"] == 3600.0
    assert model.simulate(trials=1000, seed=1).mean().value > 0
    kexian.simulate_portfolio([firm], trials=1000, seed=1)
