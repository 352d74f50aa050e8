//! Kernels of the batched samplers: counter-based uniforms, the normal quantile, ln and exp,
//! written as plain `f64` arithmetic that vectorizes, and the instructions they run on.
//!
//! Bits do not depend on the CPU. Every step is an IEEE-754 add, multiply, divide, square
//! root, comparison or bit operation, each rounded on its own (Rust never fuses a multiply
//! and an add unasked, and nothing here calls libm), so a vector lane computes what the
//! scalar code does, bit for bit. [`CodePath`] runs a kernel on the widest instructions the
//! CPU has (SSE2, AVX2, AVX-512 or NEON, detected at run time through the `pulp` crate, as
//! faer does) or on the portable scalar path; a test compares the two.
//!
//! Accuracy (against mpmath, `tests/data/kernels_reference.json`): [`exp`] and [`ln`] within
//! 4·10⁻¹⁶ relative; the quantile ([`normal_central`], [`normal_near_tail`],
//! [`normal_tail`]) within 1·10⁻¹⁵ of AS 241's.

#![allow(clippy::excessive_precision)] // constants kept digit for digit

use super::normal::{CENTRAL_DEN, CENTRAL_NUM, FAR_DEN, FAR_NUM, NEAR_DEN, NEAR_NUM, poly};
use serde::{Deserialize, Serialize};

/// The instructions the batched samplers run on. Results are bit-identical on every path; the
/// choice is speed only (and a test's way to compare paths), so it is no input of a run's
/// digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodePath {
    /// The widest vector instructions this CPU has, chosen at run time.
    #[default]
    Widest,
    /// One value at a time, with the target's baseline instructions.
    Scalar,
}

impl CodePath {
    /// Whether this is the default, [`CodePath::Widest`].
    pub fn is_widest(&self) -> bool {
        *self == Self::Widest
    }

    /// Runs `kernel` on this path.
    #[inline]
    pub fn run<K: pulp::WithSimd>(self, kernel: K) -> K::Output {
        match self {
            Self::Widest => pulp::Arch::new().dispatch(kernel),
            Self::Scalar => kernel.with_simd(pulp::Scalar::new()),
        }
    }
}

/// Standard normals from counter words, pass by pass: the central region in a vector
/// kernel, the 15% of draws in the tails gathered for a vector kernel of their own, the
/// rare far tail (p < e⁻²⁵) one by one. Holds the passes' scratch.
///
/// ```
/// use kexian::numerics::kernels::{CodePath, Normals, counter, normal_quantile_of};
/// let inputs: Vec<u64> = (0..1000u64).map(|i| 7 + i.wrapping_mul(kexian::numerics::kernels::GAMMA)).collect();
/// let (mut widest, mut scalar) = (vec![0.0; 1000], vec![0.0; 1000]);
/// Normals::default().fill(&inputs, 0, &mut widest, CodePath::Widest);
/// Normals::default().fill(&inputs, 0, &mut scalar, CodePath::Scalar);
/// assert_eq!(widest, scalar); // bit for bit
/// assert_eq!(widest[3], normal_quantile_of(counter(7, 3)));
/// ```
#[derive(Debug, Default)]
pub struct Normals {
    u: Vec<f64>,
    mask: Vec<u64>,
    tails: Vec<u32>,
    tail_p: Vec<f64>,
}

impl Normals {
    /// z\[i\] = Φ⁻¹(u) with u = open_unit(splitmix64(inputs\[i\] + offset)) ([`open_unit`],
    /// [`splitmix64`]): [`normal_quantile_of`] of each word, bit for bit.
    pub fn fill(&mut self, inputs: &[u64], offset: u64, z: &mut [f64], path: CodePath) {
        let len = inputs.len();
        for v in [&mut self.u, &mut self.tail_p] {
            v.resize(len, 0.0);
        }
        self.tails.resize(len, 0);
        let (u, z) = (&mut self.u[..len], &mut z[..len]);
        path.run(Central {
            inputs,
            offset,
            u,
            z,
        });
        self.tails(z, path);
    }

