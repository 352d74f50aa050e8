//! Portfolio simulation speed on 2 cores.
//!
//! `cargo run --release --example bench_portfolio` simulates a mixed portfolio of 10,000
//! technology policies (R&D failure, cyber, patent defence, IP pledge; five sectors; a Gumbel
//! copula across sectors and a cloud-outage common shock) for 100,000 years, including the
//! co-TVaR allocation pass, and prints `portfolio_10000x100000_s=<x>` (bar: < 30 s). It then
//! times 1,000 and 10,000 low-frequency policies (IP pledges, PD 2%) for 100,000 years and
//! prints `cost_ratio_10000_vs_1000_policies=<y>` with the time per event and per
//! policy-year: the engine only visits event years, so a policy-year without an event costs
//! next to nothing. Finally it quotes the bundled portfolio (`data/`, 100,000 years, all cores)
//! and prints `quote_bundled_100000_s=<z>` (bar: < 10 s on 2 cores). The 10,000-policy run is
//! also run as 4 shards and merged: `portfolio_10000x100000_4_shards_s=`, `merge_s=` and the
//! parts' size per simulated year. First, in a child process, 1,000 insureds each in its own
//! sector for 100,000 years without a copula: `peak_rss_1000_sectors_mb=` (bar: ≤ 100). Then
//! 1,000 and 10,000 independent Poisson × capped lognormal insureds × 10⁶ years against two
//! floors run in the same process, a batched floor (the engine's counter-word draws and
//! passes without its bookkeeping) and a scalar minimal superposition loop:
//! `portfolio_1000x1000000_s=`, `batched_floor_1000x1000000_s=`, `ratio_vs_batched_floor=`,
//! `ratio_vs_minimal_superposition=`, `ns_per_claim_1_thread=`,
//! `parallel_efficiency_2_threads=` (the four sides alternating, best of 3 each),
//! `portfolio_10000x1000000_s=`, `ratio_10000_vs_batched_floor=` and
//! `ratio_10000_vs_minimal_superposition=`. Then 2,000 R&D
//! projects × 100,000 years on one thread against the scalar loop the engine used before
//! (one keyed draw a year, a SplitMix64 stream and the sampler per event):
//! `ns_per_rnd_event=` and `rnd_event_ratio_vs_minimal=` (R&D events dominate the main job).

use kexian::assumptions::Assumptions;
use kexian::frequency::{Frequency, Poisson};
use kexian::numerics::alias_table;
use kexian::numerics::kernels::{
    CodePath, GAMMA, counter, exp, mask_where, normal_central, normal_near_tail, normal_tail,
    open_unit, set_bits, splitmix64, unit,
};
use kexian::perils::{CompoundPeril, LitigationKind, Peril, PerilModel, RndProject};
use kexian::portfolio::{Policy, Portfolio, PortfolioConfig, PortfolioPart, PortfolioSpec};
use kexian::rand::{RngExt, SeedableRng};
use kexian::severity::{Severity, SeverityModel};
use kexian::simulation::Shard;
use kexian::simulation::batch_rng;
use kexian::{Error, Result};
use rand_xoshiro::SplitMix64;
use std::hint::black_box;
use std::time::Instant;

#[path = "../tests/common/insureds.rs"]
mod insureds;

fn io(e: std::io::Error) -> Error {
    Error::Inconsistent {
        model: "bench",
        message: e.to_string(),
    }
}

const SECTORS: [&str; 5] = ["ic", "biomedicine", "ai", "low_altitude", "new_materials"];
const SIZES: [&str; 4] = ["micro", "small", "medium", "large"];

