"""Reference values for the batched samplers' kernels (src/numerics/kernels.rs): e^x, ln x and
the standard normal quantile at fixed points, from mpmath at 40 significant digits, written
as decimal strings that round to the nearest double.

Run: python3 scripts/reference_kernels.py > tests/data/kernels_reference.json
"""
import json

import mpmath as mp

mp.mp.dps = 40

exp_points = [-708.0, -700.5, -300.25, -50.0, -10.5, -1.0, -0.34657359, -1e-10, 0.0, 1e-12,
              0.25, 0.34657359, 0.6931471805599453, 1.0, 2.5, 10.0, 13.8, 20.123, 33.3,
              100.0, 400.75, 708.9]
ln_points = [1.1102230246251565e-16, 2.2250738585072014e-308, 1e-300, 1e-20, 3.7e-9, 0.0001,
             0.0123, 0.3, 0.7071067811865476, 0.75, 0.999999, 1.0, 1.000001, 1.25,
             1.4142135623730951, 2.0, 3.0, 10.0, 1e6, 1e100, 1.7976931348623157e308]
quantile_points = [2.220446049250313e-16, 1e-12, 1e-8, 1e-5, 0.001, 0.02425, 0.05, 0.075,
                   0.0749, 0.0751, 0.2, 0.5, 0.6, 0.924, 0.925, 0.926, 0.975, 0.999,
                   0.99999, 0.9999999999]


def quantile(p):
    return mp.sqrt(2) * mp.erfinv(2 * mp.mpf(p) - 1)


out = {
    "source": "mpmath " + mp.__version__ + ", 40 digits (scripts/reference_kernels.py)",
    "exp": [[x, mp.nstr(mp.exp(mp.mpf(x)), 20)] for x in exp_points],
    "ln": [[x, mp.nstr(mp.log(mp.mpf(x)), 20)] for x in ln_points],
    "normal_quantile": [[p, mp.nstr(quantile(p), 20)] for p in quantile_points],
}
print(json.dumps(out, indent=1))
