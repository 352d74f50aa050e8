//! GLMs against statsmodels on the committed synthetic tech-insurance data set
//! (data/glm_synthetic.csv and tests/data/glm_reference.json, both made by
//! scripts/make_glm_reference.py with a fixed seed).

use kexian::rating::{GlmFamily, fit_glm};
use ndarray::Array2;
use serde::Deserialize;

#[derive(Deserialize)]
struct Fit {
    coefficients: Vec<f64>,
    std_errors: Vec<f64>,
    #[serde(default)]
    deviance: f64,
    aic: Option<f64>,
    dispersion: Option<f64>,
    dispersion_std_error: Option<f64>,
}

#[derive(Deserialize)]
struct Reference {
    poisson: Fit,
    gamma: Fit,
    #[serde(rename = "tweedie_1.5")]
    tweedie: Fit,
    negative_binomial: Fit,
}

struct Data {
    tier: Vec<usize>,
    sector: Vec<usize>,
    log_revenue: Vec<f64>,
    exposure: Vec<f64>,
    claims: Vec<f64>,
    severity: Vec<f64>,
    claims_od: Vec<f64>,
}

fn data() -> Data {
    let text = include_str!("../data/glm_synthetic.csv");
    let mut d = Data {
        tier: vec![],
        sector: vec![],
        log_revenue: vec![],
        exposure: vec![],
        claims: vec![],
        severity: vec![],
        claims_od: vec![],
    };
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        d.tier.push(f[2].parse().unwrap());
        d.sector.push(f[3].parse().unwrap());
        d.log_revenue.push(f[4].parse().unwrap());
        d.exposure.push(f[5].parse().unwrap());
        d.claims.push(f[6].parse().unwrap());
        d.severity.push(f[7].parse().unwrap());
        d.claims_od.push(f[8].parse().unwrap());
    }
    d
}

/// Intercept, tier 1–4 dummies, sector 1–2 dummies, centred log revenue.
fn design(d: &Data, rows: &[usize]) -> Array2<f64> {
    Array2::from_shape_fn((rows.len(), 8), |(r, c)| {
        let i = rows[r];
        match c {
            0 => 1.0,
            1..=4 => f64::from(u8::from(d.tier[i] == c)),
            5 | 6 => f64::from(u8::from(d.sector[i] == c - 4)),
            _ => d.log_revenue[i] - 17.0,
        }
    })
}

fn close(what: &str, got: &[f64], want: &[f64], tol: f64) {
    for (j, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= tol * w.abs(), "{what}[{j}]: {g} vs {w}");
    }
}

#[test]
fn poisson_and_gamma_match_statsmodels() {
    let r: Reference = serde_json::from_str(include_str!("data/glm_reference.json")).unwrap();
    let d = data();
    let all: Vec<usize> = (0..d.claims.len()).collect();
    let offset: Vec<f64> = d.exposure.iter().map(|e| e.ln()).collect();
    let x = design(&d, &all);
    let p = fit_glm(GlmFamily::Poisson, x.view(), &d.claims, Some(&offset), None).unwrap();
    // statsmodels 0.15 GLM, tol 1e-12: coefficients to 1e-6 relative (acceptance), SEs,
    // deviance and AIC to 1e-8.
    close("poisson β", &p.coefficients, &r.poisson.coefficients, 1e-6);
    close("poisson se", &p.std_errors, &r.poisson.std_errors, 1e-6);
    close(
        "poisson deviance",
        &[p.deviance],
        &[r.poisson.deviance],
        1e-8,
    );
    close(
        "poisson aic",
        &[p.aic.unwrap()],
        &[r.poisson.aic.unwrap()],
        1e-8,
    );
    // Relativities applied to the training rows reproduce the fitted means, whose total
    // equals the observed claims (a property of the Poisson MLE with an intercept).
    let fitted = p.predict(x.view(), Some(&offset)).unwrap();
    let total: f64 = fitted.iter().sum();
    assert!((total / d.claims.iter().sum::<f64>() - 1.0).abs() < 1e-10);
    let rel = p.relativities();
    let by_hand = d.exposure[0]
        * rel[0]
        * (0..8)
            .skip(1)
            .map(|j| rel[j].powf(x[[0, j]]))
            .product::<f64>();
    assert!((by_hand / fitted[0] - 1.0).abs() < 1e-12);

    let pos: Vec<usize> = all.iter().copied().filter(|&i| d.claims[i] > 0.0).collect();
    let xs = design(&d, &pos);
    let y: Vec<f64> = pos.iter().map(|&i| d.severity[i]).collect();
    let w: Vec<f64> = pos.iter().map(|&i| d.claims[i]).collect();
    let g = fit_glm(GlmFamily::Gamma, xs.view(), &y, None, Some(&w)).unwrap();
    close("gamma β", &g.coefficients, &r.gamma.coefficients, 1e-6);
    close("gamma se", &g.std_errors, &r.gamma.std_errors, 1e-6);
    close("gamma deviance", &[g.deviance], &[r.gamma.deviance], 1e-8);
    close(
        "gamma dispersion",
        &[g.dispersion],
        &[r.gamma.dispersion.unwrap()],
        1e-8,
    );

    // Tweedie (p = 1.5) pure premium: loss per policy-year weighted by exposure, zeros included.
    let pure: Vec<f64> = all
        .iter()
        .map(|&i| d.claims[i] * d.severity[i] / d.exposure[i])
        .collect();
    let tweedie = GlmFamily::Tweedie { power: 1.5 };
    let t = fit_glm(tweedie, x.view(), &pure, None, Some(&d.exposure)).unwrap();
    close("tweedie β", &t.coefficients, &r.tweedie.coefficients, 1e-6);
    close("tweedie se", &t.std_errors, &r.tweedie.std_errors, 1e-6);
    close(
        "tweedie deviance",
        &[t.deviance],
        &[r.tweedie.deviance],
        1e-8,
    );
    close(
        "tweedie dispersion",
        &[t.dispersion],
        &[r.tweedie.dispersion.unwrap()],
        1e-8,
    );
    let bad_power = GlmFamily::Tweedie { power: 2.0 };
    assert!(fit_glm(bad_power, x.view(), &pure, None, None).is_err());
}

