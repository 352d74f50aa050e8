//! The crate's error type. Every constructor and loader returns [`Result`]; the error says which
//! model, which parameter, which value and which rule was broken.

/// Result alias used throughout kexian.
pub type Result<T> = std::result::Result<T, Error>;

/// Settings that are checked after they are read: every configuration type implements it,
/// and [`crate::io::read_config`] reads a file and validates it in one step, so a
/// configuration from a file is never used unchecked.
pub trait Validate {
    /// Checks every rule the type's fields must obey.
    fn validate(&self) -> Result<()>;
}

/// Everything that can go wrong when building or using a kexian model.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A scalar parameter broke a rule (e.g. `sigma` must be finite and > 0).
    #[error("{model}: parameter `{parameter}` = {} is invalid: must be {rule}", shown(*value))]
    InvalidParameter {
        /// Model or routine that rejected the value.
        model: &'static str,
        /// Parameter name as it appears in the constructor and in JSON.
        parameter: &'static str,
        /// The offending value.
        value: f64,
        /// The rule, phrased to follow "must be".
        rule: &'static str,
    },
    /// One element of a list parameter broke a rule.
    #[error("{model}: `{parameter}[{index}]` = {} is invalid: must be {rule}", shown(*value))]
    InvalidElement {
        /// Model or routine that rejected the value.
        model: &'static str,
        /// Name of the list parameter.
        parameter: &'static str,
        /// Zero-based position in the list.
        index: usize,
        /// The offending value.
        value: f64,
        /// The rule, phrased to follow "must be".
        rule: &'static str,
    },
    /// A list parameter that needs at least one element was empty.
    #[error("{model}: `{parameter}` must not be empty")]
    Empty {
        /// Model or routine that rejected the input.
        model: &'static str,
        /// Name of the list parameter.
        parameter: &'static str,
    },
    /// Two inputs that must be equally long are not (values and probabilities, counts and
    /// exposures, a design's rows and its weights).
    #[error("{model}: {what} have {} and {} entries, which must be equal", lengths.0, lengths.1)]
    LengthMismatch {
        /// Model or routine that rejected the input.
        model: &'static str,
        /// The two inputs, e.g. "values and probabilities".
        what: String,
        /// Their lengths, in the order `what` names them.
        lengths: (usize, usize),
    },
    /// Too little data for the method: give more, or choose a method that needs less.
    #[error("{model}: {got} {what}, need at least {need}")]
    TooFew {
        /// Model or routine that rejected the input.
        model: &'static str,
        /// What was counted (observations, rows, entities, amounts).
        what: &'static str,
        /// How many there were.
        got: usize,
        /// The least the method needs.
        need: usize,
    },
    /// A name that nothing defines where it is looked up (a policy, a factor's level, a
    /// product, a copula group, a systemic event, a covariate).
    #[error("{model}: no {kind} `{name}`{context}")]
    Unknown {
        /// Model or routine that looked the name up.
        model: &'static str,
        /// What kind of name it is.
        kind: &'static str,
        /// The name.
        name: String,
        /// Where it was used or what is known instead (may be empty; starts with its own
        /// punctuation).
        context: String,
    },
    /// A name given twice where names tell things apart (policy ids, systemic events).
    #[error("{model}: {kind} `{name}` is given twice: names must be unique")]
    Duplicate {
        /// Model or routine that rejected the input.
        model: &'static str,
        /// What kind of name it is.
        kind: &'static str,
        /// The name given twice.
        name: String,
    },
    /// Parameters are individually valid but inconsistent with each other.
    #[error("{model}: {message}")]
    Inconsistent {
        /// Model or routine that rejected the input.
        model: &'static str,
        /// What is inconsistent, with the values involved.
        message: String,
    },
    /// A statistic that does not exist for this model (e.g. the mean of a loss whose severity
    /// has an infinite mean and no limit).
    #[error("{quantity} is infinite: {reason}")]
    InfiniteMoment {
        /// The statistic asked for.
        quantity: &'static str,
        /// Why it is infinite.
        reason: String,
    },
    /// A bad cell, row or header in tabular input (CSV), located by line and column.
    #[error("{source_name}, line {line}, column `{column}`: {message}")]
    Data {
        /// Where the table came from (file name or a description).
        source_name: String,
        /// One-based line number in the file (1 is the header).
        line: u64,
        /// Column name (empty when the whole row is at fault).
        column: String,
        /// What is wrong, with the offending text.
        message: String,
    },
    /// Several bad rows of one table, each located by line (nothing was skipped: the whole
    /// input is refused).
    #[error("{source_name}: {} bad row(s):\n{}", errors.len(), errors.join("\n"))]
    Rows {
        /// Where the table came from.
        source_name: String,
        /// One message per problem, each starting with its line.
        errors: Vec<String>,
    },
    /// A JSON document that does not parse or has the wrong shape.
    #[error("{source_name}, line {line}, column {column}: {message}")]
    Json {
        /// The file or description.
        source_name: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A field of a configuration or assumption file breaks a rule (`field` is its path, e.g.
    /// `cyber.frequency.sector_multiplier` or `policies[3].score`).
    #[error("{source_name}, field `{field}`: {message}")]
    Field {
        /// The file or description.
        source_name: String,
        /// Path of the field.
        field: String,
        /// The rule broken, with the value.
        message: String,
    },
    /// An invalid value read from a file: the file, and what is wrong (model, parameter, rule).
    #[error("{source_name}: {error}")]
    InFile {
        /// The file.
        source_name: String,
        /// The problem.
        error: Box<Error>,
    },
    /// A shard's part the merge cannot use: from another run, overlapping another part, not
    /// fitting the run, or holding more of the run's tail than it replayed. `range` is the
    /// part's own ([`SimulationPart::batches`](crate::aggregate::SimulationPart::batches),
    /// [`PortfolioPart::blocks`](crate::portfolio::PortfolioPart::blocks)), so a caller
    /// holding the parts can say which file or object it was ([`Error::in_part`]).
    #[error("merge: the part for {unit} {}..{} {reason}", range.start, range.end)]
    Part {
        /// What the range counts (`batches`, `blocks`).
        unit: &'static str,
        /// The part's range.
        range: std::ops::Range<u64>,
        /// What is wrong with it.
        reason: String,
    },
    /// An estimation that did not converge (a fit, IRLS, a dispersion): no model is
    /// returned; another family, start or more data may converge.
    #[error("{model}: {reason}; no model is returned")]
    NotConverged {
        /// The estimator.
        model: &'static str,
        /// What failed, with the last values.
        reason: String,
    },
    /// Data that cannot identify a model's parameters (too few distinct or uncensored
    /// values, an aliased design, a level or base without claims, no over-dispersion):
    /// change the data or the model.
    #[error("{model}: {reason}")]
    NotIdentified {
        /// The estimator.
        model: &'static str,
        /// Why, and what to change.
        reason: String,
    },
    /// A call whose estimated memory or time exceeds the budget ([`crate::budget`]),
    /// refused before it starts.
    #[error(
        "{what} needs about {}, above the {resource} budget of {}: {remedy} \
         (or raise the budget: --memory-limit / --time-limit, kexian.set_budget)",
        resource.show(*estimate),
        resource.show(*limit)
    )]
    OverBudget {
        /// The call.
        what: &'static str,
        /// Memory or time.
        resource: crate::budget::Resource,
        /// Its estimate (bytes or seconds).
        estimate: f64,
        /// The limit (bytes or seconds).
        limit: f64,
        /// What to change.
        remedy: String,
    },
    /// A long run stopped by its observer.
    #[error("cancelled during {stage}")]
    Cancelled {
        /// What was being done.
        stage: &'static str,
    },
    /// A file that could not be read or written, named by its path.
    #[error("{path}: {message}")]
    Io {
        /// The file's path.
        path: String,
        /// The operating system's message.
        message: String,
    },
    /// A statistic of an exact (grid) distribution that needs probability lying beyond the
    /// grid's end.
    #[error(
        "{quantity} at {at} needs the probability beyond the grid end (located: {located}); \
         lengthen the grid: more points, or a higher tail level in recommended_grid"
    )]
    BeyondGrid {
        /// The statistic asked for.
        quantity: &'static str,
        /// The level asked for, or the mass beyond the grid.
        at: f64,
        /// Probability located on the grid.
        located: f64,
    },
    /// A statistic that needs simulated losses the run did not keep.
    #[error(
        "{quantity} at {at} needs losses below the retained tail (kept: levels >= {min_level}); \
             rerun with a lower tail retention level or Retention::All"
    )]
    NotRetained {
        /// The statistic asked for.
        quantity: &'static str,
        /// The level or amount asked for.
        at: f64,
        /// Lowest level the run kept.
        min_level: f64,
    },
}