fn mixed(n: usize) -> Result<Portfolio> {
    let a = Assumptions::bundled()?;
    let rnd = a.rnd_project("ai_software")?;
    let mut policies = Vec::with_capacity(n);
    for i in 0..n {
        let sector = SECTORS[i % 5];
        let peril = match i % 10 {
            0 => PerilModel::RndFailure(rnd.clone()),
            1..=4 => PerilModel::Cyber(a.cyber_risk(SIZES[(i / 10) % 4], sector)?),
            5..=7 => PerilModel::PatentLitigation(a.patent_litigation(
                LitigationKind::Defence,
                20.0 + (i % 50) as f64,
                5e6,
                sector,
                SIZES[(i / 10) % 4],
            )?),
            _ => PerilModel::Guarantee(a.guarantee("ip_pledge", 3e6, 0.02)?),
        };
        policies.push(Policy {
            id: format!("F{i:05}"),
            sector: sector.into(),
            group: None,
            perils: vec![peril],
            shocks: None,
        });
    }
    let extra: PortfolioSpec = serde_json::from_str(
        r#"{"policies": [],
            "shocks": [{"name": "cloud_outage", "annual_rate": 0.05,
                        "hit_probability": {"ai": 0.3, "ic": 0.2}, "default_hit_probability": 0.1,
                        "intensity_cv": 1.0,
                        "loss": {"type": "lognormal", "mu": 12.0, "sigma": 1.2},
                        "terms": {"deductible": 2e4, "limit": 3e6}}],
            "dependence": {"groups": ["ai", "biomedicine", "ic", "low_altitude", "new_materials"],
                           "copula": {"type": "gumbel", "theta": 1.5, "dimension": 5}}}"#,
    )
    .map_err(|e| Error::Inconsistent {
        model: "bench",
        message: e.to_string(),
    })?;
    Portfolio::new(PortfolioSpec { policies, ..extra })
}

