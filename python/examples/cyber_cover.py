"""Notebook-style example: price a cyber cover, then a small portfolio.

A tech SME's cyber cover — material incidents negative binomial (mean 0.3 a year), incident
cost lognormal from the NetDiligence SME figures (median ≈ 36K USD ≈ 256K 元 here), 20K 元
deductible, 5M 元 limit — priced exactly (FFT) and by simulation; then 40 bundled firms
simulated jointly under the bundled assumption set. Plots the exceedance curve when matplotlib
is installed. Run: ``python python/examples/cyber_cover.py``.
"""

import pathlib

import pandas as pd

import kexian

DATA = pathlib.Path(__file__).resolve().parents[2] / "data"

cover = kexian.LossModel(
    kexian.NegativeBinomial(r=1.0, beta=0.3),
    kexian.LogNormal(mu=10.49 + 1.96, sigma=1.78),
    claim_terms={"deductible": 2.0e4, "limit": 5.0e6},
)
exact = cover.exact()
sim = cover.simulate(trials=200_000, seed=2025)
print(sim.statistics())
mean = sim.mean()
assert abs(mean.value - exact.mean()) < 4 * mean.std_error
premium = exact.premium("wang", **{"lambda": 0.25})
print(f"Wang(0.25) premium {premium:,.0f} 元 on an expected loss of {exact.mean():,.0f} 元")
assert premium > exact.mean()

book = pd.read_csv(DATA / "portfolio.csv", keep_default_na=False).head(40)
run = kexian.simulate_portfolio(book, trials=20_000, seed=7)
alloc = run.allocation().sort_values("allocated_tvar", ascending=False)
print(alloc.head())
assert abs(alloc["allocated_tvar"].sum() / run.tvar - 1) < 1e-9

curve = run.losses().exceedance_curve()
try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = curve.plot(x="return_period", y="loss", logx=True, legend=False)
    ax.set_xlabel("return period (years)")
    ax.set_ylabel("annual loss (元)")
    plt.close(ax.figure)
except ImportError:
    pass
print(curve)
