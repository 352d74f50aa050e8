//! Bühlmann–Straub credibility on the classic Hachemeister (1975) data, against the values R
//! actuar prints for `cm(~state, hachemeister, ratios = ratio.1:ratio.12,
//! weights = weight.1:weight.12)` (Goulet et al., actuar credibility vignette): collective
//! premium 1684, between-state variance 89639, within-state variance 139120026, premiums
//! 2055.165 1523.706 1793.444 1442.967 1603.285 — and a hand-checkable Bühlmann example.

use kexian::rating::BuhlmannStraub;

fn hachemeister() -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let text = include_str!("data/hachemeister.csv");
    let mut ratios = vec![vec![0.0; 12]; 5];
    let mut weights = vec![vec![0.0; 12]; 5];
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (s, q): (usize, usize) = (f[0].parse().unwrap(), f[2].parse().unwrap());
        ratios[s - 1][q - 1] = f[3].parse().unwrap();
        weights[s - 1][q - 1] = f[4].parse().unwrap();
    }
    (ratios, weights)
}

#[test]
fn hachemeister_matches_actuar() {
    let (x, w) = hachemeister();
    let fit = BuhlmannStraub::fit(&x, &w).unwrap();
    // actuar prints 4 significant digits for the structure parameters, 7 for the premiums.
    assert_eq!(fit.collective().round(), 1684.0);
    assert_eq!(fit.between_variance().round(), 89639.0);
    assert_eq!(fit.within_variance().round(), 139_120_026.0);
    let want = [2055.165, 1523.706, 1793.444, 1442.967, 1603.285];
    for (got, want) in fit.premiums().iter().zip(want) {
        assert!((got - want).abs() < 5e-4, "{got} vs {want}");
    }
    // More weight, more credibility.
    let z = fit.factors();
    let order = |i: usize| w[i].iter().sum::<f64>();
    for i in 0..5 {
        for j in 0..5 {
            if order(i) > order(j) {
                assert!(z[i] > z[j]);
            }
        }
    }
}

#[test]
fn buhlmann_by_hand() {
    // Means 2 and 5, σ² = 1, a = 25/6, k = σ²/a = 6/25, Z = 3/(3 + 6/25) = 25/27, μ = 3.5:
    // premiums (25·2 + 2·3.5)/27 = 57/27 and (25·5 + 7)/27 = 132/27.
    let fit = BuhlmannStraub::buhlmann(&[vec![1.0, 2.0, 3.0], vec![4.0, 5.0, 6.0]]).unwrap();
    assert!((fit.within_variance() - 1.0).abs() < 1e-12);
    assert!((fit.between_variance() - 25.0 / 6.0).abs() < 1e-12);
    assert!((fit.factors()[0] - 25.0 / 27.0).abs() < 1e-12);
    let p = fit.premiums();
    assert!((p[0] - 57.0 / 27.0).abs() < 1e-12 && (p[1] - 132.0 / 27.0).abs() < 1e-12);
    // Blending a new firm's experience with a prior (e.g. a GLM prediction).
    let (z, prem) = fit.blend(3.0, 10.0, 4.0).unwrap();
    assert!((z - 25.0 / 27.0).abs() < 1e-12 && (prem - (z * 10.0 + (1.0 - z) * 4.0)).abs() < 1e-12);
}

#[test]
fn no_heterogeneity_gives_no_credibility() {
    let fit = BuhlmannStraub::buhlmann(&[vec![1.0, 3.0], vec![3.0, 1.0]]).unwrap();
    assert_eq!(fit.between_variance(), 0.0);
    assert_eq!(fit.factors(), &[0.0, 0.0]);
    assert_eq!(fit.premiums(), vec![2.0, 2.0]);
}

#[test]
fn bad_input_is_rejected() {
    assert!(BuhlmannStraub::buhlmann(&[vec![1.0, 2.0]]).is_err());
    assert!(BuhlmannStraub::buhlmann(&[vec![1.0], vec![2.0]]).is_err());
    assert!(BuhlmannStraub::buhlmann(&[vec![1.0, f64::NAN], vec![2.0, 3.0]]).is_err());
    assert!(BuhlmannStraub::buhlmann(&[vec![], vec![2.0, 3.0]]).is_err());
    assert!(
        BuhlmannStraub::fit(
            &[vec![1.0, 2.0], vec![2.0, 3.0]],
            &[vec![1.0, 0.0], vec![1.0, 1.0]]
        )
        .is_err()
    );
    assert!(BuhlmannStraub::fit(&[vec![1.0, 2.0], vec![2.0, 3.0]], &[vec![1.0, 1.0]]).is_err());
    let fit = BuhlmannStraub::buhlmann(&[vec![1.0, 2.0], vec![2.0, 4.0]]).unwrap();
    assert!(fit.blend(-1.0, 1.0, 1.0).is_err() && fit.blend(1.0, f64::NAN, 1.0).is_err());
}

