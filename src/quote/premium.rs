//! One firm's premium: expected loss by line → risk load → reinsurance cost → gross-up for
//! expenses, commission and profit (minimum premium, rounding) → subsidies.

use super::differentiation::Factors;
use super::subsidy::SubsidyBasis;
use super::{LineLoss, Quote, QuoteConfig, RiskLoad, SubsidyRule};
use crate::assumptions::Underwritten;
use crate::book::Firm;
use crate::error::Result;
use crate::portfolio::{PolicyResult, Portfolio, PortfolioConfig, PortfolioRun};
use crate::pricing::LossDistribution;
use crate::simulation::SimulatedLosses;
use std::collections::HashMap;

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
}

impl<'a> Pricer<'a> {
    pub(super) fn new(
        book: &'a Portfolio,
        pconfig: &'a PortfolioConfig,
        run: &'a PortfolioRun,
        config: &'a QuoteConfig,
        subsidies: &'a [SubsidyRule],
        ri_margin: f64,
    ) -> Self {
        Self {
            book,
            pconfig,
            run,
            config,
            subsidies,
            ri_margin,
            tail_total: run.policies.iter().map(|p| p.allocated_tvar).sum(),
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
                self.quote(firm, u, result, f, own.get(i).copied(), &mut used)
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

    fn quote(
        &self,
        firm: &Firm,
        u: &Underwritten,
        result: &PolicyResult,
        (relativities, rating_factor, experience): &(Vec<super::AppliedRelativity>, f64, f64),
        // The standalone principle's margin over the firm's own mean, when priced so.
        standalone: Option<f64>,
        used: &mut HashMap<(String, String), f64>,
    ) -> Result<Quote> {
        let config = self.config;
        let f = rating_factor * experience;
        // 1. Expected loss by line.
        let mut lines: Vec<LineLoss> = u
            .lines
            .iter()
            .zip(&result.peril_means)
            .map(|(l, m)| LineLoss {
                line: l.clone(),
                expected_loss: f * m,
            })
            .collect();
        if result.shock_mean > 0.0 {
            lines.push(LineLoss {
                line: "systemic".into(),
                expected_loss: f * result.shock_mean,
            });
        }
        let expected_loss: f64 = lines.iter().map(|l| l.expected_loss).sum();
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
        let (technical, expense, commission, profit, min_adj, round_adj) = config
            .loadings
            .gross(expected_loss + risk_load + reinsurance_cost);
        let premium = technical + min_adj + round_adj;
        // 5. Subsidies.
        let line_premiums: Vec<(String, f64)> = lines
            .iter()
            .map(|l| {
                let w = if expected_loss > 0.0 {
                    l.expected_loss / expected_loss
                } else {
                    0.0
                };
                (l.line.clone(), premium * w)
            })
            .collect();
        let covers: Vec<(String, f64, Option<f64>)> = (firm.covers.iter())
            .zip(&result.peril_means)
            .map(|(c, m)| {
                let w = if expected_loss > 0.0 {
                    f * m / expected_loss
                } else {
                    0.0
                };
                (c.product.clone(), premium * w, c.exposure)
            })
            .collect();
        let basis = SubsidyBasis {
            premium,
            score: firm.score,
            line_premiums: &line_premiums,
            covers: &covers,
        };
        let mut subsidies = Vec::new();
        for rule in self.subsidies {
            let mut amount = rule.amount(&basis)?;
            // The per-firm-year cap holds across all rules of the same kind.
            if let Some(cap) = rule.firm_cap() {
                let so_far = used.entry((firm.id.clone(), rule.name())).or_insert(0.0);
                amount = amount.min((cap - *so_far).max(0.0));
                *so_far += amount;
            }
            subsidies.push((rule.name(), amount));
        }
        let subsidy = subsidies.iter().map(|(_, a)| a).sum::<f64>().min(premium);
        Ok(Quote {
            firm: firm.id.clone(),
            sector: firm.sector.clone(),
            score_tier: u.score.tier(),
            lines,
            relativities: relativities.clone(),
            risk_reduction_credit: f * u.risk_reduction_credit,
            model_expected_loss: result.mean,
            rating_factor: *rating_factor,
            experience_factor: *experience,
            expected_loss,
            capital,
            risk_load,
            reinsurance_cost,
            expense,
            commission,
            profit,
            minimum_premium_adjustment: min_adj,
            rounding_adjustment: round_adj,
            premium,
            subsidies,
            subsidy,
            firm_pays: premium - subsidy,
            standard_errors: self.errors(f, result),
            inputs_digest: String::new(),
        })
    }
}
