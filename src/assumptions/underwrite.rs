//! A firm under the assumption set: its policy (perils with the firm's terms, overrides and
//! risk-reduction measures), the line of each peril and the credit of its measures.

use super::{Assumptions, MeasureTarget, Modifier, RiskReduction};
use crate::book::Firm;
use crate::error::Result;
use crate::perils::{CyberSections, Peril, PerilModel};
use crate::portfolio::Policy;
use crate::rating::InnovationScore;

/// A firm's policy as the assumption set prices it.
#[derive(Debug, Clone, PartialEq)]
pub struct Underwritten {
    /// The policy (peril order: R&D, patent litigation, guarantees, cyber).
    pub policy: Policy,
    /// Line of each peril (`rnd`, `ip`, `cyber`, or a guarantee product's line).
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
    /// use kexian::book::{Covers, Firm};
    /// use kexian::rating::Stage;
    /// let a = Assumptions::bundled()?;
    /// let mut firm = Firm::new("F1", "ai", "small", Stage::Growth, 655.0);
    /// firm.covers = Covers { cyber: true, ..Default::default() };
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
        let (perils, lines) = self.perils(firm, score.tier(), &measures)?;
        let risk_reduction_credit = if measures.is_empty() {
            0.0
        } else {
            let (plain, _) = self.perils(firm, score.tier(), &[])?;
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

    fn perils(
        &self,
        firm: &Firm,
        tier: usize,
        measures: &[&RiskReduction],
    ) -> Result<(Vec<PerilModel>, Vec<String>)> {
        let modifier = |t: MeasureTarget| Modifier::of(measures.iter().copied(), t);
        let c = &firm.covers;
        let terms = c.terms;
        let mut perils = Vec::new();
        let mut lines = Vec::new();
        if let Some(name) = &c.rnd {
            let mut spec = self
                .project_type(name)
                .map_err(|e| firm.error("covers.rnd", &e.to_string()))?
                .project
                .clone();
            spec.terms = terms;
            perils.push(PerilModel::RndFailure(crate::perils::RndProject::new(
                spec,
            )?));
            lines.push("rnd".to_owned());
        }
        if let Some(ip) = &c.ip {
            let cover = self
                .set
                .ip
                .litigation(
                    ip.kind,
                    firm.patents,
                    ip.amount_at_risk,
                    &firm.sector,
                    &firm.size,
                    firm.overrides.patent_suits_per_year,
                    terms,
                    modifier(MeasureTarget::PatentLitigation),
                )
                .map_err(|e| firm.error("covers.ip", &e.to_string()))?;
            perils.push(PerilModel::PatentLitigation(cover));
            lines.push("ip".to_owned());
        }
        for (k, g) in c.guarantees.iter().enumerate() {
            let at = format!("covers.guarantees[{k}]");
            let product = self
                .product(&g.product)
                .map_err(|e| firm.error(&at, &e.to_string()))?;
            let pd = g
                .default_probability
                .or_else(|| product.default_probability(tier, &firm.sector))
                .ok_or_else(|| {
                    firm.error(
                        &format!("{at}.default_probability"),
                        &format!(
                            "product `{}` has no default-probability table: give the loan's own",
                            product.name
                        ),
                    )
                })?;
            let m = modifier(MeasureTarget::Guarantee);
            let mut guarantee = product
                .guarantee(g.loan, (pd * m.frequency).min(1.0), terms.share())
                .map_err(|e| firm.error(&at, &e.to_string()))?;
            guarantee.loss_given_default *= m.severity;
            perils.push(PerilModel::Guarantee(guarantee));
            lines.push(product.line.clone());
        }
        if c.cyber {
            let sections = CyberSections {
                first_party: terms,
                business_interruption: terms,
                liability: terms,
            };
            let risk = self
                .set
                .cyber
                .risk(
                    &firm.size,
                    &firm.sector,
                    sections,
                    firm.overrides.cyber_frequency,
                    modifier(MeasureTarget::Cyber),
                )
                .map_err(|e| firm.error("covers.cyber", &e.to_string()))?;
            perils.push(PerilModel::Cyber(risk));
            lines.push("cyber".to_owned());
        }
        Ok((perils, lines))
    }
}
