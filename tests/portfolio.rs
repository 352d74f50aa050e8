//! Portfolio simulation: determinism across thread counts, stable per-policy streams, the
//! common-shock effect on TVaR against a hand calculation, co-TVaR allocations that add up,
//! per-policy results aligned with the portfolio, and bad input.

use kexian::portfolio::{Engine, Portfolio, PortfolioConfig, PortfolioRun};
use serde_json::{Value, json};

fn compound(lambda: f64, size: f64) -> Value {
    json!({"peril": "compound", "frequency": {"type": "poisson", "lambda": lambda},
           "severity": {"type": "empirical", "data": [size]}})
}

/// A cyber cover (systemic events hit only policies with one): response costs only, with
/// `lambda` incidents a year, full first-party cover.
fn cyber(lambda: f64) -> Value {
    let full = json!({});
    json!({"peril": "cyber", "incidents": {"type": "poisson", "lambda": lambda},
           "types": [[1.0, {"type": "response", "cost": {"type": "lognormal", "mu": 11.0, "sigma": 1.5}}]],
           "sections": {"first_party": full, "business_interruption": full, "liability": full}})
}

fn mixed(n: usize) -> Value {
    let sectors = ["ic", "biomedicine", "ai"];
    let policies: Vec<Value> = (0..n)
        .map(|i| {
            let peril = match i % 4 {
                0 => json!({"peril": "guarantee", "loan": 2e6, "default_probability": 0.05,
                            "collateral": {"type": "lognormal", "mu": 14.5, "sigma": 0.9}}),
                1 => json!({"peril": "compound", "frequency": {"type": "poisson", "lambda": 0.3},
                            "severity": {"type": "lognormal", "mu": 11.0, "sigma": 1.5},
                            "terms": {"deductible": 1e4, "limit": 2e6}}),
                2 => json!({"peril": "rnd_failure", "budget": 1e7,
                            "stages": [{"name": "lab", "success_probability": 0.7, "cost": 2e6},
                                       {"name": "pilot", "success_probability": 0.6, "cost": 6e6}]}),
                _ if i % 8 == 3 => compound(0.1, 5e5),
                _ => cyber(0.1),
            };
            json!({"id": format!("P{i:03}"), "sector": sectors[i % 3], "perils": [peril]})
        })
        .collect();
    json!({
        "policies": policies,
        "shocks": [{"name": "cloud_outage", "annual_rate": 0.05,
                    "hit_probability": {"ai": 0.4, "ic": 0.2}, "default_hit_probability": 0.05,
                    "intensity_cv": 0.5,
                    "loss": {"type": "lognormal", "mu": 12.0, "sigma": 1.0},
                    "terms": {"limit": 1e6}}],
        "dependence": {"groups": ["ai", "biomedicine", "ic"],
                       "copula": {"type": "gumbel", "theta": 2.0, "dimension": 3}}
    })
}

fn run(p: &Portfolio, trials: u64, threads: Option<usize>) -> PortfolioRun {
    let mut c = PortfolioConfig::new(42, trials).unwrap();
    c.simulation.threads = threads;
    p.simulate(&c).unwrap()
}

#[test]
fn runs_are_bit_identical_for_any_thread_count() {
    let p: Portfolio = serde_json::from_value(mixed(150)).unwrap();
    let one = run(&p, 20_000, Some(1));
    for threads in [Some(2), Some(8), None] {
        let other = run(&p, 20_000, threads);
        assert_eq!(one.totals, other.totals);
        assert_eq!(one.groups, other.groups);
        assert_eq!(one.policies, other.policies);
        assert_eq!(one.tvar.to_bits(), other.tvar.to_bits());
        assert_eq!(one.occurrences, other.occurrences);
    }
    assert_eq!(one, run(&p, 20_000, Some(1)));
}