    /// x\[i\] = Φ⁻¹(x\[i\]) in place, x\[i\] in (0, 1): [`normal_quantile`] of each, bit for
    /// bit.
    ///
    /// ```
    /// use kexian::numerics::kernels::{CodePath, Normals, normal_quantile};
    /// let mut x = vec![1e-300, 0.001, 0.3, 0.5, 0.99];
    /// Normals::default().quantiles(&mut x, CodePath::Widest);
    /// assert_eq!(x[2], normal_quantile(0.3));
    /// assert!((x[1] + 3.090232306167813).abs() < 1e-14); // scipy.stats.norm.ppf(0.001)
    /// ```
    pub fn quantiles(&mut self, x: &mut [f64], path: CodePath) {
        let len = x.len();
        for v in [&mut self.u, &mut self.tail_p] {
            v.resize(len, 0.0);
        }
        self.tails.resize(len, 0);
        self.u[..len].copy_from_slice(x);
        path.run(CentralOf(x));
        self.tails(x, path);
    }

    /// The tails of `z` (NaN after the central pass), from their uniforms in `u`.
    fn tails(&mut self, z: &mut [f64], path: CodePath) {
        let len = z.len();
        // The tails listed from a bit mask (one bit a tail).
        mask_where(z, &mut self.mask, path, |z| z.is_nan());
        let mut m = 0;
        let (tails, tail_p) = (&mut self.tails[..len], &mut self.tail_p[..len]);
        set_bits(&self.mask, |c| {
            let u = self.u[c];
            tails[m] = c as u32;
            tail_p[m] = u.min(1.0 - u);
            m += 1;
        });
        path.run(NearTails(&mut tail_p[..m]));
        for (&c, &t) in tails[..m].iter().zip(&tail_p[..m]) {
            let (c, u) = (c as usize, self.u[c as usize]);
            // −t in the lower tail: the sign bit flipped without a branch.
            z[c] = f64::from_bits(t.to_bits() ^ (u64::from(u < 0.5) << 63));
            if t.is_nan() {
                z[c] = normal_tail(u);
            }
        }
    }
}

/// x\[i\] = [`exp`](x\[i\]) on `path`.
pub fn exp_all(x: &mut [f64], path: CodePath) {
    path.run(Exp(x));
}

/// out\[i\] = [`ln`](x\[i\]) on `path`, bit for bit.
pub fn ln_all(x: &[f64], out: &mut [f64], path: CodePath) {
    let out = &mut out[..x.len()];
    path.run(Ln { x, out });
    for (&x, y) in x.iter().zip(out.iter_mut()) {
        if !(x.is_normal() && x > 0.0) {
            *y = x.ln();
        }
    }
}

/// The central pass of [`Normals`]: u, and z where u is central (else NaN).
struct Central<'a> {
    inputs: &'a [u64],
    offset: u64,
    u: &'a mut [f64],
    z: &'a mut [f64],
}

impl pulp::WithSimd for Central<'_> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        let slots = self.u.iter_mut().zip(self.z.iter_mut());
        for (&input, (u, z)) in self.inputs.iter().zip(slots) {
            *u = open_unit(splitmix64(input.wrapping_add(self.offset)));
            *z = normal_central(*u);
        }
    }
}

/// The central pass of [`Normals::quantiles`]: z of each central u (else NaN), in place.
struct CentralOf<'a>(&'a mut [f64]);

impl pulp::WithSimd for CentralOf<'_> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        for x in self.0.iter_mut() {
            *x = normal_central(*x);
        }
    }
}

/// ln of each x into `out` (branch-free for positive normal x; [`ln_all`] fixes the others).
struct Ln<'a> {
    x: &'a [f64],
    out: &'a mut [f64],
}

impl pulp::WithSimd for Ln<'_> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        for (&x, y) in self.x.iter().zip(self.out.iter_mut()) {
            *y = ln_normal(x);
        }
    }
}

/// The tails pass of [`Normals`]: |z| of each tail probability.
struct NearTails<'a>(&'a mut [f64]);

impl pulp::WithSimd for NearTails<'_> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        for p in self.0.iter_mut() {
            *p = normal_near_tail(*p);
        }
    }
}

/// `mask` (resized to a word per 64 values): bit j of word w set when `keep(x[64w + j])`, in
/// a vector kernel. [`set_bits`] lists them: a few chosen values of many, without a branch
/// per value.
///
/// ```
/// use kexian::numerics::kernels::{CodePath, mask_where, set_bits};
/// let x: Vec<f64> = (0..200).map(|i| f64::from(i % 70)).collect();
/// let mut mask = Vec::new();
/// mask_where(&x, &mut mask, CodePath::Widest, |&v| v >= 68.0);
/// let mut chosen = Vec::new();
/// set_bits(&mask, |i| chosen.push(i));
/// assert_eq!(chosen, [68, 69, 138, 139]);
/// ```
pub fn mask_where<F: Fn(&f64) -> bool>(x: &[f64], mask: &mut Vec<u64>, path: CodePath, keep: F) {
    mask.resize(x.len().div_ceil(64), 0);
    path.run(Mask(x, mask, keep));
}

