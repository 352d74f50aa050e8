"""Times statsmodels' Poisson GLM on the two data sets of examples/bench_glm.rs, for the
README's speed comparison. One core (BLAS threads pinned to 1), best of three fits.

Run: KEXIAN_BENCH_GLM_DIR=/tmp/glmbench cargo run --release --example bench_glm
     OPENBLAS_NUM_THREADS=1 python3 scripts/bench_glm_statsmodels.py /tmp/glmbench
"""
import sys
import time

import numpy as np
import pandas as pd
import statsmodels.api as sm

folder = sys.argv[1]
for name, cols in (("glm_20", 20), ("glm_100", 100)):
    d = pd.read_csv(f"{folder}/{name}.csv")
    X = np.zeros((len(d), cols))
    X[:, 0] = 1.0
    if name == "glm_20":
        t, s = d["tier"].to_numpy(), d["sector"].to_numpy()
        for k in range(1, 5):
            X[:, k] = t == k
        for k in range(1, 10):
            X[:, 4 + k] = s == k
        X[:, 14:] = d[[f"n{k}" for k in range(1, 7)]].to_numpy()
    else:
        lv = d["level"].to_numpy()
        for k in range(1, 100):
            X[:, k] = lv == k
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        res = sm.GLM(d["y"].to_numpy(), X, family=sm.families.Poisson(),
                     offset=np.log(d["exposure"].to_numpy())).fit(tol=1e-12)
        best = min(best, time.perf_counter() - t0)
    print(f"statsmodels_{name}_s={best:.3f} iterations={res.fit_history['iteration']}")