#[test]
fn allocations_add_up_and_policy_losses_align_with_the_portfolio() {
    let p: Portfolio = serde_json::from_value(mixed(60)).unwrap();
    let config = PortfolioConfig::new(42, 20_000).unwrap();
    let r = p.simulate(&config).unwrap();
    let allocated: f64 = r.policies.iter().map(|x| x.allocated_tvar).sum();
    assert!(
        (allocated - r.tvar).abs() <= 1e-9 * r.tvar,
        "{allocated} vs {}",
        r.tvar
    );
    assert!(r.tvar > r.losses.mean().unwrap().value);
    // Per-policy trial vectors (replayed) add up to the portfolio's, trial by trial.
    let mut sum = vec![0.0; 20_000];
    for policy in p.policies() {
        let x = p.policy_losses(&policy.id, &config, &r).unwrap();
        for (s, v) in sum.iter_mut().zip(x) {
            *s += v;
        }
    }
    for (t, (a, b)) in sum.iter().zip(&r.totals).enumerate() {
        assert!((a - b).abs() <= 1e-6 * b.max(1.0), "trial {t}: {a} vs {b}");
    }
    // Policy means agree with their vectors.
    let x = p.policy_losses("P001", &config, &r).unwrap();
    let m = x.iter().sum::<f64>() / x.len() as f64;
    assert!((m - r.policies[1].mean).abs() <= 1e-9 * m.max(1.0));
}

#[test]
fn adding_a_policy_leaves_the_others_draws_unchanged() {
    let mut spec = mixed(20);
    spec["dependence"] = Value::Null;
    let small: Portfolio = serde_json::from_value(spec.clone()).unwrap();
    spec["policies"].as_array_mut().unwrap().insert(
        5,
        json!({"id": "NEW", "sector": "ai", "perils": [compound(0.5, 1e6)]}),
    );
    let big: Portfolio = serde_json::from_value(spec).unwrap();
    // Common random numbers are what the per-policy streams give (superposing the Poisson
    // perils redraws every superposed claim when one is added).
    let mut config = PortfolioConfig::new(9, 5_000).unwrap();
    config.engine = Engine::Streams;
    let (rs, rb) = (
        small.simulate(&config).unwrap(),
        big.simulate(&config).unwrap(),
    );
    for id in ["P000", "P007", "P019"] {
        assert_eq!(
            small.policy_losses(id, &config, &rs).unwrap(),
            big.policy_losses(id, &config, &rb).unwrap(),
            "{id}"
        );
    }
}

/// P(N ≥ j) for N ~ Poisson(λ).
fn poisson_tail(lambda: f64, j: u32) -> f64 {
    let mut p = (-lambda).exp();
    let mut cdf = 0.0;
    for k in 0..j {
        cdf += p;
        p *= lambda / f64::from(k + 1);
    }
    1.0 - cdf
}

/// TVaR at level α of c·N, N ~ Poisson(λ), when P(N ≥ 1) > 1 − α: the top (1 − α) of years
/// all have N ≥ 1, so TVaR = c·(1 + Σ_{j≥2} P(N ≥ j)/(1 − α)).
fn tvar_scaled_poisson(c: f64, lambda: f64, alpha: f64) -> f64 {
    let extra: f64 = (2..30).map(|j| poisson_tail(lambda, j)).sum();
    c * (1.0 + extra / (1.0 - alpha))
}

