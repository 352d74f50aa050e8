"""Speed of the Python package against the same call in Rust and against numpy.

10^7 trials of Poisson(2) × lognormal(10, 2) with a 10,000 deductible and 1,000,000 maximum
covered loss: kexian from Python (1 and 2 threads), the same call in Rust
(`examples/time_cover.rs`, built and run here), and numpy's vectorised simulation of the same
cover in this process. Prints one `key=value` line per figure.

    python python/bench/bench_python.py [trials]
"""

import pathlib
import subprocess
import sys
import time

import numpy as np

import kexian

ROOT = pathlib.Path(__file__).resolve().parents[2]
TRIALS = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000


def best(f, repeat=3):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return min(times)


def rust_seconds(threads):
    subprocess.run(["cargo", "build", "--release", "--example", "time_cover"], cwd=ROOT, check=True,
                   capture_output=True)
    exe = ROOT / "target" / "release" / "examples" / "time_cover"
    runs = []
    for _ in range(3):
        out = subprocess.run([exe, str(TRIALS), str(threads)], check=True, capture_output=True, text=True)
        fields = dict(kv.split("=") for kv in out.stdout.split())
        runs.append(float(fields["seconds"]))
    return min(runs), float(fields["mean"])


def numpy_cover(seed=7):
    rng = np.random.default_rng(seed)
    counts = rng.poisson(2.0, TRIALS)
    x = rng.lognormal(10.0, 2.0, counts.sum())
    pay = np.minimum(x, 1.0e6) - np.minimum(x, 1.0e4)
    return np.bincount(np.repeat(np.arange(TRIALS), counts), weights=pay, minlength=TRIALS)


model = kexian.LossModel(kexian.Poisson(2.0), kexian.LogNormal(10.0, 2.0),
                         claim_terms={"deductible": 1.0e4, "limit": 1.0e6})
print(f"trials={TRIALS}")
for threads in (1, 2):
    py = best(lambda: model.simulate(trials=TRIALS, seed=7, threads=threads))
    rust, rust_mean = rust_seconds(threads)
    assert model.simulate(trials=TRIALS, seed=7, threads=threads).mean().value == rust_mean
    print(f"python_{threads}_threads_s={py:.3f} rust_{threads}_threads_s={rust:.3f} "
          f"ratio_python_vs_rust_{threads}_threads={py / rust:.3f}")
numpy_s = best(numpy_cover, repeat=2)
one = best(lambda: model.simulate(trials=TRIALS, seed=7, threads=1))
print(f"numpy_vectorised_s={numpy_s:.3f} ratio_numpy_vs_kexian_1_thread={numpy_s / one:.2f}")
