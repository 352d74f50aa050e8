//! A firm under the assumption set: its policy (perils with the firm's terms, overrides and
//! risk-reduction measures), the line of each peril and the credit of its measures.

use super::mechanism::Context;
use super::{Assumptions, Modifier, RiskReduction};
use crate::book::Firm;
use crate::coverage::ClaimTerms;
use crate::error::Result;
use crate::perils::{Peril, PerilModel};
use crate::portfolio::Policy;
use crate::rating::InnovationScore;
use std::collections::BTreeMap;

/// A firm's perils (one per cover, in order), their lines, and the systemic events that hit
/// it with the terms a hit is paid under (the first cover whose product lists the event).
type Perils = (Vec<PerilModel>, Vec<String>, BTreeMap<String, ClaimTerms>);

/// A firm's policy as the assumption set prices it.
#[derive(Debug, Clone, PartialEq)]
pub struct Underwritten {
    /// The policy (one peril per cover, in the firm's order).
    pub policy: Policy,
    /// Line of each peril (its product's).
    pub lines: Vec<String>,
    /// The firm's score on the set's scale.
    pub score: InnovationScore,
    /// Expected annual payment (元) the firm's risk-reduction measures avoid: Σ over its
    /// perils of E\[payment\] without the measures − E\[payment\] with them (closed forms).
    pub risk_reduction_credit: f64,
}

impl Assumptions {
    /// Underwrites every firm of a book; every problem of every firm (and repeated ids) is
    /// reported together in one [`crate::Error::Rows`], nothing is skipped.
    pub fn underwrite_book(&self, firms: &[Firm]) -> Result<Vec<Underwritten>> {
        let mut problems = crate::book::book_problems(firms);
        let mut out = Vec::with_capacity(firms.len());
        for f in firms {
            match self.underwrite(f) {
                Ok(u) => out.push(u),
                Err(e) => problems.push(e.to_string()),
            }
        }
        if problems.is_empty() {
            Ok(out)
        } else {
            Err(crate::Error::Rows {
                source_name: "book".into(),
                errors: problems,
            })
        }
    }

    /// Builds `firm`'s policy. Errors name the firm's origin and field: unknown sector, size,
    /// project type, guarantee product or measure (with the known ones), a score off the
    /// scale, a guarantee without a default probability when the product tables none, an
    /// invalid override.
    ///
    /// ```
    /// use kexian::assumptions::Assumptions;
    /// use kexian::book::{Cover, Firm};
    /// use kexian::rating::Stage;
    /// let a = Assumptions::bundled()?;
    /// let mut firm = Firm::new("F1", "ai", "small", Stage::Growth, 655.0);
    /// firm.covers.push(Cover::of("cyber"));
    /// firm.measures = vec!["security_monitoring".into()];
    /// let u = a.underwrite(&firm)?;
    /// assert_eq!(u.lines, ["cyber"]);
    /// assert_eq!(u.score.tier(), 4);
    /// assert!(u.risk_reduction_credit > 0.0);
    /// # Ok::<(), kexian::Error>(())
    /// ```
    pub fn underwrite(&self, firm: &Firm) -> Result<Underwritten> {
        firm.validate()?;
        let located = |field: &str, r: Result<()>| r.map_err(|e| firm.error(field, &e.to_string()));
        located("sector", self.sector(&firm.sector))?;
        located("size", self.size(&firm.size))?;
        let score = firm.innovation_score(self.scale())?;
        let measures = firm
            .measures
            .iter()
            .enumerate()
            .map(|(k, name)| {
                let all = &self.set.risk_reduction;
                all.iter().find(|m| &m.name == name).ok_or_else(|| {
                    let e = self.unknown(
                        "risk_reduction",
                        "measure",
                        name,
                        all.iter().map(|m| &m.name),
                    );
                    firm.error(&format!("measures[{k}]"), &e.to_string())
                })
            })
            .collect::<Result<Vec<&RiskReduction>>>()?;
        let (perils, lines, shocks) = self.perils(firm, score.tier(), &measures)?;
        let risk_reduction_credit = if measures.is_empty() {
            0.0
        } else {
            let (plain, _, _) = self.perils(firm, score.tier(), &[])?;
            let mean =
                |ps: &[PerilModel]| -> Result<f64> { ps.iter().map(Peril::expected_payment).sum() };
            (mean(&plain)? - mean(&perils)?).max(0.0)
        };
        Ok(Underwritten {
            policy: Policy {
                id: firm.id.clone(),
                sector: firm.sector.clone(),
                group: None,
                perils,
                shocks: Some(shocks),
            },
            lines,
            score,
            risk_reduction_credit,
        })
    }

