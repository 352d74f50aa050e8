//! Standard normal cdf, survival and quantile.
//!
//! The quantile is Wichura's algorithm AS 241 (PPND16, *Applied Statistics* 37(3), 1988,
//! 477–484), accurate to about 1e-16 relative; the coefficients are those published there.

#![allow(clippy::excessive_precision)] // published coefficients, kept digit for digit

use libm::erfc;

/// Φ(z), the standard normal cdf, computed as ½·erfc(−z/√2) so that it is accurate for z ≪ 0.
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

/// ln Φ(z), accurate where Φ(z) underflows: for z < −30 the asymptotic series
/// Φ(z) = φ(z)/|z| · (1 − 1/z² + 3/z⁴ − 15/z⁶ + 105/z⁸ − …), relative error below 1e-12.
pub(crate) fn ln_normal_cdf(z: f64) -> f64 {
    if z >= -30.0 {
        return normal_cdf(z).ln();
    }
    let r = 1.0 / (z * z);
    let series = 1.0 - r * (1.0 - 3.0 * r * (1.0 - 5.0 * r * (1.0 - 7.0 * r)));
    -0.5 * z * z - (-z).ln() - 0.5 * (2.0 * std::f64::consts::PI).ln() + series.ln()
}

/// 1 − Φ(z), computed directly (accurate for z ≫ 0).
pub fn normal_survival(z: f64) -> f64 {
    0.5 * erfc(z / std::f64::consts::SQRT_2)
}

/// Φ⁻¹(level): the z with Φ(z) = level. Returns −∞ at 0, +∞ at 1 and NaN outside \[0, 1\].
pub fn normal_quantile(level: f64) -> f64 {
    quantile_from_tails(level, 0.5 - level + 0.5)
}

/// Φ⁻¹ given both tail probabilities `lower` = p and `upper` = 1 − p, so that whichever is
/// smaller is used without the cancellation of forming 1 − p. Callers with an accurate upper
/// tail (e.g. an inverse survival function) pass it directly.
pub(crate) fn quantile_from_tails(lower: f64, upper: f64) -> f64 {
    if lower.is_nan() || upper.is_nan() || !(0.0..=1.0).contains(&lower) || upper < 0.0 {
        return f64::NAN;
    }
    let q = lower - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return q * poly(&CENTRAL_NUM, r) / poly(&CENTRAL_DEN, r);
    }
    let (tail, sign) = if lower < upper {
        (lower, -1.0)
    } else {
        (upper, 1.0)
    };
    if tail <= 0.0 {
        return sign * f64::INFINITY;
    }
    let r = (-tail.ln()).sqrt();
    let z = if r <= 5.0 {
        let r = r - 1.6;
        poly(&NEAR_NUM, r) / poly(&NEAR_DEN, r)
    } else {
        let r = r - 5.0;
        poly(&FAR_NUM, r) / poly(&FAR_DEN, r)
    };
    sign * z
}

/// Horner evaluation of c\[0\] + c\[1\] x + … (a plain loop, so that it vectorizes).
#[inline(always)]
pub(super) fn poly<const N: usize>(c: &[f64; N], x: f64) -> f64 {
    let mut acc = 0.0;
    for &ci in c.iter().rev() {
        acc = acc * x + ci;
    }
    acc
}

pub(super) const CENTRAL_NUM: [f64; 8] = [
    3.387_132_872_796_366_608,
    1.331_416_678_917_843_774_5e2,
    1.971_590_950_306_551_442_7e3,
    1.373_169_376_550_946_112_5e4,
    4.592_195_393_154_987_145_7e4,
    6.726_577_092_700_870_085_3e4,
    3.343_057_558_358_812_810_5e4,
    2.509_080_928_730_122_672_7e3,
];
pub(super) const CENTRAL_DEN: [f64; 8] = [
    1.0,
    4.231_333_070_160_091_125_2e1,
    6.871_870_074_920_579_083e2,
    5.394_196_021_424_751_107_7e3,
    2.121_379_430_158_659_586_7e4,
    3.930_789_580_009_271_061e4,
    2.872_908_573_572_194_267_4e4,
    5.226_495_278_852_854_561e3,
];
pub(super) const NEAR_NUM: [f64; 8] = [
    1.423_437_110_749_683_577_34,
    4.630_337_846_156_545_295_9,
    5.769_497_221_460_691_405_5,
    3.647_848_324_763_204_605_04,
    1.270_458_252_452_368_382_58,
    2.417_807_251_774_506_117_7e-1,
    2.272_384_498_926_918_458_33e-2,
    7.745_450_142_783_414_076_4e-4,
];
pub(super) const NEAR_DEN: [f64; 8] = [
    1.0,
    2.053_191_626_637_758_821_87,
    1.676_384_830_183_803_849_4,
    6.897_673_349_851_000_045_5e-1,
    1.481_039_764_274_800_745_9e-1,
    1.519_866_656_361_645_719_66e-2,
    5.475_938_084_995_344_946e-4,
    1.050_750_071_644_416_843_24e-9,
];
pub(super) const FAR_NUM: [f64; 8] = [
    6.657_904_643_501_103_777_2,
    5.463_784_911_164_114_369_9,
    1.784_826_539_917_291_335_8,
    2.965_605_718_285_048_912_3e-1,
    2.653_218_952_657_612_309_3e-2,
    1.242_660_947_388_078_438_6e-3,
    2.711_555_568_743_487_578_15e-5,
    2.010_334_399_292_288_132_65e-7,
];
pub(super) const FAR_DEN: [f64; 8] = [
    1.0,
    5.998_322_065_558_879_376_9e-1,
    1.369_298_809_227_358_053_1e-1,
    1.487_536_129_085_061_485_25e-2,
    7.868_691_311_456_132_591e-4,
    1.846_318_317_510_054_681_8e-5,
    1.421_511_758_316_445_888_7e-7,
    2.044_263_103_389_939_785_64e-15,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_reference_values() {
        // scipy.stats.norm.ppf / isf (scipy 1.x), tolerance 1e-14 relative.
        let cases = [
            (0.975, 1.959963984540054),
            (0.5, 0.0),
            (0.1, -1.2815515655446004),
            (1e-10, -6.361340902404056),
            (1e-300, -37.0470962993612),
        ];
        for (p, z) in cases {
            let got = normal_quantile(p);
            assert!(
                (got - z).abs() <= 1e-14 * z.abs().max(1.0),
                "p={p}: {got} vs {z}"
            );
        }
        // isf(1e-20) = 9.262340089798408
        let got = quantile_from_tails(1.0 - 1e-20, 1e-20);
        assert!((got - 9.262340089798409).abs() < 1e-13);
        assert!(normal_quantile(1.5).is_nan());
        assert_eq!(normal_quantile(0.0), f64::NEG_INFINITY);
        assert_eq!(normal_quantile(1.0), f64::INFINITY);
    }

    #[test]
    fn cdf_round_trip() {
        for &z in &[-30.0, -8.0, -1.0, 0.0, 0.3, 2.5, 7.0] {
            let p = normal_cdf(z);
            let back = quantile_from_tails(p, normal_survival(z));
            assert!((back - z).abs() < 1e-12 * z.abs().max(1.0), "{z} -> {back}");
        }
    }
}