/// `f(i)` for each index i of a bit set in `mask`, in increasing order.
#[inline(always)]
pub fn set_bits(mask: &[u64], mut f: impl FnMut(usize)) {
    for (w, &word) in mask.iter().enumerate() {
        let mut bits = word;
        while bits != 0 {
            f(w * 64 + bits.trailing_zeros() as usize);
            bits &= bits - 1;
        }
    }
}

/// The kernel of [`mask_where`].
struct Mask<'a, F>(&'a [f64], &'a mut [u64], F);

impl<F: Fn(&f64) -> bool> pulp::WithSimd for Mask<'_, F> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        for (word, x) in self.1.iter_mut().zip(self.0.chunks(64)) {
            *word = x
                .iter()
                .enumerate()
                .fold(0, |w, (j, x)| w | u64::from((self.2)(x)) << j);
        }
    }
}

/// eˣ over a slice.
struct Exp<'a>(&'a mut [f64]);

impl pulp::WithSimd for Exp<'_> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        for x in self.0.iter_mut() {
            *x = exp(*x);
        }
    }
}

/// SplitMix64's output function: a bijective mix of a 64-bit word (Steele, Lea & Flood,
/// OOPSLA 2014). `splitmix64(s + i·γ)` is the i + 1-th output of the generator seeded `s`.
#[inline(always)]
pub fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(GAMMA);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// SplitMix64's increment γ (the golden ratio's fraction, 2⁶⁴/φ).
pub const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// Word `i` of the counter stream keyed `key`: `splitmix64(key + i·γ)`, a pure function of
/// (key, i), so any draw can be made alone and in any order.
#[inline(always)]
pub fn counter(key: u64, i: u64) -> u64 {
    splitmix64(key.wrapping_add(i.wrapping_mul(GAMMA)))
}

/// k·2⁻⁵², k the top 52 bits of `w`: a uniform on \[0, 1).
#[inline(always)]
pub fn unit(w: u64) -> f64 {
    f64::from_bits(ONE_BITS | (w >> 12)) - 1.0
}

/// (k + ½)·2⁻⁵², k the top 52 bits of `w`: a uniform on (0, 1), never 0 or 1, symmetric
/// about ½, with 1 − u exact.
#[inline(always)]
pub fn open_unit(w: u64) -> f64 {
    f64::from_bits(ONE_BITS | (w >> 12)) - (1.0 - HALF_ULP)
}

const ONE_BITS: u64 = 0x3FF0_0000_0000_0000;
/// 2⁻⁵³.
const HALF_ULP: f64 = 1.0 / 9_007_199_254_740_992.0;

/// Φ⁻¹(u) in AS 241's central region |u − ½| ≤ 0.425 (its rational function, bit for bit
/// [`normal_quantile`](super::normal_quantile)'s), NaN outside it: 85% of draws, branch-free.
#[inline(always)]
pub fn normal_central(u: f64) -> f64 {
    let q = u - 0.5;
    let r = 0.180625 - q * q;
    let z = q * poly(&CENTRAL_NUM, r) / poly(&CENTRAL_DEN, r);
    if q.abs() <= 0.425 { z } else { f64::NAN }
}

/// |Φ⁻¹(p)| for a tail probability p = min(u, 1 − u) < 0.075 with √(−ln p) ≤ 5 (p ≥ e⁻²⁵,
/// all but 1.4·10⁻¹¹ of the tail), NaN beyond: AS 241's near-tail function, branch-free
/// (for a positive normal p; [`normal_tail`] takes any u).
#[inline(always)]
pub fn normal_near_tail(p: f64) -> f64 {
    let r = (-ln_normal(p)).sqrt();
    let z = poly(&NEAR_NUM, r - 1.6) / poly(&NEAR_DEN, r - 1.6);
    if r <= 5.0 { z } else { f64::NAN }
}

/// Φ⁻¹(u), u = [`open_unit`]\(w\): the standard normal of word `w`, one at a time (what [`Normals`]
/// computes in batches).
pub fn normal_quantile_of(w: u64) -> f64 {
    normal_quantile(open_unit(w))
}

/// Φ⁻¹(u): [`normal_central`], else [`normal_tail`] (AS 241 with [`ln`]: the same bits on
/// every CPU).
#[inline]
pub fn normal_quantile(u: f64) -> f64 {
    let z = normal_central(u);
    if z.is_nan() { normal_tail(u) } else { z }
}

