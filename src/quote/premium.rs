//! One firm's premium: expected loss by line → risk load → reinsurance cost → gross-up for
//! expenses, commission and profit (minimum premium, rounding) → subsidies.

use super::differentiation::Factors;
use super::subsidy::SubsidyBasis;
use super::{CoverQuote, LineLoss, Quote, QuoteConfig, RiskLoad, SubsidyRule};
use crate::assumptions::Underwritten;
use crate::book::Firm;
use crate::error::Result;
use crate::portfolio::{PolicyResult, Portfolio, PortfolioConfig, PortfolioRun};
use crate::pricing::LossDistribution;
use crate::simulation::SimulatedLosses;
use std::collections::{BTreeMap, HashMap};

/// What every firm's premium is computed from.
pub(super) struct Pricer<'a> {
    book: &'a Portfolio,
    pconfig: &'a PortfolioConfig,
    run: &'a PortfolioRun,
    config: &'a QuoteConfig,
    subsidies: &'a [SubsidyRule],
    /// Reinsurer's margin on the aggregate tower, shared by co-TVaR.
    ri_margin: f64,
    /// Σ co-TVaR over policies.
    tail_total: f64,
    /// The line the rating plan applies to (none: every line).
    plan_line: Option<&'a str>,
    /// Per line, the multiplier that sets its level.
    multipliers: &'a BTreeMap<String, f64>,
}

impl<'a> Pricer<'a> {
    pub(super) fn new(
        book: &'a Portfolio,
        pconfig: &'a PortfolioConfig,
        run: &'a PortfolioRun,
        config: &'a QuoteConfig,
        subsidies: &'a [SubsidyRule],
        ri_margin: f64,
        multipliers: &'a BTreeMap<String, f64>,
    ) -> Self {
        Self {
            book,
            pconfig,
            run,
            config,
            subsidies,
            ri_margin,
            tail_total: run.policies.iter().map(|p| p.allocated_tvar).sum(),
            plan_line: config.rating.as_ref().and_then(|r| r.line.as_deref()),
            multipliers,
        }
    }

    /// One quote per firm, in book order; per-firm-year subsidy caps run across the book.
    pub(super) fn quotes(
        &self,
        firms: &[Firm],
        underwritten: &[Underwritten],
        factors: &Factors,
    ) -> Result<Vec<Quote>> {
        let mut used: HashMap<(String, String), f64> = HashMap::new();
        // Standalone risk loads: the principle's margin H[X] − E[X] over each firm's own
        // sample (its own streams: a cost of its own events), firms in parallel.
        let own = match self.config.risk_load {
            RiskLoad::AllocatedCapital => Vec::new(),
            RiskLoad::Standalone { principle } => {
                let threads = self.pconfig.simulation.threads;
                crate::simulation::map_indices(firms.len(), threads, &|i| {
                    let own = self.book.standalone_losses_at(i, self.pconfig, self.run)?;
                    let dist = SimulatedLosses::from_values(&own, 16_384, Some(1)).to_discrete()?;
                    Ok(principle.premium(&dist)? - dist.mean()?)
                })?
                .into_iter()
                .collect::<Result<Vec<f64>>>()?
            }
        };
        firms
            .iter()
            .zip(underwritten)
            .zip(&self.run.policies)
            .zip(factors)
            .enumerate()
            .map(|(i, (((firm, u), result), f))| {
                self.quote((i, firm, u), result, f, own.get(i).copied(), &mut used)
            })
            .collect()
    }

    /// Standard errors of a quote with rating factor `f` (see [`super::QuoteErrors`]).
    fn errors(&self, f: f64, result: &PolicyResult) -> super::QuoteErrors {
        let (m, c) = (result.mean_std_error, result.allocated_tvar_std_error);
        let coc = match self.config.risk_load {
            RiskLoad::AllocatedCapital => self.config.loadings.cost_of_capital,
            RiskLoad::Standalone { .. } => 0.0,
        };
        super::QuoteErrors {
            expected_loss: f * m,
            capital: f * (c + m),
            premium: f * ((1.0 - coc).abs() * m + coc * c) / (1.0 - self.config.loadings.ratios()),
        }
    }

    /// The factor on the model mean of `line`: the plan's (`plan`: rating × experience)
    /// where it applies, times the line's level multiplier.
    fn line_factor(&self, line: &str, plan: f64) -> f64 {
        let plan = if self.plan_line.is_none_or(|p| p == line) {
            plan
        } else {
            1.0
        };
        plan * self.multipliers.get(line).copied().unwrap_or(1.0)
    }

