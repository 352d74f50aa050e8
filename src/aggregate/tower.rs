//! Layer-by-layer accumulation of a reinsurance tower's results.

use crate::coverage::Layer;
use crate::loss::Estimate;
use serde::{Deserialize, Serialize};

/// Σx, Σx² and #{x > 0} of one quantity over simulated years.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
struct Sums {
    sum: f64,
    sum_sq: f64,
    positive: f64,
}

impl Sums {
    fn add(&mut self, x: f64) {
        self.sum += x;
        self.sum_sq += x * x;
        self.positive += f64::from(u8::from(x > 0.0));
    }

    fn merge(&mut self, o: &Self) {
        self.sum += o.sum;
        self.sum_sq += o.sum_sq;
        self.positive += o.positive;
    }

    /// Whether these are sums a run can give: finite, the squares and the count ≥ 0.
    fn plausible(&self) -> bool {
        self.sum.is_finite()
            && self.sum_sq >= 0.0
            && self.sum_sq.is_finite()
            && self.positive >= 0.0
    }

    /// Mean and its standard error over `n` simulated years of weight `q`.
    fn estimate(&self, n: f64, q: f64) -> Estimate {
        let m = self.sum / n;
        let var = (self.sum_sq / n - m * m).max(0.0);
        Estimate {
            value: q * m,
            std_error: q * (var / n).sqrt(),
        }
    }
}

/// Per-batch sums for a tower (ground-up, retained, ceded and reinstatement cost per layer).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct TowerSums {
    ground_up: Sums,
    retained: Sums,
    ceded: Vec<Sums>,
    reinstatement: Vec<Sums>,
}

/// What a simulation loop records besides each year's payments: nothing (`()`), or a
/// tower's cessions ([`Cessions`]). Generic, so that the nothing costs nothing.
pub(crate) trait Recorder {
    /// Whether it records anything (else a batched sampler may skip telling it).
    const ACTIVE: bool = true;
    /// One claim's payment.
    fn claim(&mut self, payment: f64);
    /// The end of a year whose claims paid `gross` in all.
    fn year(&mut self, gross: f64);
}

impl Recorder for () {
    const ACTIVE: bool = false;
    #[inline(always)]
    fn claim(&mut self, _: f64) {}
    #[inline(always)]
    fn year(&mut self, _: f64) {}
}

/// A tower's per-claim cessions summed over the year, then added to the batch's sums.
pub(crate) struct Cessions<'a> {
    layers: &'a [Layer],
    ceded: Vec<f64>,
    pub sums: TowerSums,
}

impl<'a> Cessions<'a> {
    pub fn new(layers: &'a [Layer]) -> Self {
        Self {
            layers,
            ceded: vec![0.0; layers.len()],
            sums: TowerSums::new(layers.len()),
        }
    }
}

impl Recorder for Cessions<'_> {
    fn claim(&mut self, payment: f64) {
        for (c, layer) in self.ceded.iter_mut().zip(self.layers) {
            *c += layer.ceded(payment);
        }
    }

    fn year(&mut self, gross: f64) {
        self.sums.add_year(self.layers, gross, &self.ceded);
        self.ceded.fill(0.0);
    }
}

impl TowerSums {
    pub fn new(layers: usize) -> Self {
        Self {
            ceded: vec![Sums::default(); layers],
            reinstatement: vec![Sums::default(); layers],
            ..Self::default()
        }
    }

    /// Adds a year with gross payments `gross` and per-layer sums of per-claim cessions.
    pub fn add_year(&mut self, layers: &[Layer], gross: f64, ceded_per_claim: &[f64]) {
        let mut total_ceded = 0.0;
        for (j, layer) in layers.iter().enumerate() {
            let annual = layer.annual_cap(ceded_per_claim[j]);
            total_ceded += annual;
            self.ceded[j].add(annual);
            self.reinstatement[j].add(layer.reinstatement_cost(annual));
        }
        self.ground_up.add(gross);
        self.retained.add(gross - total_ceded);
    }

    /// Whether these sums fit a tower of `layers` layers and are sums a run can give (a
    /// merge checks a part's sums with it).
    pub fn fits(&self, layers: usize) -> bool {
        self.ceded.len() == layers
            && self.reinstatement.len() == layers
            && [&self.ground_up, &self.retained]
                .into_iter()
                .chain(&self.ceded)
                .chain(&self.reinstatement)
                .all(Sums::plausible)
    }

    pub fn merge(&mut self, o: &Self) {
        self.ground_up.merge(&o.ground_up);
        self.retained.merge(&o.retained);
        for (a, b) in self.ceded.iter_mut().zip(&o.ceded) {
            a.merge(b);
        }
        for (a, b) in self.reinstatement.iter_mut().zip(&o.reinstatement) {
            a.merge(b);
        }
    }

    pub fn finish(&self, layers: &[Layer], n: f64, q: f64) -> TowerResult {
        TowerResult {
            gross: self.ground_up.estimate(n, q),
            retained: self.retained.estimate(n, q),
            layers: layers
                .iter()
                .enumerate()
                .map(|(j, layer)| LayerResult {
                    layer: *layer,
                    ceded: self.ceded[j].estimate(n, q),
                    attachment_probability: q * self.ceded[j].positive / n,
                    reinstatement_premium: self.reinstatement[j].estimate(n, q),
                })
                .collect(),
        }
    }
}

/// Expected annual amounts of a tower, layer by layer (元, with standard errors).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TowerResult {
    /// Gross payments before reinsurance.
    pub gross: Estimate,
    /// Retained after all layers: gross − Σ ceded.
    pub retained: Estimate,
    /// One entry per layer, lowest first.
    pub layers: Vec<LayerResult>,
}

/// One layer's expected cession.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerResult {
    /// The layer.
    pub layer: Layer,
    /// Expected annual ceded loss (元).
    pub ceded: Estimate,
    /// Probability that the layer pays anything in a year.
    pub attachment_probability: f64,
    /// Expected reinstatement premium as a multiple of the layer's upfront premium.
    pub reinstatement_premium: Estimate,
}