/// Φ⁻¹(u) for u outside the central region: AS 241's tails, with [`ln`] (u = 0, 1 or outside
/// \[0, 1\] as [`normal_quantile`](super::normal_quantile) answers: ∓∞ or NaN).
pub fn normal_tail(u: f64) -> f64 {
    if !(u > 0.0 && u < 1.0) {
        return super::normal_quantile(u);
    }
    let (p, sign) = if u < 0.5 { (u, -1.0) } else { (1.0 - u, 1.0) };
    let z = normal_near_tail(p);
    if !z.is_nan() {
        return sign * z;
    }
    let r = (-ln_normal(p)).sqrt() - 5.0;
    sign * (poly(&FAR_NUM, r) / poly(&FAR_DEN, r))
}

/// ln x: for a positive normal x, m·2ᵉ with m in \[√½, √2), ln m = 2 atanh s,
/// s = (m − 1)/(m + 1), |s| ≤ 0.172, by its series to s²⁵, plus e·ln 2 in two parts; any
/// other x (0, subnormal, negative, ∞, NaN) as the platform's `f64::ln` answers.
pub fn ln(x: f64) -> f64 {
    if x.is_normal() && x > 0.0 {
        ln_normal(x)
    } else {
        x.ln()
    }
}

/// [`ln`] of a positive normal x, branch-free (the kernels' tail probabilities are).
#[inline(always)]
fn ln_normal(x: f64) -> f64 {
    let bits = x.to_bits();
    // The exponent that puts m in [√½, √2): subtracting √½'s bits carries into it.
    let e = (bits.wrapping_sub(SQRT_HALF_BITS) as i64) >> 52;
    let m = f64::from_bits(bits.wrapping_sub((e as u64) << 52));
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let two_s = 2.0 * s;
    let k = e as f64;
    (k * LN2_HI + (two_s + two_s * (s2 * poly(&ATANH, s2)))) + k * LN2_LO
}

const SQRT_HALF_BITS: u64 = 0x3FE6_A09E_667F_3BCD;
/// 1/3, 1/5, …, 1/25: atanh s = s (1 + s²/3 + s⁴/5 + …).
const ATANH: [f64; 12] = [
    1.0 / 3.0,
    1.0 / 5.0,
    1.0 / 7.0,
    1.0 / 9.0,
    1.0 / 11.0,
    1.0 / 13.0,
    1.0 / 15.0,
    1.0 / 17.0,
    1.0 / 19.0,
    1.0 / 21.0,
    1.0 / 23.0,
    1.0 / 25.0,
];
/// ln 2 = LN2_HI + LN2_LO, LN2_HI with its 32 low bits zero (so k·LN2_HI is exact).
const LN2_HI: f64 = 6.931_471_803_691_238_164_90e-1;
const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;

/// eˣ for x clamped to \[−708, 709\] (a claim beyond is 0 or beyond any limit): x = k ln 2 + r,
/// |r| ≤ ½ ln 2, eʳ by its Taylor series to r¹³ (truncation below 4·10⁻¹⁸), times 2ᵏ built
/// from its bits.
#[inline(always)]
pub fn exp(x: f64) -> f64 {
    let x = x.clamp(-708.0, 709.0);
    // k = round(x / ln 2): adding 1.5·2⁵² rounds to an integer held in the low bits.
    let shifted = x * std::f64::consts::LOG2_E + ROUND;
    let k = (shifted.to_bits() as i64).wrapping_sub(ROUND.to_bits() as i64);
    let kf = shifted - ROUND;
    let r = (x - kf * LN2_HI) - kf * LN2_LO;
    poly(&EXP, r) * f64::from_bits((k.wrapping_add(1023) as u64) << 52)
}