#[test]
fn a_common_shock_raises_tvar_by_the_hand_calculated_amount() {
    // Four policies, each losing 1,000 per event at rate 0.01 a year. Independently the
    // portfolio is 1,000·Poisson(0.04); when all four are hit by the same systemic event it
    // is 4,000·Poisson(0.01). Same marginals, different TVaR 99.5%.
    let trials = 400_000;
    let independent: Portfolio = serde_json::from_value(json!({"policies":
        (0..4).map(|i| json!({"id": format!("F{i}"), "sector": "ai", "perils": [compound(0.01, 1000.0)]}))
            .collect::<Vec<_>>()})).unwrap();
    // Cyber covers without incidents of their own: only the shock pays, under full cover.
    let shocked: Portfolio = serde_json::from_value(json!({
        "policies": (0..4).map(|i| json!({"id": format!("F{i}"), "sector": "ai", "perils": [cyber(0.0)]}))
            .collect::<Vec<_>>(),
        "shocks": [{"name": "cloud_outage", "annual_rate": 0.01, "default_hit_probability": 1.0,
                    "loss": {"type": "empirical", "data": [1000.0]}}]}))
    .unwrap();
    let config = PortfolioConfig::new(5, trials).unwrap();
    let a = independent.simulate(&config).unwrap();
    let b = shocked.simulate(&config).unwrap();
    let want_a = tvar_scaled_poisson(1000.0, 0.04, 0.995); // 1,158.1
    let want_b = tvar_scaled_poisson(4000.0, 0.01, 0.995); // 4,039.9
    // Sampling s.e.: the tail holds k = 2,000 years; the count of years with N ≥ 2 is
    // Poisson(trials·P(N ≥ 2)), so s.e.(TVaR) ≈ c·√(trials·P(N ≥ 2))/k.
    let k = 2000.0;
    let se_a = 1000.0 * (trials as f64 * poisson_tail(0.04, 2)).sqrt() / k;
    let se_b = 4000.0 * (trials as f64 * poisson_tail(0.01, 2)).sqrt() / k;
    assert!(
        (a.tvar - want_a).abs() < 4.0 * se_a,
        "independent {} vs {want_a}",
        a.tvar
    );
    assert!(
        (b.tvar - want_b).abs() < 4.0 * se_b,
        "shocked {} vs {want_b}",
        b.tvar
    );
    let increase = b.tvar - a.tvar;
    let want = want_b - want_a;
    assert!(
        (increase - want).abs() < 4.0 * (se_a * se_a + se_b * se_b).sqrt(),
        "increase {increase} vs hand {want}"
    );
    // Same marginal: each policy's mean is 10 a year either way (s.e. ≈ 0.5).
    for (x, y) in a.policies.iter().zip(&b.policies) {
        assert!((x.mean - 10.0).abs() < 2.5 && (y.mean - 10.0).abs() < 2.5);
    }
}

#[test]
fn a_tail_dependent_copula_raises_tvar() {
    let mut spec = mixed(90);
    spec["shocks"] = json!([]);
    let dependent: Portfolio = serde_json::from_value(spec.clone()).unwrap();
    spec["dependence"]["copula"] = json!({"type": "independent", "dimension": 3});
    let independent: Portfolio = serde_json::from_value(spec).unwrap();
    let (d, i) = (
        run(&dependent, 50_000, None),
        run(&independent, 50_000, None),
    );
    // Reordering keeps every group's marginal: identical means, higher tail.
    let (md, mi) = (
        d.losses.mean().unwrap().value,
        i.losses.mean().unwrap().value,
    );
    assert!((md - mi).abs() <= 1e-9 * mi);
    assert!(d.tvar > 1.05 * i.tvar, "{} vs {}", d.tvar, i.tvar);
}

#[test]
fn bad_portfolios_are_refused() {
    let err = |v: Value| {
        serde_json::from_value::<Portfolio>(v)
            .unwrap_err()
            .to_string()
    };
    let mut dup = mixed(3);
    dup["policies"][2]["id"] = json!("P000");
    assert!(err(dup).contains("policy id `P000` is given twice"));
    assert!(err(json!({"policies": []})).contains("policies"));
    let mut missing = mixed(3);
    missing["dependence"]["groups"] = json!(["ai", "biomedicine", "quantum"]);
    assert!(err(missing).contains("`ic`"));
    let mut pd = mixed(3);
    pd["policies"][0]["perils"][0]["default_probability"] = json!(1.5);
    let e = err(pd);
    assert!(
        e.contains("P000") && e.contains("default_probability"),
        "{e}"
    );
    let mut shock = mixed(3);
    shock["shocks"][0]["default_hit_probability"] = json!(-0.1);
    assert!(err(shock).contains("default_hit_probability"));
    let mut stages = mixed(3);
    stages["policies"][2]["perils"][0]["stages"] = json!([]);
    assert!(err(stages).contains("stages"));
    let p: Portfolio = serde_json::from_value(mixed(3)).unwrap();
    assert!(PortfolioConfig::new(1, 0).is_err());
    let mut c = PortfolioConfig::new(1, 100).unwrap();
    c.tvar_level = 1.0;
    assert!(p.simulate(&c).is_err());
    c.tvar_level = 0.99;
    c.simulation.threads = Some(0);
    assert!(p.simulate(&c).is_err());
}

#[test]
fn results_are_pinned_for_value_stability_and_the_serial_build() {
    // Pinned from the parallel build; .ci/run also runs this file without the `parallel`
    // feature, which must reproduce the same bits.
    let p: Portfolio = serde_json::from_value(mixed(150)).unwrap();
    let r = run(&p, 20_000, None);
    let total: f64 = r.totals.iter().sum();
    assert_eq!(r.tvar.to_bits(), PIN_TVAR, "tvar {}", r.tvar);
    assert_eq!(total.to_bits(), PIN_TOTAL, "total {total}");
}

