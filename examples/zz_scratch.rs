use kexian::aggregate::{Discretization, ExactMethod, LossModel};
use kexian::frequency::Poisson;
use kexian::severity::LogNormal;
fn main() {
    let (lambda, mu, sigma) = (0.04f64, 3e6f64.ln(), 1.3f64);
    let model = LossModel::new(
        Poisson::new(lambda).unwrap(),
        LogNormal::new(mu, sigma).unwrap(),
    );
    let closed = (lambda * (2.0 * mu + 2.0 * sigma * sigma).exp()).sqrt();
    for k in 14..=22 {
        for disc in [
            Discretization::MeanPreserving,
            Discretization::MomentMatching,
        ] {
            let grid = model.recommended_grid(1 << k, 1.0 - 1e-12).unwrap();
            let t = std::time::Instant::now();
            let d = model
                .exact_distribution(ExactMethod::Fft { padding: 2 }, &grid, disc)
                .unwrap();
            let ms = t.elapsed().as_secs_f64() * 1e3;
            let sd = d.diagnostics.numeric_cv * d.diagnostics.numeric_mean;
            let neg = d.distribution.probs().iter().filter(|p| **p < 0.0).count();
            println!(
                "k={k} {disc:?} sd err {:+.3e} mean err {:+.3e} lost {:.2e} sevlost {:.2e} neg {neg} {ms:.0}ms",
                sd / closed - 1.0,
                d.diagnostics.numeric_mean / (lambda * (mu + sigma * sigma / 2.0).exp()) - 1.0,
                d.diagnostics.lost_mass,
                d.diagnostics.severity_lost_mass
            );
        }
    }
}