/// SplitMix64's finaliser (the engine keys its event years and payments with it).
fn mix(z: u64) -> u64 {
    let z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The scalar way for a frequent per-policy peril (the engine's before its batches): each
/// policy-year decided by one keyed draw, each event's payment from a SplitMix64 stream
/// started at its key and the peril's sampler, the payments summed in 分. Returns the number
/// of events.
fn minimal_events(project: &RndProject, policies: usize, years: usize) -> u64 {
    let q = project.event_probability();
    let (mut total, mut events) = (0i64, 0u64);
    for i in 0..policies {
        let base = mix(i as u64);
        for t in 0..years {
            let key = mix(base ^ t as u64);
            if ((mix(key ^ 1) >> 11) as f64) * f64::EPSILON / 2.0 < q {
                let mut rng = SplitMix64::seed_from_u64(key);
                total += (project.sample_given_event(&mut rng) * 100.0 + 0.5) as i64;
                events += 1;
            }
        }
    }
    black_box(total);
    events
}

/// 2,000 R&D projects (the main job's most frequent peril: an event in about 79% of
/// years) × 100,000 years on one thread, the engine against [`minimal_events`], alternating,
/// best of `ROUNDS` each.
fn rnd_events() -> Result<()> {
    let project = Assumptions::bundled()?.rnd_project("ai_software")?;
    let (n, years) = (2_000, 100_000);
    let book = uniform_book(n, 'R', &PerilModel::RndFailure(project.clone()))?;
    let mut config = PortfolioConfig::new(2025, years as u64)?;
    config.simulation.threads = Some(1);
    let (mut light, mut engine, mut events) = (f64::INFINITY, f64::INFINITY, 0);
    for _ in 0..ROUNDS {
        let t = Instant::now();
        events = minimal_events(&project, n, years);
        light = light.min(t.elapsed().as_secs_f64());
        engine = engine.min(timed(&book, &config)?.0);
    }
    let per = |s: f64| s * 1e9 / events as f64;
    println!(
        "R&D failure, {n} projects x {years} years ({events} events), 1 thread: minimal event \
         loop {light:.2} s ({:.1} ns/event), engine {engine:.2} s, best of {ROUNDS}",
        per(light)
    );
    println!("ns_per_rnd_event={:.1}", per(engine));
    println!("rnd_event_ratio_vs_minimal={:.2}", engine / light);
    Ok(())
}

fn low_frequency(n: usize) -> Result<Portfolio> {
    let pledge = Assumptions::bundled()?.guarantee("ip_pledge", 3e6, 0.02)?;
    uniform_book(n, 'L', &PerilModel::Guarantee(pledge))
}

/// `n` independent policies with the same peril, ids `{prefix}00000`…, in the five sectors
/// in turn, no shocks, copula or treaty.
fn uniform_book(n: usize, prefix: char, peril: &PerilModel) -> Result<Portfolio> {
    Portfolio::new(PortfolioSpec {
        policies: (0..n)
            .map(|i| Policy {
                id: format!("{prefix}{i:05}"),
                sector: SECTORS[i % 5].into(),
                group: None,
                perils: vec![peril.clone()],
                shocks: None,
            })
            .collect(),
        shocks: vec![],
        dependence: None,
        per_risk_xol: vec![],
    })
}

/// Runs of each side of the 1,000-insured comparison.
const ROUNDS: usize = 3;

fn timed(p: &Portfolio, config: &PortfolioConfig) -> Result<(f64, f64)> {
    let t = Instant::now();
    let run = p.simulate(config)?;
    Ok((t.elapsed().as_secs_f64(), run.tvar))
}

/// The speed of light for independent Poisson covers: per year one Poisson(Σλ) count of
/// claims, each claim's policy drawn from an alias table by rate, its own lognormal and terms
/// applied, the year's total summed; the same generator and samplers as the engine, no
/// allocation in the loop, one stream per thread.
fn minimal_superposition(covers: &[CompoundPeril], trials: u64, threads: u64) -> f64 {
    let rates: Vec<f64> = covers.iter().map(|c| c.frequency.mean()).collect();
    let table = alias_table(&rates).unwrap_or_else(|_| unreachable!());
    let count = Poisson::new(rates.iter().sum()).unwrap_or_else(|_| unreachable!());
    let n = covers.len();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|k| {
                let (table, count) = (&table, &count);
                scope.spawn(move || {
                    let mut rng = batch_rng(1, k);
                    let mut total = 0.0;
                    for _ in 0..trials / threads {
                        let mut year = 0.0;
                        for _ in 0..count.sample(&mut rng) {
                            let u = rng.random::<f64>() * n as f64;
                            let (p, alias) = table[(u as usize).min(n - 1)];
                            let i = if u.fract() < p {
                                u as usize
                            } else {
                                alias as usize
                            };
                            let c = &covers[i];
                            year += c.terms.apply(c.severity.sample(&mut rng));
                        }
                        total += year;
                    }
                    total
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0.0)).sum()
    })
}

/// A lognormal insured of the floor: (μ, σ, deductible, limit).
type Insured = (f64, f64, f64, f64);

/// The batched floor's arrays for up to `FLOOR_CHUNK` claims.
#[derive(Default)]
struct FloorBatch {
    base: Vec<u64>,
    alias: Vec<f64>,
    u: Vec<f64>,
    x: Vec<f64>,
    pick: Vec<u32>,
    tails: Vec<(u32, f64)>,
    mask: Vec<u64>,
}

const FLOOR_CHUNK: usize = 1024;

/// Pass 1: the alias uniform, u and the central z of each claim.
struct FloorWords<'a>(&'a mut FloorBatch, f64);

impl pulp::WithSimd for FloorWords<'_> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        let FloorBatch {
            base, alias, u, x, ..
        } = self.0;
        let slots = alias.iter_mut().zip(u.iter_mut()).zip(x.iter_mut());
        for (&b, ((a, u), z)) in base.iter().zip(slots) {
            *a = unit(splitmix64(b)) * self.1;
            *u = open_unit(splitmix64(b.wrapping_add(GAMMA)));
            *z = normal_central(*u);
        }
    }
}

/// Pass 2: |z| of each tail probability.
struct FloorTails<'a>(&'a mut [(u32, f64)]);

impl pulp::WithSimd for FloorTails<'_> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        for (_, p) in self.0.iter_mut() {
            *p = normal_near_tail(*p);
        }
    }
}

/// Pass 4: exp of μ + σz.
struct FloorExp<'a>(&'a mut [f64]);

impl pulp::WithSimd for FloorExp<'_> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        for x in self.0.iter_mut() {
            *x = exp(*x);
        }
    }
}

