//! Stage-gate R&D failure: the cover's project type from `rnd.projects`, the cover's claim
//! terms on the failure payment.

use super::Context;
use crate::assumptions::Modifier;
use crate::assumptions::{AssumptionSet, Check};
use crate::error::{Error, Result};
use crate::perils::{PerilModel, RndProject};

pub(super) fn check(c: &mut Check, at: &str, set: &AssumptionSet) {
    c.rule(
        &format!("{at}.mechanism"),
        !set.rnd.projects.is_empty(),
        "the stage_gate mechanism needs at least one project type in `rnd.projects`",
    );
}

pub(super) fn peril(x: &Context) -> Result<PerilModel> {
    let projects = &x.set.rnd.projects;
    let name = x
        .cover
        .project
        .as_deref()
        .ok_or_else(|| Error::Inconsistent {
            model: "Cover",
            message: format!(
                "`project` is missing: name the R&D project type (known: {})",
                known(projects.iter().map(|p| p.name.as_str()))
            ),
        })?;
    let project = projects
        .iter()
        .find(|p| p.name == name)
        .ok_or_else(|| Error::Inconsistent {
            model: "Cover",
            message: format!(
                "`project`: unknown R&D project type `{name}` (known: {})",
                known(projects.iter().map(|p| p.name.as_str()))
            ),
        })?;
    let mut spec = project.project.clone();
    // A load: each stage's failure probability × frequency (at most 1), its cost × severity.
    for stage in spec
        .stages
        .iter_mut()
        .filter(|_| x.modifier != Modifier::NONE)
    {
        let fail = ((1.0 - stage.success_probability) * x.modifier.frequency).min(1.0);
        stage.success_probability = 1.0 - fail;
        stage.cost *= x.modifier.severity;
    }
    spec.terms = x.terms.claim;
    spec.stage.clone_from(&x.cover.stage);
    spec.years_in_stage = x.cover.years_in_stage.unwrap_or(0.0);
    spec.term = x.cover.term.unwrap_or_default();
    spec.discount_rate = x.set.discount_rate;
    Ok(PerilModel::RndFailure(RndProject::new(spec)?))
}

fn known<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names.collect::<Vec<_>>().join(", ")
}
