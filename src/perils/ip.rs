//! Intellectual-property perils: patent litigation (enforcement and infringement defence)
//! and IP-pledge financing guarantees (知识产权质押融资保证保险).

use super::{Peril, expected_shifted_payment, shifted_payment_probability};
use crate::coverage::ClaimTerms;
use crate::error::{Error, Result};
use crate::numerics::{integrate, validate};
use crate::severity::{Severity, SeverityModel};
use rand::{Rng, RngExt};
use serde::{Deserialize, Serialize};

/// Which side of a patent suit the firm is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LitigationKind {
    /// The firm enforces its patents (维权): the cover pays legal costs.
    Enforcement,
    /// The firm is sued for infringement (侵权抗辩): legal costs and damages if it loses.
    Defence,
}

/// The validity-challenge branch (invalidation request / IPR): with probability `filed` a
/// challenge is brought, costing `cost`; it succeeds (claims invalidated) with probability
/// `instituted × invalidated` (e.g. PTAB FY2024: 68% instituted, ~63% of final decisions
/// leave no challenged claim standing). In a defence, a successful challenge removes the
/// damages; in an enforcement it ends the suit with the costs spent.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidityChallenge {
    /// P(a challenge is filed).
    pub filed: f64,
    /// P(instituted | filed).
    pub instituted: f64,
    /// P(claims invalidated | instituted).
    pub invalidated: f64,
    /// Extra legal cost of the challenge (元).
    pub cost: f64,
}

/// Patent suits arriving as a Poisson process with `suits_per_year`; each suit costs legal
/// fees C, plus the challenge cost e when a validity challenge is filed, plus damages D when
/// a defence is lost (probability `lose`, unless the patent was invalidated). Per-suit terms
/// apply to that total:
///
/// ```text
/// loss = C + F·e + L·D,   F ~ Bernoulli(filed),  V = F·Bernoulli(instituted·invalidated),
/// L = Bernoulli(lose)·(1 − V) (defence only)
/// E[payment per suit] = Σ over (F, V, L) of P(case)·E[terms(C + F·e + L·D)]
/// ```
/// The expectations over C are closed forms in C's limited expected value; the one over D
/// is a numerical integral over D's quantile function. Annually: E = λ·E\[per suit\],
/// P(payment > 0) = 1 − exp(−λ·P(a suit pays)).
///
/// Suit frequency: US patents see ≈ 10.7 suits per 1,000 patents over their life (20.1 for
/// drugs; Lanjouw & Schankerman 2001), i.e. λ ≈ patents × 10.7/1000 / 20 a year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatentLitigation {
    /// Enforcement or defence.
    pub kind: LitigationKind,
    /// Expected suits per year λ (≥ 0).
    pub suits_per_year: f64,
    /// Legal cost per suit (元).
    pub legal_cost: SeverityModel,
    /// Damages if a defence is lost (元); ignored for enforcement.
    #[serde(default)]
    pub damages: Option<SeverityModel>,
    /// P(losing a defence on the merits).
    #[serde(default)]
    pub lose: f64,
    /// The validity-challenge branch, if any.
    #[serde(default)]
    pub validity: Option<ValidityChallenge>,
    /// Per-suit terms.
    #[serde(default)]
    pub terms: ClaimTerms,
}

/// One branch of a suit: probability, fixed extra cost, whether damages are due.
struct Branch {
    probability: f64,
    extra: f64,
    damages: bool,
}

impl PatentLitigation {
    /// Checks the probabilities and rates.
    pub fn validate(&self) -> Result<()> {
        const M: &str = "PatentLitigation";
        validate::non_negative(M, "suits_per_year", self.suits_per_year)?;
        validate::probability(M, "lose", self.lose)?;
        if let Some(v) = &self.validity {
            validate::probability(M, "validity.filed", v.filed)?;
            validate::probability(M, "validity.instituted", v.instituted)?;
            validate::probability(M, "validity.invalidated", v.invalidated)?;
            validate::non_negative(M, "validity.cost", v.cost)?;
        }
        if self.kind == LitigationKind::Defence && self.lose > 0.0 && self.damages.is_none() {
            return Err(Error::Inconsistent {
                model: M,
                message: "a defence with lose > 0 needs a damages severity".into(),
            });
        }
        Ok(())
    }