/// The batched floor for independent Poisson × lognormal covers: the engine's draws (per
/// year one counter word inverted on the count's cdf, per claim two: its insured by the
/// alias table, its size by Φ⁻¹ and exp) in the engine's passes over batches of claims,
/// with none of its bookkeeping (no per-policy sums, year rows or tail replay). Returns the
/// sum of the years' totals (元) and the number of claims.
fn batched_floor(covers: &[CompoundPeril], trials: u64, threads: u64) -> (f64, u64) {
    let insureds: Vec<Insured> = covers
        .iter()
        .map(|c| match &c.severity {
            SeverityModel::LogNormal(s) => {
                (s.mu(), s.sigma(), c.terms.deductible(), c.terms.limit())
            }
            _ => unreachable!("the bench's insureds are lognormal"),
        })
        .collect();
    let rates: Vec<f64> = covers.iter().map(|c| c.frequency.mean()).collect();
    let table = alias_table(&rates).unwrap_or_else(|_| unreachable!());
    let count = Poisson::new(rates.iter().sum()).unwrap_or_else(|_| unreachable!());
    let cdf: Vec<f64> = (0..)
        .map(|k| count.cdf(k))
        .take_while(|&c| c < 1.0)
        .collect();
    let arch = pulp::Arch::new();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|k| {
                let (insureds, table, cdf) = (&insureds, &table, &cdf);
                scope.spawn(move || {
                    let mut b = FloorBatch::default();
                    let (mut total, mut claims) = (0i64, 0u64);
                    let mut flush = |b: &mut FloorBatch| {
                        let len = b.base.len();
                        for v in [&mut b.alias, &mut b.u, &mut b.x] {
                            v.resize(len, 0.0);
                        }
                        b.pick.resize(len, 0);
                        b.tails.resize(len, (0, 0.0));
                        arch.dispatch(FloorWords(b, insureds.len() as f64));
                        // The tails gathered, their |z| by the vector kernel, put back.
                        mask_where(&b.x, &mut b.mask, CodePath::Widest, |z| z.is_nan());
                        let mut m = 0;
                        set_bits(&b.mask, |c| {
                            b.tails[m] = (c as u32, b.u[c].min(1.0 - b.u[c]));
                            m += 1;
                        });
                        arch.dispatch(FloorTails(&mut b.tails[..m]));
                        for &(c, z) in &b.tails[..m] {
                            let u = b.u[c as usize];
                            let z = if z.is_nan() { normal_tail(u).abs() } else { z };
                            b.x[c as usize] = if u < 0.5 { -z } else { z };
                        }
                        for c in 0..len {
                            let a = b.alias[c];
                            let drawn = a as u32;
                            let (keep, alias) = table[drawn as usize];
                            let mask = u32::from(a - f64::from(drawn) < keep).wrapping_neg();
                            let i = alias ^ ((drawn ^ alias) & mask);
                            b.pick[c] = i;
                            let (mu, sigma, ..) = insureds[i as usize];
                            b.x[c] = mu + sigma * b.x[c];
                        }
                        arch.dispatch(FloorExp(&mut b.x));
                        for (&x, &i) in b.x.iter().zip(&b.pick) {
                            let (.., d, l) = insureds[i as usize];
                            total += ((x.min(l) - x.min(d)) * 100.0 + 0.5) as i64;
                        }
                        claims += len as u64;
                        b.base.clear();
                    };
                    let start = splitmix64(k);
                    for t in 0..trials / threads {
                        let key = splitmix64(start.wrapping_add(t.wrapping_mul(GAMMA)));
                        let n = cdf.partition_point(|&c| c <= unit(counter(key, 0))) as u64;
                        for j in 0..n {
                            b.base
                                .push(key.wrapping_add((2 * j + 1).wrapping_mul(GAMMA)));
                            if b.base.len() == FLOOR_CHUNK {
                                flush(&mut b);
                            }
                        }
                    }
                    flush(&mut b);
                    (total as f64 / 100.0, claims)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or((0.0, 0)))
            .fold((0.0, 0), |(s, n), (a, b)| (s + a, n + b))
    })
}

