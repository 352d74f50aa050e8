//! Cyber incidents under `cyber`: the cover's terms by section.

use super::Context;
use crate::error::Result;
use crate::perils::{CyberSections, PerilModel};

/// The sections a cyber cover's terms may name.
pub(super) const SECTIONS: [&str; 3] = ["first_party", "business_interruption", "liability"];

pub(super) fn peril(x: &Context) -> Result<PerilModel> {
    let t = x.terms;
    let sections = CyberSections {
        first_party: t.section(SECTIONS[0]),
        business_interruption: t.section(SECTIONS[1]),
        liability: t.section(SECTIONS[2]),
    };
    let f = x.firm;
    Ok(PerilModel::Cyber(x.set.cyber.risk(
        &f.size,
        &f.sector,
        sections,
        f.overrides.cyber_frequency,
        x.modifier,
    )?))
}
