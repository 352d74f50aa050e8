//! Copula samplers against their Kendall's τ and tail-dependence coefficients; rank
//! reordering keeps marginals; invalid correlation matrices are refused.

use kexian::dependence::{Copula, reorder};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

fn copula(json: &str) -> Copula {
    serde_json::from_str(json).unwrap()
}

fn draws(c: &Copula, n: usize, seed: u64) -> Vec<[f64; 2]> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut u = vec![0.0; c.dimension()];
    (0..n)
        .map(|_| {
            c.sample(&mut rng, &mut u);
            [u[0], u[1]]
        })
        .collect()
}

/// Sample Kendall's τ (O(n²); no ties in continuous draws).
fn kendall(x: &[[f64; 2]]) -> f64 {
    let n = x.len();
    let mut s = 0i64;
    for i in 0..n {
        for j in i + 1..n {
            let a = (x[i][0] - x[j][0]) * (x[i][1] - x[j][1]);
            s += if a > 0.0 { 1 } else { -1 };
        }
    }
    s as f64 / (n * (n - 1) / 2) as f64
}

/// Empirical P(U₂ > u | U₁ > u) and P(U₂ ≤ 1 − u | U₁ ≤ 1 − u).
fn tails(x: &[[f64; 2]], u: f64) -> (f64, f64) {
    let upper = x.iter().filter(|p| p[0] > u).count() as f64;
    let both_upper = x.iter().filter(|p| p[0] > u && p[1] > u).count() as f64;
    let lower = x.iter().filter(|p| p[0] <= 1.0 - u).count() as f64;
    let both_lower = x
        .iter()
        .filter(|p| p[0] <= 1.0 - u && p[1] <= 1.0 - u)
        .count() as f64;
    (both_lower / lower, both_upper / upper)
}

#[test]
fn kendall_tau_matches_theory() {
    for (k, json) in [
        r#"{"type": "gaussian", "correlation": [[1, 0.6], [0.6, 1]]}"#,
        r#"{"type": "student_t", "correlation": [[1, -0.3], [-0.3, 1]], "dof": 4}"#,
        r#"{"type": "clayton", "theta": 2.0, "dimension": 2}"#,
        r#"{"type": "gumbel", "theta": 2.5, "dimension": 2}"#,
        r#"{"type": "independent", "dimension": 2}"#,
    ]
    .iter()
    .enumerate()
    {
        let c = copula(json);
        let x = draws(&c, 4000, 100 + k as u64);
        // Margins are uniform: mean 1/2 within 4·(1/√12)/√n.
        let mean = x.iter().map(|p| p[1]).sum::<f64>() / x.len() as f64;
        assert!(
            (mean - 0.5).abs() < 4.0 * 0.2887 / (4000f64).sqrt(),
            "{json}: {mean}"
        );
        // s.e. of the sample τ is below 2/(3√n) ≈ 0.0105 for n = 4000.
        let tau = kendall(&x);
        assert!(
            (tau - c.kendall_tau(0, 1)).abs() < 0.042,
            "{json}: τ {tau} vs {}",
            c.kendall_tau(0, 1)
        );
    }
}