const ROUND: f64 = 6_755_399_441_055_744.0;
/// 1/n!, n = 0, …, 13.
const EXP: [f64; 14] = [
    1.0,
    1.0,
    1.0 / 2.0,
    1.0 / 6.0,
    1.0 / 24.0,
    1.0 / 120.0,
    1.0 / 720.0,
    1.0 / 5_040.0,
    1.0 / 40_320.0,
    1.0 / 362_880.0,
    1.0 / 3_628_800.0,
    1.0 / 39_916_800.0,
    1.0 / 479_001_600.0,
    1.0 / 6_227_020_800.0,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numerics::normal_quantile;

    fn reference(name: &str) -> Vec<(f64, f64)> {
        let text = include_str!("../../tests/data/kernels_reference.json");
        let v: serde_json::Value = serde_json::from_str(text).unwrap();
        v[name]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p[0].as_f64().unwrap(),
                    p[1].as_str().unwrap().parse().unwrap(),
                )
            })
            .collect()
    }

    fn relative(a: f64, b: f64) -> f64 {
        (a - b).abs() / b.abs().max(f64::MIN_POSITIVE)
    }

    #[test]
    fn exp_and_ln_agree_with_mpmath() {
        // mpmath at 40 digits (scripts/reference_kernels.py); tolerance 4e-16 relative.
        for (x, want) in reference("exp") {
            assert!(
                relative(exp(x), want) <= 4e-16,
                "exp({x}) = {} ≠ {want}",
                exp(x)
            );
        }
        for (x, want) in reference("ln") {
            let tolerance = if want == 0.0 { 0.0 } else { 4e-16 };
            assert!(
                relative(ln(x), want) <= tolerance,
                "ln({x}) = {} ≠ {want}",
                ln(x)
            );
        }
    }

    #[test]
    fn the_quantile_agrees_with_mpmath_and_as_241() {
        // mpmath at 40 digits; tolerance 1e-15 relative (AS 241's own accuracy is ~1e-16).
        for (p, want) in reference("normal_quantile") {
            let z = if normal_central(p).is_nan() {
                normal_tail(p)
            } else {
                normal_central(p)
            };
            assert!(relative(z, want) <= 1e-15, "Φ⁻¹({p}) = {z} ≠ {want}");
            assert!(relative(z, normal_quantile(p)) <= 1e-15);
        }
    }

    #[test]
    fn the_central_region_is_as_241_bit_for_bit_and_uniforms_stay_open() {
        for i in 0..100_000 {
            let u = open_unit(counter(7, i));
            assert!(u > 0.0 && u < 1.0 && (1.0 - u) + u == 1.0);
            let z = normal_central(u);
            assert!(z.is_nan() || z.to_bits() == normal_quantile(u).to_bits());
            assert!(unit(counter(9, i)) < 1.0);
        }
        assert_eq!(open_unit(0), HALF_ULP);
        assert_eq!(open_unit(u64::MAX), 1.0 - HALF_ULP);
    }

    #[test]
    fn batched_normals_and_exps_are_the_one_at_a_time_values_on_every_path() {
        let inputs: Vec<u64> = (0..50_000u64).map(|i| counter(11, i)).collect();
        let one: Vec<f64> = inputs
            .iter()
            .map(|&w| normal_quantile_of(splitmix64(w)))
            .collect();
        for path in [CodePath::Scalar, CodePath::Widest] {
            let mut z = vec![0.0; inputs.len()];
            Normals::default().fill(&inputs, 0, &mut z, path);
            assert!(z.iter().zip(&one).all(|(a, b)| a.to_bits() == b.to_bits()));
            let mut x: Vec<f64> = z.iter().map(|z| 12.0 + 3.0 * z).collect();
            exp_all(&mut x, path);
            assert!(
                x.iter()
                    .zip(&one)
                    .all(|(x, z)| x.to_bits() == exp(12.0 + 3.0 * z).to_bits())
            );
        }
        // Both tails and the far tail (p < e⁻²⁵) are exercised.
        assert!(one.iter().any(|&z| z < -2.0) && one.iter().any(|&z| z > 2.0));
        assert!(normal_quantile_of(0) < -8.0 && normal_quantile_of(u64::MAX) > 8.0);
    }

    #[test]
    fn exp_clamps_and_stays_within_an_ulp_or_two_of_the_system() {
        assert_eq!(exp(-1e300), exp(-708.0));
        assert_eq!(exp(f64::MAX), exp(709.0));
        assert!(exp(709.0).is_finite() && exp(-708.0) > 0.0);
        assert!(exp(f64::NAN).is_nan() && ln(f64::NAN).is_nan() && ln(-1.0).is_nan());
        assert_eq!(
            (ln(0.0), ln(f64::INFINITY)),
            (f64::NEG_INFINITY, f64::INFINITY)
        );
        assert_eq!(
            (normal_tail(0.0), normal_tail(1.0)),
            (f64::NEG_INFINITY, f64::INFINITY)
        );
        assert!(normal_tail(f64::NAN).is_nan() && normal_tail(1.5).is_nan());
        assert!((ln(1e-310) - 1e-310f64.ln()).abs() < 1e-12);
        let worst = (0..200_000)
            .map(|i| {
                let x = -700.0 + 1400.0 * unit(counter(3, i));
                relative(exp(x), x.exp())
            })
            .fold(0.0, f64::max);
        assert!(worst <= 4e-16, "{worst}");
    }
}
