//! Patent litigation: suits by sector, size and patents under `ip`, the exposure as the
//! amount at risk, the cover's claim terms on each suit.

use super::Context;
use crate::error::Result;
use crate::perils::{LitigationKind, PerilModel};

pub(super) fn peril(kind: LitigationKind, x: &Context) -> Result<PerilModel> {
    let f = x.firm;
    Ok(PerilModel::PatentLitigation(x.set.ip.litigation(
        kind,
        f.patents,
        x.cover.exposure.unwrap_or(0.0),
        &f.sector,
        &f.size,
        f.overrides.patent_suits_per_year,
        x.terms.claim,
        x.modifier,
    )?))
}