#[test]
fn negative_binomial_matches_statsmodels() {
    let r: Reference = serde_json::from_str(include_str!("data/glm_reference.json")).unwrap();
    let r = r.negative_binomial;
    let d = data();
    let all: Vec<usize> = (0..d.claims.len()).collect();
    let offset: Vec<f64> = d.exposure.iter().map(|e| e.ln()).collect();
    let x = design(&d, &all);
    let nb = GlmFamily::NegativeBinomial { alpha: None };
    let f = fit_glm(nb, x.view(), &d.claims_od, Some(&offset), None).unwrap();
    // statsmodels 0.15 discrete NegativeBinomial (nb2, Newton, tol 1e-14; score < 1e-13):
    // coefficients and α to 1e-6 relative (acceptance), standard errors from the observed
    // information of (β, α) and the AIC to 1e-6.
    close("nb β", &f.coefficients, &r.coefficients, 1e-6);
    close("nb se", &f.std_errors, &r.std_errors, 1e-6);
    close("nb α", &[f.dispersion], &[r.dispersion.unwrap()], 1e-6);
    close(
        "nb α se",
        &[f.dispersion_std_error.unwrap()],
        &[r.dispersion_std_error.unwrap()],
        1e-6,
    );
    close("nb aic", &[f.aic.unwrap()], &[r.aic.unwrap()], 1e-8);
    assert_eq!(
        f.family,
        GlmFamily::NegativeBinomial {
            alpha: Some(f.dispersion)
        }
    );
    // Held at the estimated α, the GLM gives the same β (expected-information SEs differ).
    let fixed = GlmFamily::NegativeBinomial {
        alpha: Some(f.dispersion),
    };
    let g = fit_glm(fixed, x.view(), &d.claims_od, Some(&offset), None).unwrap();
    close("nb fixed β", &g.coefficients, &f.coefficients, 1e-8);
    assert!(g.dispersion_std_error.is_none());
    // Non-whole counts, α ≤ 0, and Poisson-like data are rejected with a reason.
    let mut half = d.claims_od.clone();
    half[3] = 0.5;
    let e = fit_glm(nb, x.view(), &half, Some(&offset), None).unwrap_err();
    assert!(e.to_string().contains("[3]"), "{e}");
    let bad = GlmFamily::NegativeBinomial { alpha: Some(0.0) };
    assert!(fit_glm(bad, x.view(), &d.claims_od, Some(&offset), None).is_err());
    let under: Vec<f64> = (0..all.len()).map(|i| (i % 2) as f64).collect();
    let e = fit_glm(nb, x.view(), &under, None, None).unwrap_err();
    assert!(e.to_string().contains("over-dispersed"), "{e}");
}

#[test]
fn non_estimable_levels_and_bad_input_are_reported() {
    let d = data();
    let all: Vec<usize> = (0..200).collect();
    let mut x = design(&d, &all);
    let mut y: Vec<f64> = all.iter().map(|&i| d.claims[i]).collect();
    // A level whose rows have no claims.
    for (i, yi) in y.iter_mut().enumerate() {
        if x[[i, 4]] == 1.0 {
            *yi = 0.0;
        }
    }
    let e = fit_glm(GlmFamily::Poisson, x.view(), &y, None, None).unwrap_err();
    assert!(e.to_string().contains("column 4"), "{e}");
    // An aliased column.
    let y: Vec<f64> = all.iter().map(|&i| d.claims[i] + 1.0).collect();
    for i in 0..200 {
        x[[i, 7]] = x[[i, 5]] + x[[i, 6]];
    }
    let e = fit_glm(GlmFamily::Poisson, x.view(), &y, None, None).unwrap_err();
    assert!(e.to_string().contains("aliased"), "{e}");
    let x = design(&d, &all);
    assert!(fit_glm(GlmFamily::Poisson, x.view(), &y[..100], None, None).is_err());
    let mut bad = y.clone();
    bad[17] = -1.0;
    let e = fit_glm(GlmFamily::Poisson, x.view(), &bad, None, None).unwrap_err();
    assert!(e.to_string().contains("[17]"), "{e}");
    let nan_offset = vec![f64::NAN; 200];
    assert!(fit_glm(GlmFamily::Poisson, x.view(), &y, Some(&nan_offset), None).is_err());
    let neg_w = vec![-1.0; 200];
    assert!(fit_glm(GlmFamily::Gamma, x.view(), &y, None, Some(&neg_w)).is_err());
    let zeros = vec![0.0; 200];
    assert!(fit_glm(GlmFamily::Gamma, x.view(), &zeros, None, None).is_err());
}

#[test]
fn separation_is_reported_as_non_convergence() {
    // x ≤ 0 on every claim-free row and = 0 on every row with claims: the likelihood keeps
    // rising as β_x → +∞ (no MLE), which must be an error, not a huge coefficient.
    let x = ndarray::array![
        [1.0, -1.0],
        [1.0, -2.0],
        [1.0, -0.5],
        [1.0, 0.0],
        [1.0, 0.0],
        [1.0, 0.0]
    ];
    let y = [0.0, 0.0, 0.0, 1.0, 2.0, 4.0];
    let e = fit_glm(GlmFamily::Poisson, x.view(), &y, None, None).unwrap_err();
    assert!(e.to_string().contains("did not converge"), "{e}");
}
