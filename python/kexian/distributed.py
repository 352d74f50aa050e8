"""Sharded runs on a Dask cluster: the shards of one run are mapped over the cluster's workers
and their partial results merged here, bit for bit the single-process result (the engine's
determinism contract makes each shard a pure function of the run and its range).

Any ``dask.distributed.Client`` works: a ``LocalCluster`` on one machine, ``dask-jobqueue``'s
``SLURMCluster``/``PBSCluster`` on an HPC system, ``dask-kubernetes`` or a Helm-deployed
scheduler on Kubernetes. Workers need ``kexian`` installed (the same release).

>>> from dask.distributed import Client, LocalCluster            # doctest: +SKIP
>>> client = Client(LocalCluster(n_workers=2))                    # doctest: +SKIP
>>> sim = kexian.distributed.simulate(model, trials=10**7, seed=1, client=client)  # doctest: +SKIP
"""

from __future__ import annotations

import json
import math
from typing import Any, List, Optional

from . import LossModel, PortfolioResult, Simulation, _kexian, _portfolio_config, _tables
from . import _read_json_arg, _simulation_config

__all__ = ["simulate", "simulate_portfolio", "quote"]

_DEFAULT_BATCH = 16_384
_BLOCK = 2_048


def _count(client: Any, shards: Optional[int], units: int) -> int:
    """The number of shards: as asked, or the cluster's worker threads; at most ``units``."""
    if shards is None:
        shards = max(1, sum(client.nthreads().values()))
    if shards < 1:
        raise ValueError(f"shards must be at least 1, not {shards}")
    return min(shards, max(1, units))


def _gather(client: Any, task: Any, count: int, *args: Any) -> List[bytes]:
    futures = [client.submit(task, i, count, *args, pure=False) for i in range(1, count + 1)]
    return client.gather(futures)


def _cover_shard(index: int, count: int, spec: str, config: str) -> bytes:
    return _kexian.CoverModel.from_json(spec).simulate_shard(config, index, count)


def simulate(model: LossModel, trials: int, seed: int, *, client: Any,
             shards: Optional[int] = None, threads: Optional[int] = None,
             batch_size: Optional[int] = None, condition_on_claims: bool = False,
             tail_level: Optional[float] = None) -> Simulation:
    """:meth:`kexian.LossModel.simulate` with its batches split into ``shards`` contiguous
    shards (default: one per worker thread) run on ``client``'s cluster; ``threads`` is each
    shard's thread count (default: all cores of its machine)."""
    config = _simulation_config(trials, seed, threads, batch_size, condition_on_claims,
                                tail_level)
    count = _count(client, shards, math.ceil(trials / (batch_size or _DEFAULT_BATCH)))
    parts = _gather(client, _cover_shard, count, model.to_json(), config)
    return Simulation(model._inner.merge(config, parts))


def _book_shard(index: int, count: int, book: Any, config: str,
                assumptions: Optional[str]) -> bytes:
    return _kexian.simulate_portfolio_shard(book, config, index, count, assumptions)


def simulate_portfolio(firms: Any, trials: int, seed: int, *, client: Any,
                       shards: Optional[int] = None, assumptions: Any = None,
                       tvar_level: float = 0.995,
                       threads: Optional[int] = None,
                       engine: str = "superposition") -> PortfolioResult:
    """:func:`kexian.simulate_portfolio` with its blocks of 2,048 years split into ``shards``
    shards run on ``client``'s cluster (the book is sent to the workers once)."""
    book = _tables.book(firms)
    if book[0] == "path":  # the workers get the file's contents, named by its path
        with open(book[1], encoding="utf-8-sig") as fh:
            book = ("file", (book[1], fh.read()))
    config = _portfolio_config(trials, seed, tvar_level, threads, engine)
    assumptions_json = _read_json_arg(assumptions)
    count = _count(client, shards, math.ceil(trials / _BLOCK))
    [shared] = client.scatter([book], broadcast=True)
    parts = _gather(client, _book_shard, count, shared, config, assumptions_json)
    return PortfolioResult(_kexian.merge_portfolio(book, config, parts, assumptions_json))


def _quote_shard(index: int, count: int, firms: Any, config: Any, assumptions: Any,
                 experience: Any, trials: Optional[int], seed: Optional[int]) -> bytes:
    from . import quote_shard

    return quote_shard(index, count, firms, config, assumptions, experience, trials=trials,
                       seed=seed)


def quote(firms: Any, config: Any, assumptions: Any = None, experience: Any = None, *,
          client: Any, shards: Optional[int] = None, trials: Optional[int] = None,
          seed: Optional[int] = None, **options: Any):
    """:func:`kexian.quote` with the simulated years split into ``shards`` shards run on
    ``client``'s cluster (``kexian quote --shard`` on each worker, ``kexian merge`` here): bit
    for bit the single run's quotes. Paths must be readable by the workers (or give the book
    and experience as DataFrames); ``options`` go to :func:`kexian.quote`."""
    from . import _jobs

    _jobs.job(firms, config, assumptions, experience, trials, seed)  # refused here, not on workers
    if trials is None:
        trials = json.loads(_read_json_arg(config))["simulation"]["trials"]
    count = _count(client, shards, math.ceil(trials / _BLOCK))
    parts = _gather(client, _quote_shard, count, firms, config, assumptions, experience,
                    trials, seed)
    return _jobs.quote(firms, config, assumptions, experience, trials=trials, seed=seed,
                       parts=parts, **options)