// Re-pinned when the tail became exactly (1 − α)·n = 100 years (it was 101: ⌈100.00000000000009⌉),
// and when systemic events came to hit only cyber covers, through their terms (every eighth
// policy of `mixed` became a cyber cover), and when the copula came to reorder blocks of
// 2,048 years, each from its own stream, and when every stream (event years, systemic events
// and their hits) came to restart at each block, so that a shard simulates only its blocks,
// and when the Poisson perils came to be superposed (TVaR 213,663,795 → 213,093,552 元; sum
// of the 20,000 totals 2.180231e12 → 2.180086e12 元, −0.007%), and when perils with
// P(event) ≥ 0.25 (the R&D projects here) came to decide each year by one keyed draw (TVaR
// → 212,479,899 元; sum of totals → 2.182942e12 元, +0.13%), and when each claim came to be
// rounded to 分 on its own (an occurrence of the per-risk treaty: TVaR moved by < 0.01 元),
// and when the superposed claims came to be drawn in batches from counter words (issue 35:
// TVaR → 213,045,513.68 元, −0.27 percent; sum of totals → 2.182853e12 元, −0.004 percent),
// and when every per-policy event peril came to decide each year by its key in a vector pass
// and R&D failures to be paid by inversion (TVaR → 213,190,353.01 元, +0.07 percent; sum of
// totals → 2.187887e12 元, +0.23 percent, about one standard error), and when the systemic
// events' hits came to be decided from event and policy keys in a vector pass (TVaR →
// 213,193,860.51 元; sum of totals → 2.187902e12 元), and when the claim sizes of the perils
// drawn one at a time (cyber incidents, compound perils off the vector path) came to be drawn
// by inversion with the library's kernels (`SeverityModel::draw`; TVaR → 213,285,301.89 元,
// +0.04 percent; sum of totals → 2.187960e12 元, +0.003 percent), and when guarantees came to
// be paid by inversion in batches (the default's year by u, the collateral by v: TVaR →
// 213,279,999.95 元; sum of totals → 2.188050e12 元, +0.004 percent).
const PIN_TVAR: u64 = 0x41a9_6cc9_ffe6_7381;
const PIN_TOTAL: u64 = 0x427f_d71e_f607_5682;

#[test]
fn per_risk_recoveries_match_the_layer_by_hand() {
    // One policy losing 5m in a year with probability 0.1 (Bernoulli count, one claim);
    // a 3m xs 2m per-risk layer recovers 3m in each such year: 0.1 × 3m = 300,000 a year.
    let p: Portfolio = serde_json::from_value(json!({
        "policies": [{"id": "R", "sector": "ai", "perils": [{"peril": "compound",
            "frequency": {"type": "bernoulli", "q": 0.1},
            "severity": {"type": "empirical", "data": [5e6]}}]}],
        "per_risk_xol": [{"attachment": 2e6, "limit": 3e6}]
    }))
    .unwrap();
    let r = run(&p, 200_000, None);
    let got = r.policies[0].per_risk_ceded;
    // Binomial s.e. of the event count: 3m·√(0.1·0.9/200,000) ≈ 2,012.
    assert!((got - 300_000.0).abs() < 4.0 * 2012.5, "{got}");
    assert_eq!(got / 3e6, r.policies[0].mean / 5e6);
}

#[test]
fn the_tail_holds_exactly_the_top_share_of_years() {
    // (1 − 0.995)·10⁶ is 5000.000000000004 in floating point: the tail must still be 5,000
    // years, so that the run's TVaR and allocations agree with its losses' TVaR (defect 4 of
    // the exact-methods review).
    let p: Portfolio = serde_json::from_value(json!({
        "policies": [{"id": "A", "sector": "ic", "perils": [compound(2.0, 1000.0)]},
                     {"id": "B", "sector": "ic", "perils": [compound(0.5, 3000.0)]}]
    }))
    .unwrap();
    let r = run(&p, 1_000_000, None);
    assert_eq!(r.tail_trials, 5_000);
    let tvar = r.losses.tvar(0.995).unwrap().value;
    assert!(
        (r.tvar - tvar).abs() <= 1e-12 * tvar,
        "{} vs {tvar}",
        r.tvar
    );
    let allocated: f64 = r.policies.iter().map(|p| p.allocated_tvar).sum();
    assert!((allocated - tvar).abs() <= 1e-9 * tvar);
    // And the 99% VaR is the 990,000th smallest year, not the next one.
    let mut totals = r.totals.clone();
    totals.sort_by(f64::total_cmp);
    assert_eq!(r.losses.var(0.99).unwrap().value, totals[989_999]);
}