    fn branches(&self) -> Vec<Branch> {
        let (filed, success, cost) = self.validity.map_or((0.0, 0.0, 0.0), |v| {
            (v.filed, v.instituted * v.invalidated, v.cost)
        });
        let lose = if self.kind == LitigationKind::Defence && self.damages.is_some() {
            self.lose
        } else {
            0.0
        };
        let mut out = Vec::new();
        // (filed?, invalidated?) cases; damages possible unless invalidated.
        for (p_case, extra, can_lose) in [
            (1.0 - filed, 0.0, true),
            (filed * success, cost, false),
            (filed * (1.0 - success), cost, true),
        ] {
            let l = if can_lose { lose } else { 0.0 };
            for (p, damages) in [(1.0 - l, false), (l, true)] {
                if p_case * p > 0.0 {
                    out.push(Branch {
                        probability: p_case * p,
                        extra,
                        damages,
                    });
                }
            }
        }
        out
    }

    pub(super) fn sample_suit<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let mut loss = self.legal_cost.draw(rng);
        let mut invalidated = false;
        if let Some(v) = &self.validity
            && rng.random::<f64>() < v.filed
        {
            loss += v.cost;
            invalidated = rng.random::<f64>() < v.instituted * v.invalidated;
        }
        if self.kind == LitigationKind::Defence
            && !invalidated
            && let Some(d) = &self.damages
            && rng.random::<f64>() < self.lose
        {
            loss += d.draw(rng);
        }
        self.terms.apply(loss)
    }

    /// Expected payment per suit.
    pub fn expected_payment_per_suit(&self) -> f64 {
        self.per_suit(|y| expected_shifted_payment(&self.terms, &self.legal_cost, y))
    }

    /// P(a suit pays anything).
    pub fn suit_payment_probability(&self) -> f64 {
        self.per_suit(|y| shifted_payment_probability(&self.terms, &self.legal_cost, y))
    }

    /// Σ over branches of P(branch) E\[h(extra + D·1{damages})\].
    fn per_suit(&self, h: impl Fn(f64) -> f64) -> f64 {
        self.branches()
            .iter()
            .map(|b| {
                b.probability
                    * match (&self.damages, b.damages) {
                        (Some(d), true) => {
                            integrate(|u| h(b.extra + d.quantile(u)), 0.0, 1.0, 1e-10)
                        }
                        _ => h(b.extra),
                    }
            })
            .sum()
    }
}

impl Peril for PatentLitigation {
    fn event_probability(&self) -> f64 {
        -(-self.suits_per_year).exp_m1()
    }

    fn expected_occurrences(&self) -> f64 {
        self.suits_per_year
    }

    fn sample_given_event<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        super::claims_total(self, rng)
    }

    #[inline]
    fn claims_given_event<R: Rng + ?Sized, F: FnMut(f64)>(&self, rng: &mut R, mut visit: F) {
        for _ in 0..zero_truncated_poisson(self.suits_per_year, rng) {
            visit(self.sample_suit(rng));
        }
    }

    fn expected_payment(&self) -> Result<f64> {
        self.validate()?;
        Ok(self.suits_per_year * self.expected_payment_per_suit())
    }

    fn payment_probability(&self) -> Result<f64> {
        self.validate()?;
        Ok(-(-self.suits_per_year * self.suit_payment_probability()).exp_m1())
    }
}

/// N | N ≥ 1 for N ~ Poisson(λ), by sequential inversion (suit rates are small, so this
/// takes one or two steps and needs no table).
fn zero_truncated_poisson<R: Rng + ?Sized>(lambda: f64, rng: &mut R) -> u64 {
    if lambda <= 0.0 || !lambda.is_finite() {
        return 1;
    }
    let mut p = lambda / lambda.exp_m1(); // P(N = 1 | N ≥ 1)
    let mut u = rng.random::<f64>();
    let mut k = 1u64;
    while u > p && k < 10_000 {
        u -= p;
        k += 1;
        p *= lambda / k as f64;
    }
    k
}