#[test]
fn hierarchical_matches_the_independent_reference_on_hachemeister_cohorts() {
    use kexian::rating::HierarchicalCredibility;
    // scripts/reference_hierarchical.py (numpy, Bühlmann–Gisler estimators as in actuar's
    // hierarc()); states grouped by the data's cohort column (1 2 1 2 2). Tolerance 1e-10.
    let r: serde_json::Value =
        serde_json::from_str(include_str!("data/hierarchical_reference.json")).unwrap();
    let num = |k: &str| r[k].as_f64().unwrap();
    let vec = |k: &str| -> Vec<f64> {
        r[k].as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect()
    };
    let (x, w) = hachemeister();
    let sector: Vec<usize> = vec("cohort").iter().map(|c| *c as usize - 1).collect();
    let fit = HierarchicalCredibility::fit(&sector, &x, &w).unwrap();
    let close =
        |g: f64, want: f64| assert!((g - want).abs() <= 1e-10 * want.abs(), "{g} vs {want}");
    close(fit.within_variance(), num("within"));
    close(fit.firm_variance(), num("firm_variance"));
    close(fit.sector_variance(), num("sector_variance"));
    close(fit.collective(), num("collective"));
    for (name, got) in [
        ("sector_factors", fit.sector_factors().to_vec()),
        ("sector_premiums", fit.sector_premiums().to_vec()),
        ("firm_factors", fit.firm_factors().to_vec()),
        ("firm_premiums", fit.firm_premiums().to_vec()),
    ] {
        for (g, want) in got.iter().zip(vec(name)) {
            close(*g, want);
        }
    }
}

#[test]
fn hierarchical_by_hand() {
    use kexian::rating::HierarchicalCredibility;
    // Firm means 2, 6 | 11, 17 (two years each, unit weights): σ² = 2; â_i = 7 and 17, â = 12;
    // Z = 2/(2 + 2/12) = 12/13; sector means 4 and 14, Z_i = 24/13, grand mean 9;
    // b̂ = (24/13·50 − 12)/(48/13 − 24/13) = 43.5; Q = (24/13)/(24/13 + 12/43.5) = 0.87;
    // μ̂ = 9; sector premiums 0.87·4 + 0.13·9 = 4.65 and 13.35; firm 1: (12·2 + 4.65)/13.
    let ratios = [
        vec![1.0, 3.0],
        vec![5.0, 7.0],
        vec![10.0, 12.0],
        vec![16.0, 18.0],
    ];
    let weights = vec![vec![1.0; 2]; 4];
    let fit = HierarchicalCredibility::fit(&[0, 0, 1, 1], &ratios, &weights).unwrap();
    let close = |g: f64, want: f64| assert!((g - want).abs() < 1e-12, "{g} vs {want}");
    close(fit.firm_variance(), 12.0);
    close(fit.firm_factors()[0], 12.0 / 13.0);
    close(fit.sector_variance(), 43.5);
    close(fit.sector_factors()[0], 0.87);
    close(fit.collective(), 9.0);
    close(fit.sector_premiums()[0], 4.65);
    close(fit.sector_premiums()[1], 13.35);
    close(fit.firm_premiums()[0], (24.0 + 4.65) / 13.0);
    // Bad labels: wrong count, a sector number unused, a single sector, no two-firm sector.
    assert!(HierarchicalCredibility::fit(&[0, 0, 1], &ratios, &weights).is_err());
    assert!(HierarchicalCredibility::fit(&[0, 0, 2, 2], &ratios, &weights).is_err());
    assert!(HierarchicalCredibility::fit(&[0, 0, 0, 0], &ratios, &weights).is_err());
    assert!(HierarchicalCredibility::fit(&[0, 1], &ratios[..2], &weights[..2]).is_err());
}

#[test]
fn experience_factor_is_the_poisson_gamma_posterior_mean() {
    use kexian::rating::experience_factor;
    // Gamma(shape 1/α, rate 1/α) firm effect, N ~ Poisson(E·θ): posterior mean of θ is
    // (1/α + N)/(1/α + E) (conjugacy; e.g. Klugman–Panjer–Willmot, Loss Models, §17.3).
    for (e, n, a) in [
        (2.0, 5.0, 0.5),
        (0.3, 0.0, 2.0),
        (10.0, 3.0, 0.05),
        (1.0, 1.0, 0.0),
    ] {
        let (z, f) = experience_factor(e, n, a).unwrap();
        let posterior = if a > 0.0 {
            (1.0 / a + n) / (1.0 / a + e)
        } else {
            1.0
        };
        assert!((f - posterior).abs() < 1e-14, "{f} vs {posterior}");
        assert!((0.0..1.0).contains(&z));
    }
    assert!(experience_factor(0.0, 1.0, 0.5).is_err());
    assert!(experience_factor(1.0, -1.0, 0.5).is_err());
    assert!(experience_factor(1.0, 1.0, f64::NAN).is_err());
}