    /// The book as a portfolio under this set: every firm underwritten (problems reported
    /// together), the set's systemic events and dependence, and `per_risk_xol` on each policy.
    pub fn portfolio(
        &self,
        firms: &[Firm],
        per_risk_xol: Vec<crate::coverage::Layer>,
    ) -> Result<(Vec<Underwritten>, crate::portfolio::Portfolio)> {
        let underwritten = self.underwrite_book(firms)?;
        let book = crate::portfolio::Portfolio::new(crate::portfolio::PortfolioSpec {
            policies: underwritten.iter().map(|u| u.policy.clone()).collect(),
            shocks: self.shocks().to_vec(),
            dependence: self.dependence().cloned(),
            per_risk_xol,
        })?;
        Ok((underwritten, book))
    }

    fn perils(&self, firm: &Firm, tier: usize, measures: &[&RiskReduction]) -> Result<Perils> {
        let mut shocks = BTreeMap::new();
        let mut perils = Vec::with_capacity(firm.covers.len());
        let mut lines = Vec::with_capacity(firm.covers.len());
        for (k, cover) in firm.covers.iter().enumerate() {
            let at = |f: &str| format!("covers[{k}].{f}");
            let located = |f: &str, e: crate::Error| firm.error(&at(f), &e.to_string());
            let product = self
                .product(&cover.product)
                .map_err(|e| located("product", e))?;
            let terms = product.terms(cover.terms.as_ref());
            product
                .check_terms(terms)
                .map_err(|e| firm.error(&at("terms"), &e))?;
            match (&product.exposure, cover.exposure) {
                (Some(basis), None) => {
                    return Err(firm.error(
                        &at("exposure"),
                        &format!(
                            "product `{}` is rated on its exposure ({basis}): give it",
                            product.name
                        ),
                    ));
                }
                (None, Some(_)) => {
                    return Err(firm.error(
                        &at("exposure"),
                        &format!("product `{}` is not rated on an exposure", product.name),
                    ));
                }
                _ => {}
            }
            let (term, stage) = product.model.takes_term();
            if !term
                && cover
                    .term
                    .is_some_and(|t| t != crate::coverage::Term::default())
            {
                return Err(firm.error(
                    &at("term"),
                    &format!("product `{}` is a one-year cover", product.name),
                ));
            }
            if !stage && (cover.stage.is_some() || cover.years_in_stage.is_some()) {
                return Err(firm.error(
                    &at("stage"),
                    &format!("product `{}` covers no R&D project's stages", product.name),
                ));
            }
            let modifier = super::Load::apply(
                &self.set.loads,
                &product.name,
                &firm.sector,
                Modifier::of(
                    measures
                        .iter()
                        .copied()
                        .filter(|m| product.measures.contains(&m.name)),
                ),
            );
            let context = Context {
                set: &self.set,
                firm,
                cover,
                terms,
                tier,
                modifier,
            };
            // The mechanism's message names the cover's field (project, exposure, …).
            let peril = product
                .model
                .peril(product, &context)
                .map_err(|e| firm.error(&format!("covers[{k}]"), &e.to_string()))?;
            perils.push(peril);
            lines.push(product.line.clone());
            let first = product.model.sections().into_iter().next();
            let hit = first.map_or(terms.claim, |name| terms.section(&name));
            for name in &product.shocks {
                shocks.entry(name.clone()).or_insert(hit);
            }
        }
        Ok((perils, lines, shocks))
    }
}