#[test]
fn an_observer_can_stop_a_portfolio_run() {
    let p: Portfolio = serde_json::from_value(mixed(200)).unwrap();
    let c = PortfolioConfig::new(5, 2000).unwrap();
    let seen = std::sync::atomic::AtomicU64::new(0);
    let e = p
        .simulate_with_progress(
            &c,
            Some(&|q| {
                seen.fetch_max(q.done, std::sync::atomic::Ordering::Relaxed);
                std::ops::ControlFlow::Break(())
            }),
        )
        .unwrap_err();
    assert!(matches!(e, kexian::Error::Cancelled { .. }), "{e}");
    // Stopped early: not every policy was simulated and allocated.
    assert!(seen.load(std::sync::atomic::Ordering::Relaxed) < 400);
    // Without an observer that stops, the same portfolio runs to the end.
    assert!(
        p.simulate_with_progress(&c, Some(&|_| std::ops::ControlFlow::Continue(())))
            .is_ok()
    );
}

#[test]
fn systemic_events_hit_only_cyber_covers_through_their_terms() {
    // Two policies in the same sector, every event hits both: the cyber cover pays
    // 0.5 × (1,000 − 400) = 300 per event under its own terms; the R&D-style cover is not
    // exposed at all.
    let mut cover = cyber(0.0);
    cover["sections"]["first_party"] = json!({"deductible": 400.0, "share": 0.5});
    let p: Portfolio = serde_json::from_value(json!({
        "policies": [
            {"id": "C", "sector": "ai", "perils": [cover]},
            {"id": "R", "sector": "ai", "perils": [compound(0.0, 1.0)]}],
        "shocks": [{"name": "outage", "annual_rate": 0.2, "default_hit_probability": 1.0,
                    "loss": {"type": "empirical", "data": [1000.0]}}]}))
    .unwrap();
    let r = run(&p, 50_000, None);
    let (c, other) = (&r.policies[0], &r.policies[1]);
    assert_eq!(other.shock_mean, 0.0);
    // Events per year ~ Poisson(0.2): the mean per year is 300 × 0.2 within 4 s.e.
    let se = 300.0 * (0.2f64 / 50_000.0).sqrt();
    assert!((c.shock_mean - 60.0).abs() < 4.0 * se, "{}", c.shock_mean);
    // Every hit pays exactly 300.
    assert!(r.shocks.iter().all(|x| (x / 300.0).fract() == 0.0));
    assert!(r.shocks.iter().any(|&x| x > 0.0));
}