    /// Each cover of policy `i`: its line's factor on the model mean, capped at the most the
    /// cover can pay (premium and rate on line set later).
    fn cover_quotes(
        &self,
        i: usize,
        firm: &Firm,
        u: &Underwritten,
        result: &PolicyResult,
        factor: &dyn Fn(&str) -> f64,
    ) -> Vec<CoverQuote> {
        let perils = &self.book.policies()[i].perils;
        (firm.covers.iter().zip(&u.lines))
            .zip(perils.iter().zip(&result.peril_means))
            .map(|((c, line), (peril, &m))| {
                let f = factor(line);
                let most = peril.maximum_payment();
                let once = peril.occurrence_limit();
                CoverQuote {
                    product: c.product.clone(),
                    line: line.clone(),
                    model_expected_loss: m,
                    factor: f,
                    expected_loss: (f * m).min(most),
                    maximum_payment: most.is_finite().then_some(most),
                    capped: f * m > most,
                    occurrence_limit: once.is_finite().then_some(once),
                    premium: 0.0,
                    rate_on_line: None,
                    term_years: peril.term().0,
                    annual_equivalent: None,
                    flag: None,
                }
            })
            .collect()
    }

    fn quote(
        &self,
        (i, firm, u): (usize, &Firm, &Underwritten),
        result: &PolicyResult,
        (relativities, rating_factor, experience): &(Vec<super::AppliedRelativity>, f64, f64),
        // The standalone principle's margin over the firm's own mean, when priced so.
        standalone: Option<f64>,
        used: &mut HashMap<(String, String), f64>,
    ) -> Result<Quote> {
        let config = self.config;
        // 1. Expected loss by cover: the line's factor on the model mean, capped at the most
        // the cover can pay.
        let factor = |line: &str| self.line_factor(line, rating_factor * experience);
        let perils = &self.book.policies()[i].perils;
        let mut covers = self.cover_quotes(i, firm, u, result, &factor);
        let systemic = (result.shock_mean > 0.0).then(|| factor("systemic") * result.shock_mean);
        let lines = line_losses(&covers, systemic);
        let expected_loss: f64 = lines.iter().map(|l| l.expected_loss).sum();
        // The firm's factor on its model mean, for what is simulated as a whole: its lines'
        // common factor, or the ratio of rated to model expected loss when they differ.
        let mut all = (covers.iter().filter(|c| !c.capped).map(|c| c.factor))
            .chain((result.shock_mean > 0.0).then(|| factor("systemic")));
        let first = all.next().unwrap_or(rating_factor * experience);
        let common = all.all(|x| x == first) && !covers.iter().any(|c| c.capped);
        let f = if common || result.mean <= 0.0 {
            first
        } else {
            expected_loss / result.mean
        };
        // 2. Risk load.
        let capital = f * (result.allocated_tvar - result.mean).max(0.0);
        let risk_load = match standalone {
            None => config.loadings.cost_of_capital * capital,
            Some(margin) => f * margin.max(0.0),
        };
        // 3. Reinsurance cost: aggregate margin by co-TVaR share, per-risk by own recoveries.
        let aggregate_share = if self.tail_total > 0.0 {
            self.ri_margin * result.allocated_tvar / self.tail_total
        } else {
            0.0
        };
        let loading = config.reinsurance.as_ref().map_or(0.0, |r| r.loading);
        let reinsurance_cost = aggregate_share + loading * result.per_risk_ceded;
        // 4. Gross-up.
        let gross = config
            .loadings
            .gross(expected_loss + risk_load + reinsurance_cost);
        let premium = gross.premium();
        // The premium by cover and line in proportion to expected loss.
        let weight = |el: f64| {
            if expected_loss > 0.0 {
                el / expected_loss
            } else {
                0.0
            }
        };
        for (c, peril) in covers.iter_mut().zip(perils) {
            price_cover(
                c,
                premium * weight(c.expected_loss),
                peril.term(),
                gross.minimum_adjustment > 0.0,
            );
        }
        // 5. Subsidies.
        let line_premiums: Vec<(String, f64)> = lines
            .iter()
            .map(|l| (l.line.clone(), premium * weight(l.expected_loss)))
            .collect();
        let cover_premiums: Vec<(String, f64, Option<f64>)> = (covers.iter())
            .zip(&firm.covers)
            .map(|(q, c)| (q.product.clone(), q.premium, c.exposure))
            .collect();
        let basis = SubsidyBasis {
            premium,
            score: firm.score,
            line_premiums: &line_premiums,
            covers: &cover_premiums,
        };
        let (subsidies, subsidy) = self.subsidies(&firm.id, &basis, used)?;
        Ok(Quote {
            firm: firm.id.clone(),
            sector: firm.sector.clone(),
            score_tier: u.score.tier(),
            lines,
            covers,
            relativities: relativities.clone(),
            risk_reduction_credit: f * u.risk_reduction_credit,
            model_expected_loss: result.mean,
            rating_factor: *rating_factor,
            experience_factor: *experience,
            expected_loss,
            capital,
            risk_load,
            reinsurance_cost,
            expense: gross.expense,
            commission: gross.commission,
            profit: gross.profit,
            minimum_premium_adjustment: gross.minimum_adjustment,
            rounding_adjustment: gross.rounding_adjustment,
            premium,
            subsidies,
            subsidy,
            firm_pays: premium - subsidy,
            standard_errors: self.errors(f, result),
            inputs_digest: String::new(),
        })
    }

