"""Maximum likelihood in mpmath, shared by the fitting reference scripts: Newton's method on
mpmath's numerical derivatives of a log-likelihood, to 25 significant digits, with the
inverse observed information.
"""
import mpmath as mp


def refine(f, start):
    """Maximises f (a log-likelihood of a list of mpf parameters) from a float start; returns
    the parameters, the covariance (inverse observed information) and the maximum."""
    x = [mp.mpf(v) for v in start]
    k = len(x)
    g = lambda *v: f(list(v))
    for _ in range(60):
        grad = [mp.diff(g, x, tuple(1 if j == i else 0 for j in range(k))) for i in range(k)]
        hess = mp.matrix(k, k)
        for i in range(k):
            for j in range(k):
                order = [0] * k
                order[i] += 1
                order[j] += 1
                hess[i, j] = mp.diff(g, x, tuple(order))
        step = mp.lu_solve(hess, mp.matrix(grad))
        x = [x[i] - step[i] for i in range(k)]
        if max(abs(step[i]) / (1 + abs(x[i])) for i in range(k)) < mp.mpf(10) ** -25:
            break
    return x, -hess ** -1, f(x)
