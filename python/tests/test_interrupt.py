"""Ctrl-C (KeyboardInterrupt) stops every long call within a second, and the interpreter is
fine afterwards."""

import _thread
import threading
import time

import pytest

import kexian
from conftest import DATA


def interrupted_within_a_second(call):
    """Runs `call`, sends Ctrl-C 0.3 s in, and returns the seconds from Ctrl-C to the
    KeyboardInterrupt."""
    sent = []

    def ctrl_c():
        sent.append(time.perf_counter())
        _thread.interrupt_main()

    threading.Timer(0.3, ctrl_c).start()
    try:
        call()
    except KeyboardInterrupt:
        return time.perf_counter() - sent[0]
    try:  # the call ended first: take the pending Ctrl-C, then fail
        time.sleep(5)
    except KeyboardInterrupt:
        pass
    pytest.fail("the call ended before Ctrl-C came: give it more work")


def test_panjer_stops_on_ctrl_c():
    model = kexian.LossModel(kexian.Poisson(50.0), kexian.LogNormal(10.0, 1.5))
    # 2^17 points: an O(n²) recursion of about 20 s if nothing stopped it.
    delay = interrupted_within_a_second(lambda: model.exact("panjer", points=1 << 17))
    assert delay < 1.0, delay
    assert model.exact("panjer", points=1 << 10).mean() > 0


def test_simulate_portfolio_stops_on_ctrl_c():
    delay = interrupted_within_a_second(
        lambda: kexian.simulate_portfolio(DATA / "portfolio.csv", trials=1_000_000, seed=1))
    assert delay < 1.0, delay


def test_quote_stops_on_ctrl_c():
    delay = interrupted_within_a_second(
        lambda: kexian.quote(DATA / "portfolio.csv", DATA / "pricing.json", trials=1_000_000))
    assert delay < 1.0, delay
    assert len(kexian.quote(DATA / "portfolio.csv", DATA / "pricing.json", trials=4096).quotes) == 300