    /// The subsidy of each rule and the total, stacked in the rules' order: each rule's
    /// amount on its own basis within its caps (per policy, per firm-year across the book),
    /// then cut to what is left under the firm's cap, `max_share` × premium (the later
    /// rules give way first).
    fn subsidies(
        &self,
        firm: &str,
        basis: &SubsidyBasis,
        used: &mut HashMap<(String, String), f64>,
    ) -> Result<(Vec<(String, f64)>, f64)> {
        let cap = self.config.subsidy_max_share * basis.premium;
        let mut total = 0.0;
        let mut out = Vec::with_capacity(self.subsidies.len());
        for rule in self.subsidies {
            let mut amount = rule.amount(basis)?.min((cap - total).max(0.0));
            // The per-firm-year cap holds across all rules of the same kind.
            if let Some(year_cap) = rule.firm_cap() {
                let so_far = used.entry((firm.to_owned(), rule.name())).or_insert(0.0);
                amount = amount.min((year_cap - *so_far).max(0.0));
                *so_far += amount;
            }
            total += amount;
            out.push((rule.name(), amount));
        }
        Ok((out, total))
    }
}

/// Sets a cover's `premium`, its annual equivalent over a `term` of several years (years,
/// discount rate) and its rate on line, flagged with its reason above 1 (`minimum`: the
/// minimum premium applied).
fn price_cover(c: &mut CoverQuote, premium: f64, (n, rate): (usize, f64), minimum: bool) {
    c.premium = premium;
    if n > 1 {
        let v = 1.0 / (1.0 + rate);
        let annuity: f64 = (0..n).map(|j| v.powi(j as i32)).sum();
        c.annual_equivalent = Some(c.premium / annuity);
    }
    c.rate_on_line = c
        .occurrence_limit
        .filter(|&l| l > 0.0)
        .map(|l| c.premium / l);
    if c.rate_on_line.is_some_and(|r| r > 1.0) {
        c.flag = Some(rate_on_line_reason(c, minimum));
    }
}

/// Why a cover's premium is above its limit × share.
fn rate_on_line_reason(c: &CoverQuote, minimum: bool) -> String {
    let limit = c.occurrence_limit.unwrap_or(f64::INFINITY);
    let el = c.expected_loss / limit;
    if minimum {
        "the minimum premium".into()
    } else if el >= 0.5 {
        format!(
            "expected loss {:.0}% of the limit × share: the cover is expected to pay its limit \
             about every {:.1} years; decline, raise the deductible or cut the limit",
            100.0 * el,
            1.0 / el
        )
    } else {
        format!(
            "risk load, reinsurance and expenses on an expected loss of {:.0}% of the limit × share",
            100.0 * el
        )
    }
}

/// The expected loss by line (covers in order, lines by first appearance), then the rated
/// systemic expected loss, if any.
fn line_losses(covers: &[CoverQuote], systemic: Option<f64>) -> Vec<LineLoss> {
    let mut lines: Vec<LineLoss> = Vec::new();
    for c in covers {
        match lines.iter_mut().find(|l| l.line == c.line) {
            Some(l) => l.expected_loss += c.expected_loss,
            None => lines.push(LineLoss {
                line: c.line.clone(),
                expected_loss: c.expected_loss,
            }),
        }
    }
    if let Some(expected_loss) = systemic {
        lines.push(LineLoss {
            line: "systemic".into(),
            expected_loss,
        });
    }
    lines
}
