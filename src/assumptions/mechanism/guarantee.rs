//! Guaranteed loans: a `guarantees` product, the exposure as the loan, the default
//! probability the cover's own or the product's table by tier and sector, the claim terms'
//! share as the insurer's share of the shortfall.

use super::Context;
use crate::assumptions::{AssumptionSet, Check, Product};
use crate::error::{Error, Result};
use crate::perils::PerilModel;

pub(super) fn check(c: &mut Check, at: &str, set: &AssumptionSet, product: &str) {
    c.rule(
        &format!("{at}.product"),
        set.guarantees.iter().any(|g| g.name == product),
        &format!("unknown guarantee product `{product}` (not in `guarantees`)"),
    );
}

pub(super) fn peril(name: &str, product: &Product, x: &Context) -> Result<PerilModel> {
    let g = x
        .set
        .guarantees
        .iter()
        .find(|g| g.name == name)
        .ok_or_else(|| Error::Unknown {
            model: "Product",
            kind: "guarantee product",
            name: name.to_owned(),
            context: String::new(),
        })?;
    let pd = x
        .cover
        .default_probability
        .or_else(|| g.default_probability(x.tier, &x.firm.sector))
        .ok_or_else(|| Error::Inconsistent {
            model: "Cover",
            message: format!(
                "`default_probability`: product `{}` has no default-probability table: give \
                 the loan's own",
                product.name
            ),
        })?;
    let m = x.modifier;
    let loan = x.cover.exposure.unwrap_or(0.0);
    crate::numerics::validate::positive("Cover", "exposure (the loan)", loan)?;
    let mut guarantee = g.guarantee(loan, (pd * m.frequency).min(1.0), x.terms.claim.share())?;
    guarantee.loss_given_default = (guarantee.loss_given_default * m.severity).min(1.0);
    // With collateral the loss is the shortfall: a severity load is a haircut on the
    // collateral's value (÷ severity).
    if let Some(crate::severity::SeverityModel::LogNormal(c)) = &guarantee.collateral
        && m.severity != 1.0
    {
        let haircut = crate::severity::LogNormal::new(c.mu() - m.severity.ln(), c.sigma())?;
        guarantee.collateral = Some(crate::severity::SeverityModel::LogNormal(haircut));
    }
    guarantee.tenor = match x.cover.term.unwrap_or_default() {
        crate::coverage::Term::Years(y) => y,
        crate::coverage::Term::Project => {
            return Err(Error::Inconsistent {
                model: "Cover",
                message: "`term`: a guarantee runs for the loan's tenor in years, not \"project\""
                    .into(),
            });
        }
    };
    guarantee.discount_rate = x.set.discount_rate;
    guarantee.validate()?;
    Ok(PerilModel::Guarantee(guarantee))
}
