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