#[test]
fn tail_dependence_matches_theory() {
    let n = 2_000_000;
    // Clayton θ = 2: λ_L = 2^(−1/2) ≈ 0.707, no upper tail dependence.
    let c = copula(r#"{"type": "clayton", "theta": 2.0, "dimension": 2}"#);
    let (lo, up) = tails(&draws(&c, n, 1), 0.999);
    assert!(
        (lo - c.tail_dependence(0, 1).0).abs() < 0.05,
        "clayton lower {lo}"
    );
    assert!(up < 0.15, "clayton upper {up}");
    // Gumbel θ = 2: λ_U = 2 − √2 ≈ 0.586, no lower tail dependence.
    let g = copula(r#"{"type": "gumbel", "theta": 2.0, "dimension": 2}"#);
    let (lo, up) = tails(&draws(&g, n, 2), 0.999);
    assert!(
        (up - g.tail_dependence(0, 1).1).abs() < 0.05,
        "gumbel upper {up}"
    );
    assert!(lo < 0.1, "gumbel lower {lo}");
    // Student-t ρ = 0.5, ν = 3: λ = 2 t₄(−√(4/3)) = 0.3125 both ways (scipy.stats.t.cdf,
    // to 1e-12 through the regularised incomplete beta); the Gaussian with the same
    // ρ has λ = 0, and at level 0.999 its conditional exceedance is already far smaller.
    let t = copula(r#"{"type": "student_t", "correlation": [[1, 0.5], [0.5, 1]], "dof": 3}"#);
    let lambda = t.tail_dependence(0, 1).0;
    assert!((lambda - 0.3125).abs() < 1e-12, "{lambda}");
    let (lo, up) = tails(&draws(&t, n, 3), 0.999);
    assert!(
        (lo - lambda).abs() < 0.06 && (up - lambda).abs() < 0.06,
        "t {lo} {up}"
    );
    let gauss = copula(r#"{"type": "gaussian", "correlation": [[1, 0.5], [0.5, 1]]}"#);
    let (_, gup) = tails(&draws(&gauss, n, 4), 0.999);
    assert!(gup < up - 0.08, "gaussian {gup} vs t {up}");
}

#[test]
fn reordering_keeps_marginals_and_imposes_rank_dependence() {
    let c = copula(r#"{"type": "gumbel", "theta": 3.0, "dimension": 2}"#);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
    let a: Vec<f64> = (0..3000).map(|i| ((i * 37) % 1000) as f64).collect();
    let b: Vec<f64> = (0..3000).map(|i| ((i * 91) % 997) as f64 + 0.5).collect();
    let mut groups = vec![a.clone(), b.clone()];
    let perms = reorder(&mut groups, &c, &mut rng).unwrap();
    for (orig, new) in [(&a, &groups[0]), (&b, &groups[1])] {
        let mut x = orig.clone();
        let mut y = new.clone();
        x.sort_by(f64::total_cmp);
        y.sort_by(f64::total_cmp);
        assert_eq!(x, y);
    }
    // perm maps each original trial to its new place.
    for t in 0..3000 {
        assert_eq!(groups[1][perms[1][t] as usize], b[t]);
    }
    let pairs: Vec<[f64; 2]> = (0..3000).map(|t| [groups[0][t], groups[1][t]]).collect();
    // Ties in group a (1000 distinct values) pull τ slightly towards 0.
    assert!((kendall(&pairs) - c.kendall_tau(0, 1)).abs() < 0.06);
    let mut wrong = vec![vec![1.0; 10]];
    assert!(reorder(&mut wrong, &c, &mut rng).is_err());
}

#[test]
fn invalid_copulas_are_refused() {
    let err = |json: &str| {
        serde_json::from_str::<Copula>(json)
            .unwrap_err()
            .to_string()
    };
    let e = err(
        r#"{"type": "gaussian", "correlation": [[1, 0.9, 0.9], [0.9, 1, -0.9], [0.9, -0.9, 1]]}"#,
    );
    assert!(e.contains("positive definite"), "{e}");
    assert!(
        err(r#"{"type": "gaussian", "correlation": [[1, 0.5], [0.4, 1]]}"#).contains("symmetric")
    );
    assert!(
        err(r#"{"type": "gaussian", "correlation": [[1, 1.5], [1.5, 1]]}"#).contains("[-1, 1]")
    );
    assert!(err(r#"{"type": "gaussian", "correlation": [[0.9, 0], [0, 1]]}"#).contains("unit"));
    assert!(err(r#"{"type": "student_t", "correlation": [[1]], "dof": 0}"#).contains("dof"));
    assert!(err(r#"{"type": "clayton", "theta": 0, "dimension": 2}"#).contains("theta"));
    assert!(err(r#"{"type": "gumbel", "theta": 0.5, "dimension": 2}"#).contains("theta"));
    assert!(err(r#"{"type": "gumbel", "theta": 2, "dimension": 1}"#).contains("dimension"));
    assert!(err(r#"{"type": "clayton", "theta": 1, "dimension": 2, "rho": 1}"#).contains("rho"));
}

#[test]
fn sampling_into_a_wrong_sized_buffer_does_not_panic() {
    let c = copula(r#"{"type": "gaussian", "correlation": [[1, 0.2], [0.2, 1]]}"#);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
    let mut long = [0.0; 4];
    c.sample(&mut rng, &mut long);
    assert!(
        long[..2].iter().all(|u| (0.0..=1.0).contains(u)) && long[2..].iter().all(|u| u.is_nan())
    );
    let mut short = [0.0; 1];
    c.sample(&mut rng, &mut short);
    assert!((0.0..=1.0).contains(&short[0]));
}