/// `n` independent Poisson × capped lognormal insureds of `tests/common/insureds.rs`, policy
/// i in sector `sector(i)`, no copula.
fn insured_book(n: usize, sector: impl Fn(usize) -> String) -> Result<Portfolio> {
    let policies = insureds::covers(&insureds::book(n))
        .into_iter()
        .enumerate()
        .map(|(i, c)| Policy {
            id: format!("I{i:05}"),
            sector: sector(i),
            group: None,
            perils: vec![PerilModel::Compound(c)],
            shocks: None,
        })
        .collect();
    Portfolio::new(PortfolioSpec {
        policies,
        shocks: vec![],
        dependence: None,
        per_risk_xol: vec![],
    })
}

/// Peak resident memory of this process (VmHWM, MB).
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse::<f64>().ok()
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() -> Result<()> {
    if std::env::args().nth(1).as_deref() == Some("sectors") {
        // Run alone in a child process, so its peak memory is its own.
        let mut config = PortfolioConfig::new(2025, 100_000)?;
        config.simulation.threads = Some(2);
        let run = insured_book(1_000, |i| format!("sector-{i:04}"))?.simulate(&config)?;
        println!("{} {}", peak_rss_mb(), run.tvar);
        return Ok(());
    }
    let child = std::process::Command::new(std::env::current_exe().map_err(io)?)
        .arg("sectors")
        .output()
        .map_err(io)?;
    let text = String::from_utf8_lossy(&child.stdout);
    let peak = text.split_whitespace().next().unwrap_or("NaN");
    println!("1,000 insureds in 1,000 sectors x 100,000 years (no copula), 2 threads");
    println!("peak_rss_1000_sectors_mb={peak}");

    // 1,000 and 10,000 independent Poisson × capped lognormal insureds, 10^6 years.
    let years = 1_000_000;
    let mut config = PortfolioConfig::new(2025, years)?;
    let five = |i: usize| SECTORS[i % 5].to_string();
    let book = insured_book(1_000, five)?;
    let covers = insureds::covers(&insureds::book(1_000));
    let claims: f64 = covers.iter().map(|c| c.frequency.mean()).sum();
    // The minimal loop, the engine on 2 threads and on 1 thread alternate, best of
    // `ROUNDS` each: a slow spell of the machine, or the first touch of fresh memory, then
    // does not fall on one of them only.
    let (mut light, mut floor, mut two, mut one) =
        (f64::INFINITY, f64::INFINITY, f64::INFINITY, f64::INFINITY);
    let mut floor_sum = 0.0;
    for _ in 0..ROUNDS {
        let t = Instant::now();
        black_box(minimal_superposition(&covers, years, 2));
        light = light.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        (floor_sum, _) = batched_floor(&covers, years, 2);
        floor = floor.min(t.elapsed().as_secs_f64());
        config.simulation.threads = Some(2);
        two = two.min(timed(&book, &config)?.0);
        config.simulation.threads = Some(1);
        one = one.min(timed(&book, &config)?.0);
    }
    // The floor draws what the engine draws: its mean is the book's closed form (1,000
    // insureds × 10⁶ years: a relative standard error of about 0.1%).
    let expected: f64 = covers
        .iter()
        .map(Peril::expected_payment)
        .sum::<Result<f64>>()?;
    let off = floor_sum / years as f64 / expected - 1.0;
    assert!(
        off.abs() < 0.01,
        "the batched floor's mean is {off:+.4} off the closed form"
    );
    println!(
        "1,000 insureds ({claims:.1} claims a year) x 10^6 years: minimal superposition loop \
         {light:.2} s, batched floor {floor:.2} s (mean {off:+.4} of the closed form), engine \
         {two:.2} s (2 threads), {one:.2} s (1 thread), best of {ROUNDS}"
    );
    println!("portfolio_1000x1000000_s={two:.2}");
    println!("batched_floor_1000x1000000_s={floor:.2}");
    println!("ratio_vs_batched_floor={:.2}", two / floor);
    println!("ratio_vs_minimal_superposition={:.2}", two / light);
    println!(
        "ns_per_claim_1_thread={:.1}",
        one * 1e9 / (claims * years as f64)
    );
    println!("parallel_efficiency_2_threads={:.2}", one / (2.0 * two));
    config.simulation.threads = Some(2);
    let (ten, _) = timed(&insured_book(10_000, five)?, &config)?;
    let covers = insureds::covers(&insureds::book(10_000));
    let t = Instant::now();
    black_box(minimal_superposition(&covers, years, 2));
    let light = t.elapsed().as_secs_f64();
    let t = Instant::now();
    black_box(batched_floor(&covers, years, 2));
    let floor = t.elapsed().as_secs_f64();
    println!(
        "10,000 insureds x 10^6 years: minimal superposition loop {light:.2} s, batched floor \
         {floor:.2} s, engine {ten:.2} s"
    );
    println!("portfolio_10000x1000000_s={ten:.2}");
    println!("ratio_10000_vs_batched_floor={:.2}", ten / floor);
    println!("ratio_10000_vs_minimal_superposition={:.2}", ten / light);
    rnd_events()?;
    let trials = 100_000;
    let mut config = PortfolioConfig::new(2025, trials)?;
    config.simulation.threads = Some(2);
    let portfolio = mixed(10_000)?;
    let (seconds, tvar) = timed(&portfolio, &config)?;
    println!("mixed portfolio: 10,000 policies x 100,000 years, TVaR 99.5% = {tvar:.0} 元");
    println!("portfolio_10000x100000_s={seconds:.2}");

    // The same run as 4 shards (one after another; on 4 machines they run at once), each
    // part through its bytes, then merged: what a shard costs and weighs (the scaling model
    // in the README uses these lines).
    let t = Instant::now();
    let mut bytes = 0;
    let parts = (1..=4)
        .map(|i| {
            let b = portfolio
                .simulate_shard(&config, Shard::new(i, 4)?, None)?
                .to_bytes()?;
            bytes = bytes.max(b.len());
            PortfolioPart::from_bytes(&b)
        })
        .collect::<Result<Vec<_>>>()?;
    let shards = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let merged = portfolio.merge(&config, parts)?;
    let merge = t.elapsed().as_secs_f64();
    assert_eq!(merged.tvar, tvar, "the merged run is the single run");
    println!("portfolio_10000x100000_4_shards_s={shards:.2} merge_s={merge:.2}");
    println!(
        "part_bytes_per_year={:.0} (largest of 4 parts: {bytes} bytes)",
        bytes as f64 / (trials as f64 / 4.0)
    );

    let events = |n: usize| n as f64 * trials as f64 * 0.02;
    let (small, _) = timed(&low_frequency(1_000)?, &config)?;
    let (large, _) = timed(&low_frequency(10_000)?, &config)?;
    println!(
        "low-frequency IP pledges (PD 2%): 1,000 policies {small:.3} s, 10,000 policies {large:.3} s"
    );
    println!(
        "ns_per_event={:.1} ns_per_policy_year={:.3}",
        large * 1e9 / events(10_000),
        large * 1e9 / (10_000.0 * trials as f64)
    );
    println!("cost_ratio_10000_vs_1000_policies={:.2}", large / small);

    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/data");
    let quote_config: kexian::quote::QuoteConfig =
        kexian::io::read_json(format!("{data}/pricing.json"))?;
    let firms = kexian::io::read_portfolio(format!("{data}/portfolio.csv"))?;
    let experience = kexian::table::Table::from_path(format!("{data}/experience.csv"))?;
    let t = Instant::now();
    let run = kexian::quote::price(
        &firms,
        &Assumptions::bundled()?,
        &quote_config,
        Some(&experience),
        None,
    )?;
    println!(
        "bundled portfolio: {} quotes, total premium {:.0} 元",
        run.quotes.len(),
        run.summary.premium
    );
    println!("quote_bundled_100000_s={:.2}", t.elapsed().as_secs_f64());
    Ok(())
}
