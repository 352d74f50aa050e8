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