#[test]
fn systemic_hits_are_independent_draws_at_their_hit_probability() {
    // 200 cyber covers (no incidents of their own, full cover) and two shocks: A at 0.5 a
    // year hits each with probability 0.3 and pays 1,000 (an empirical loss: drawn from a
    // generator); B at 0.4 a year hits with probability 0.2 and pays a lognormal(6, 0.5)
    // (drawn by inversion). Per event the hits are Binomial(200, h) and independent of the
    // losses, so a year's systemic total has mean Σ λ·200h·E[X] and variance
    // Σ λ·E[S²], E[S²] = 200h·Var X + 200h(1 − h)·E[X]² + (200h·E[X])².
    let p: Portfolio = serde_json::from_value(json!({
        "policies": (0..200).map(|i| json!({"id": format!("C{i:03}"), "sector": "ai", "perils": [cyber(0.0)]}))
            .collect::<Vec<_>>(),
        "shocks": [
            {"name": "A", "annual_rate": 0.5, "default_hit_probability": 0.3,
             "loss": {"type": "empirical", "data": [1000.0]}},
            {"name": "B", "annual_rate": 0.4, "default_hit_probability": 0.2,
             "loss": {"type": "lognormal", "mu": 6.0, "sigma": 0.5}}]}))
    .unwrap();
    let trials = 100_000;
    let r = run(&p, trials, None);
    let lognormal_mean = (6.0f64 + 0.125).exp();
    let lognormal_var = (0.25f64.exp() - 1.0) * (12.0f64 + 0.25).exp();
    let shocks = [
        (0.5, 0.3, 1000.0, 0.0),
        (0.4, 0.2, lognormal_mean, lognormal_var),
    ];
    let (mut mean, mut var) = (0.0, 0.0);
    for (rate, h, m, v) in shocks {
        let hits = 200.0 * h;
        let s2 = hits * v + hits * (1.0 - h) * m * m + (hits * m) * (hits * m);
        mean += rate * hits * m;
        var += rate * s2;
    }
    let n = trials as f64;
    let got = r.shocks.iter().sum::<f64>() / n;
    let got_var = r.shocks.iter().map(|x| (x - got).powi(2)).sum::<f64>() / (n - 1.0);
    assert!(
        (got - mean).abs() < 4.0 * (var / n).sqrt(),
        "mean {got} vs {mean}"
    );
    // Hits drawn together (one uniform per event and shock) would give about 3.4 times the
    // variance.
    assert!(
        (got_var / var - 1.0).abs() < 0.1,
        "variance {got_var} vs {var}"
    );
    // Each policy's share: λ·h·E[X] summed over the shocks, variance λ·h·E[X²] a year.
    let each: f64 = shocks.iter().map(|(rate, h, m, _)| rate * h * m).sum();
    let each_var: f64 = shocks
        .iter()
        .map(|(rate, h, m, v)| rate * h * (v + m * m))
        .sum();
    let se = (each_var / n).sqrt();
    let within = (r.policies.iter())
        .filter(|x| (x.shock_mean - each).abs() < 4.0 * se)
        .count();
    assert!(
        within >= 198,
        "{within} of 200 policies within 4 s.e. of {each}"
    );
}

/// The year's largest occurrence, checked trial by trial against the policies' own payments:
/// without systemic events and with one peril per policy it is the largest policy payment of
/// the year (after the copula). Systemic events leave the perils' draws and the copula alone,
/// so with them the largest occurrence is the larger of that and the year's largest event,
/// which is at most the year's systemic total.
#[test]
fn the_largest_occurrence_is_the_largest_payment_of_the_year() {
    let mut spec = mixed(60);
    let shocks = spec["shocks"].take();
    spec["shocks"] = json!([]);
    let c = PortfolioConfig::new(42, 5_000).unwrap();
    let p: Portfolio = serde_json::from_value(spec.clone()).unwrap();
    let without = p.simulate(&c).unwrap();
    let own: Vec<Vec<f64>> = p
        .policies()
        .iter()
        .map(|x| p.policy_losses(&x.id, &c, &without).unwrap())
        .collect();
    // An occurrence is one claim: at most the largest policy's year, and there is one
    // whenever a policy pays.
    let mut below = 0;
    for t in 0..5_000 {
        let largest = own.iter().map(|v| v[t]).fold(0.0, f64::max);
        let o = without.occurrences[t];
        assert!(o <= largest && (o > 0.0) == (largest > 0.0), "trial {t}");
        below += usize::from(o < largest);
    }
    assert!(below > 0, "some year has a policy with two claims");
    // A frequent event that hits every cyber cover, so that it is sometimes the largest.
    let mut shocks = shocks;
    shocks[0]["annual_rate"] = json!(0.5);
    shocks[0]["default_hit_probability"] = json!(1.0);
    shocks[0]["hit_probability"] = json!({});
    spec["shocks"] = shocks;
    let p: Portfolio = serde_json::from_value(spec).unwrap();
    let with = p.simulate(&c).unwrap();
    let mut raised = 0;
    for t in 0..5_000 {
        let (o, base) = (with.occurrences[t], without.occurrences[t]);
        assert!(o >= base && o <= base.max(with.shocks[t]) && o <= with.totals[t]);
        raised += usize::from(o > base);
    }
    assert!(
        raised > 0,
        "no systemic event was a year's largest occurrence"
    );
}

