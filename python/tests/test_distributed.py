"""Sharded runs on a Dask LocalCluster of two worker processes reproduce the single-process
results bit for bit, and the parts refuse wrong merges."""

import numpy as np
import pandas as pd
import pytest
from dask.distributed import Client, LocalCluster

import kexian
import kexian.distributed
from conftest import DATA


@pytest.fixture(scope="module")
def client():
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    c = Client(cluster)
    yield c
    c.close()
    cluster.close()


def cover():
    return kexian.LossModel(kexian.NegativeBinomial(2.0, 0.5), kexian.LogNormal(10.0, 2.0),
                            claim_terms={"deductible": 1e3, "limit": 2e6})


def test_a_cover_sharded_over_two_workers_is_the_single_process_run(client):
    assert len(client.nthreads()) == 2
    args = dict(trials=300_000, seed=3, batch_size=10_000, tail_level=0.99)
    single = cover().simulate(**args)
    sim = kexian.distributed.simulate(cover(), client=client, shards=5, **args)
    for stat in ("mean", "std_dev"):
        assert getattr(sim, stat)() == getattr(single, stat)()
    for level in (0.99, 0.995, 0.999):
        assert sim.value_at_risk(level) == single.value_at_risk(level)
        assert sim.tvar(level) == single.tvar(level)
    pd.testing.assert_frame_equal(sim.exceedance_curve(), single.exceedance_curve(),
                                  check_exact=True)


def test_a_book_sharded_over_two_workers_is_the_single_process_run(client):
    book = pd.read_csv(DATA / "portfolio.csv", keep_default_na=False).head(80)
    single = kexian.simulate_portfolio(book, trials=20_000, seed=5)
    run = kexian.distributed.simulate_portfolio(book, trials=20_000, seed=5, client=client,
                                                shards=4)
    assert np.array_equal(run.totals(), single.totals())
    assert run.tvar == single.tvar
    pd.testing.assert_frame_equal(run.allocation(), single.allocation(), check_exact=True)
    assert run.losses().std_dev() == single.losses().std_dev()


def test_wrong_sets_of_parts_are_refused():
    args = dict(trials=50_000, seed=1, batch_size=10_000)
    parts = [cover().simulate_shard(i, 3, **args) for i in (1, 2, 3)]
    assert cover().merge(parts[::-1], **args).mean() == cover().simulate(**args).mean()
    # Named by its place in the list, not only by its batches.
    named = r"parts\[0\]: merge: the part for batches .* overlaps"
    with pytest.raises(kexian.KexianError, match=named):
        cover().merge(parts + parts[:1], **args)
    with pytest.raises(kexian.KexianError, match="missing"):
        cover().merge(parts[:2], **args)
    with pytest.raises(kexian.KexianError, match="other inputs or settings"):
        cover().merge(parts, **{**args, "seed": 2})
    with pytest.raises(kexian.KexianError):
        cover().merge([b"not a part"], **args)


def test_a_damaged_part_is_refused_before_it_is_decoded():
    args = dict(trials=20_000, seed=1, batch_size=10_000)
    parts = [cover().simulate_shard(i, 2, **args) for i in (1, 2)]
    assert parts[0][:8] == b"KXSEAL01"
    for at in (8, 40, len(parts[0]) // 2, len(parts[0]) - 1):
        damaged = bytearray(parts[0])
        damaged[at] ^= 0x10
        with pytest.raises(kexian.KexianError, match="SHA-256 does not match"):
            cover().merge([bytes(damaged), parts[1]], **args)
    assert cover().merge(parts, **args).mean() == cover().simulate(**args).mean()


def test_quotes_sharded_over_two_workers_are_the_single_run_s(client):
    book, config = DATA / "portfolio.csv", DATA / "pricing.json"
    single = kexian.quote(book, config, trials=10_000)
    sharded = kexian.distributed.quote(book, config, client=client, shards=3, trials=10_000)
    pd.testing.assert_frame_equal(sharded.quotes, single.quotes, check_exact=True)
    assert sharded.summary["premium"] == single.summary["premium"]