impl Error {
    /// A [`Error::Part`] named after its input: `names` gives each part's range and its name
    /// (a file, `parts[2]`); the error becomes [`Error::InFile`] of that name. Any other error
    /// is returned as it is.
    ///
    /// ```
    /// use kexian::Error;
    /// let e = Error::Part { unit: "blocks", range: 4..8, reason: "overlaps another".into() };
    /// let names = [(0..4, "p1/shard.cbor".to_owned()), (4..8, "p2/shard.cbor".to_owned())];
    /// assert!(e.in_part(&names).to_string().starts_with("p2/shard.cbor: merge: the part for"));
    /// ```
    pub fn in_part(self, names: &[(std::ops::Range<u64>, String)]) -> Self {
        match &self {
            Self::Part { range, .. } => match names.iter().find(|(r, _)| r == range) {
                Some((_, name)) => Self::InFile {
                    source_name: name.clone(),
                    error: Box::new(self),
                },
                None => self,
            },
            _ => self,
        }
    }
}

/// A value as a reader types it: plain decimals in [10⁻⁴, 10¹⁶), scientific notation outside
/// (so 10³⁰⁸ is `1e308`, not 309 digits).
fn shown(v: f64) -> String {
    if v == 0.0 || !v.is_finite() || (1e-4..1e16).contains(&v.abs()) {
        v.to_string()
    } else {
        format!("{v:e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_written_as_a_reader_types_them() {
        let shown = |value: f64| {
            let e = Error::InvalidParameter {
                model: "m",
                parameter: "p",
                value,
                rule: "r",
            };
            let text = e.to_string();
            text["m: parameter `p` = ".len()..text.len() - " is invalid: must be r".len()]
                .to_owned()
        };
        for (v, text) in [
            (1e308, "1e308"),
            (-2.5e-300, "-2.5e-300"),
            (2.5, "2.5"),
            (1e15, "1000000000000000"),
            (0.0, "0"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-inf"),
        ] {
            assert_eq!(shown(v), text);
        }
    }
}