#[test]
fn both_engines_give_every_policy_its_expected_payment() {
    // Superposed (Poisson compound and cyber covers in one claim stream) or each peril on
    // its own stream, every policy's mean is within 4 standard errors of its closed-form or
    // integrated expected payment (`Peril::expected_payment`, independent of the simulation).
    use kexian::perils::Peril;
    let mut spec = mixed(24);
    spec["shocks"] = json!([]);
    let p: Portfolio = serde_json::from_value(spec).unwrap();
    for engine in [Engine::Superposition, Engine::Streams] {
        let mut c = PortfolioConfig::new(3, 100_000).unwrap();
        c.engine = engine;
        let r = p.simulate(&c).unwrap();
        for (policy, result) in p.policies().iter().zip(&r.policies) {
            let expected: f64 = policy
                .perils
                .iter()
                .map(|x| x.expected_payment().unwrap())
                .sum();
            let z = (result.mean - expected) / result.mean_std_error;
            assert!(z.abs() < 4.0, "{engine:?} {}: z = {z:.2}", policy.id);
        }
    }
}

#[test]
fn standalone_losses_are_the_policys_own_streams_under_either_engine() {
    // A policy's standalone sample is drawn from its own streams whatever the run's engine:
    // under superposition, the years of the streams engine's own payments (moved by that
    // run's copula instead), at the cost of the policy's events, not the book's claims.
    let mut spec = mixed(12);
    spec["shocks"] = json!([]);
    let p: Portfolio = serde_json::from_value(spec).unwrap();
    let s = PortfolioConfig::new(5, 20_000).unwrap();
    let t = PortfolioConfig {
        engine: Engine::Streams,
        ..s
    };
    let (superposed, streams) = (p.simulate(&s).unwrap(), p.simulate(&t).unwrap());
    let sorted = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v
    };
    let mut differ = 0;
    for policy in p.policies() {
        let own = sorted(p.standalone_losses(&policy.id, &s, &superposed).unwrap());
        let run = p.policy_losses(&policy.id, &t, &streams).unwrap();
        assert_eq!(own, sorted(run), "{}", policy.id);
        let in_run = p.policy_losses(&policy.id, &s, &superposed).unwrap();
        differ += usize::from(own != sorted(in_run));
    }
    // The Poisson compound and cyber covers (6 of 12) are superposed in the run.
    assert_eq!(differ, 6);
}

#[test]
fn each_claim_is_one_risk_loss_for_the_treaty() {
    // Exactly two claims of 8m a year (binomial m = 2, q = 1) under a 3m xs 2m per-risk
    // layer: each claim recovers min((8m − 2m)⁺, 3m) = 3m, so the year recovers 3m + 3m = 6m
    // (the year's total, 16m, would recover 3m once), under either engine.
    let two: Portfolio = serde_json::from_value(json!({
        "policies": [{"id": "T", "sector": "ai", "perils": [{"peril": "compound",
            "frequency": {"type": "binomial", "m": 2, "q": 1.0},
            "severity": {"type": "empirical", "data": [8e6]}}]}],
        "per_risk_xol": [{"attachment": 2e6, "limit": 3e6}]
    }))
    .unwrap();
    let r = run(&two, 1_000, None);
    assert_eq!(r.policies[0].mean, 16e6);
    assert_eq!(r.policies[0].per_risk_ceded, 6e6);
    assert!(r.occurrences.iter().all(|&x| x == 8e6));
    // Poisson(0.1) claims of 5m each, superposed with another policy's: 3m per claim,
    // E = 0.1·3m = 300,000 a year; s.e. 3m·√(0.1/200,000) ≈ 2,121.
    let p: Portfolio = serde_json::from_value(json!({
        "policies": [{"id": "R", "sector": "ai", "perils": [compound(0.1, 5e6)]},
                     {"id": "S", "sector": "ai", "perils": [compound(0.2, 1e5)]}],
        "per_risk_xol": [{"attachment": 2e6, "limit": 3e6}]
    }))
    .unwrap();
    let r = run(&p, 200_000, None);
    let got = r.policies[0].per_risk_ceded;
    assert!((got - 3e5).abs() < 4.0 * 2121.0, "{got} vs 300,000");
    assert_eq!(r.policies[1].per_risk_ceded, 0.0);
    // The largest occurrence of a year is one claim, never a year's sum of two.
    assert!(r.occurrences.iter().all(|&x| x <= 5e6));
}
