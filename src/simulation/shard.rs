//! Shards of a run and the partial results they produce.
//!
//! The determinism contract makes each batch of trials a pure function of (seed, batch), so a
//! run of `T` trials splits into shards of contiguous batch ranges (blocks of years for a
//! portfolio) that can run anywhere — other processes, machines, a Dask or Slurm array — and
//! whose partial results merge into exactly the single-machine result: merging only adds
//! integers, folds per-batch summaries in batch order and takes the top values of a union.
//!
//! A partial result is written as CBOR ([RFC 8949](https://www.rfc-editor.org/rfc/rfc8949),
//! bit-exact for every `f64`) carrying its format name and version, the run's provenance
//! digest (SHA-256 of the model and settings) and its range, so a merge refuses parts of other
//! runs, overlapping ranges and incomplete sets with an error that says which.

use crate::error::{Error, Result};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::Digest;
use std::ops::Range;

/// Version of the partial-result formats; a merge refuses parts of another version.
pub const PART_VERSION: u32 = 2;

/// The first bytes of sealed data (see [`seal`]).
const SEAL: &[u8; 8] = b"KXSEAL01";

/// `payload` sealed against damage: `KXSEAL01` ‖ SHA-256(payload) (32 bytes) ‖ payload.
/// [`unseal`] gives the payload back only when every bit is as written, so a part changed
/// in storage or transit is refused before it is decoded (a part's
/// [`to_bytes`](crate::portfolio::PortfolioPart::to_bytes) is sealed).
///
/// ```
/// use kexian::simulation::{seal, unseal};
/// let mut sealed = seal(b"part");
/// assert_eq!(unseal(&sealed)?, b"part");
/// sealed[42] ^= 1; // a bit of the payload
/// assert!(unseal(&sealed).is_err());
/// # Ok::<(), kexian::Error>(())
/// ```
pub fn seal(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(SEAL.len() + 32 + payload.len());
    out.extend_from_slice(SEAL);
    out.extend_from_slice(&sha2::Sha256::digest(payload));
    out.extend_from_slice(payload);
    out
}

/// The payload of [`seal`]ed bytes; an error when they do not start with the seal or their
/// SHA-256 does not match (damaged, truncated or extended data).
pub fn unseal(bytes: &[u8]) -> Result<&[u8]> {
    let damaged = |why: &str| {
        Err(Error::Inconsistent {
            model: "partial result",
            message: format!("not sealed kexian data, or damaged: {why}"),
        })
    };
    let Some((head, payload)) = bytes.split_at_checked(SEAL.len() + 32) else {
        return damaged("shorter than its seal");
    };
    let (magic, hash) = head.split_at(SEAL.len());
    if magic != SEAL {
        return damaged("it does not start with the seal `KXSEAL01`");
    }
    if hash != sha2::Sha256::digest(payload).as_slice() {
        return damaged("its SHA-256 does not match its bytes");
    }
    Ok(payload)
}

/// Shard `index` of `count` (1-based, as in `--shard 2/8`): the `index`-th of `count` near-equal
/// contiguous ranges of a run's units (batches, or blocks of years for a portfolio).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    index: u64,
    count: u64,
}

impl Shard {
    /// Shard `index` of `count`: 1 ≤ index ≤ count.
    pub fn new(index: u64, count: u64) -> Result<Self> {
        if count == 0 || index == 0 || index > count {
            return Err(Error::Inconsistent {
                model: "Shard",
                message: format!("shard {index}/{count}: need 1 ≤ index ≤ count"),
            });
        }
        Ok(Self { index, count })
    }

    /// Parses `i/n`, e.g. `3/8`.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = || Error::Inconsistent {
            model: "Shard",
            message: format!("`{text}` is not a shard: write i/n, e.g. 3/8 (1 ≤ i ≤ n)"),
        };
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let i = i.trim().parse().map_err(|_| bad())?;
        let n = n.trim().parse().map_err(|_| bad())?;
        Self::new(i, n)
    }

    /// Its number i (1-based).
    pub fn index(&self) -> u64 {
        self.index
    }

    /// The number of shards n.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Its range of `units`: [⌊(i−1)·units/n⌋, ⌊i·units/n⌋). An error when the range is empty
    /// (more shards than units).
    pub fn range(&self, units: u64) -> Result<Range<u64>> {
        let at = |k: u64| (u128::from(k) * u128::from(units) / u128::from(self.count)) as u64;
        let r = at(self.index - 1)..at(self.index);
        if r.is_empty() {
            return Err(Error::Inconsistent {
                model: "Shard",
                message: format!(
                    "shard {}/{} of a run of {units} units (batches or blocks of years) is \
                     empty: use at most {units} shards",
                    self.index, self.count
                ),
            });
        }
        Ok(r)
    }
}

/// How many of its largest values a shard of `share` of the run's trials keeps when the whole
/// run keeps `keep`: its expected share of the run's top `keep` plus 8 standard deviations
/// and 32 (at most `keep`; at least all the run keeps when the shard is the whole run). The
/// merge checks that no shard left out a value of the merged top `keep` (a shard would have
/// to hold its expected share plus 8 standard deviations of the run's largest values: odds
/// below 10⁻¹⁴), so a merged tail is exact or refused, never wrong.
pub(crate) fn shard_keep(keep: u64, share: f64) -> u64 {
    let mean = keep as f64 * share;
    let spread = (mean * (1.0 - share)).max(0.0).sqrt();
    ((mean + 8.0 * spread).ceil() as u64 + 32).min(keep)
}

/// SHA-256 (hex) of the JSON form of `value`: a run's provenance digest.
pub(crate) fn digest<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    let bytes = serde_json::to_vec(value).map_err(|e| Error::Inconsistent {
        model: "digest",
        message: e.to_string(),
    })?;
    Ok(format!("{:x}", sha2::Sha256::digest(&bytes)))
}

/// Encodes a part as sealed CBOR.
pub(crate) fn encode<T: Serialize>(part: &T) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    ciborium::into_writer(part, &mut out).map_err(|e| Error::Inconsistent {
        model: "partial result",
        message: format!("cannot encode: {e}"),
    })?;
    Ok(seal(&out))
}

/// Decodes a part written by [`encode`]: its seal, that the CBOR ends where the bytes end,
/// and its format name and version (`header`).
pub(crate) fn decode<T: DeserializeOwned>(
    bytes: &[u8],
    format: &str,
    header: impl Fn(&T) -> (&str, u32),
) -> Result<T> {
    let mut payload = unseal(bytes)?;
    let bad = |why: String| Error::Inconsistent {
        model: "partial result",
        message: format!("not a kexian {format} ({why})"),
    };
    let part: T = ciborium::from_reader(&mut payload).map_err(|e| bad(e.to_string()))?;
    if !payload.is_empty() {
        return Err(bad(format!("{} bytes after its end", payload.len())));
    }
    let (f, v) = header(&part);
    check_header(format, f, v)?;
    Ok(part)
}

/// An error unless a part's format name `f` and version `v` are `format` and
/// [`PART_VERSION`].
pub(crate) fn check_header(format: &str, f: &str, v: u32) -> Result<()> {
    if f != format || v != PART_VERSION {
        return Err(Error::Inconsistent {
            model: "partial result",
            message: format!(
                "a `{f}` part of version {v}, expected `{format}` version {PART_VERSION}"
            ),
        });
    }
    Ok(())
}

/// Checks that parts with these (digest, range) pairs, sorted by range start, come from the
/// run with `digest` and cover `0..units` exactly once; errors name the `unit` (e.g.
/// "batches").
pub(crate) fn check_cover<'a>(
    parts: impl Iterator<Item = (&'a str, Range<u64>)>,
    digest: &str,
    (units, unit): (u64, &'static str),
) -> Result<()> {
    let err = |message: String| {
        Err(Error::Inconsistent {
            model: "merge",
            message,
        })
    };
    let mut next = 0;
    let mut any = false;
    for (d, r) in parts {
        any = true;
        let part = |reason: String| {
            Err(Error::Part {
                unit,
                range: r.clone(),
                reason,
            })
        };
        if d != digest {
            return part(format!(
                "comes from other inputs or settings (digest {}…, this run's {}…): every \
                 shard must run the same model, seed and trials",
                &d[..d.len().min(12)],
                &digest[..digest.len().min(12)]
            ));
        }
        if r.start < next || r.end > units || r.is_empty() {
            return part(format!(
                "overlaps another part or lies outside the run's 0..{units} (a shard given \
                 twice?)"
            ));
        }
        if r.start > next {
            return err(format!(
                "{unit} {next}..{} are missing: a shard's part was not given",
                r.start
            ));
        }
        next = r.end;
    }
    if !any {
        return err("no parts to merge".into());
    }
    if next != units {
        return err(format!(
            "{unit} {next}..{units} are missing: a shard's part was not given"
        ));
    }
    Ok(())
}

/// Serde form of a `Vec<f64>` as one byte string of little-endian IEEE 754 values: bit-exact
/// and copied at memory speed (a CBOR array of floats costs a width check per value).
pub(crate) mod f64_bytes {
    use serde::de::{Error, Visitor};
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(values: &[f64], s: S) -> Result<S::Ok, S::Error> {
        let mut bytes = Vec::with_capacity(8 * values.len());
        for x in values {
            bytes.extend_from_slice(&x.to_le_bytes());
        }
        s.serialize_bytes(&bytes)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
        struct Floats;
        impl Visitor<'_> for Floats {
            type Value = Vec<f64>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a byte string of little-endian f64 values")
            }
            fn visit_bytes<E: Error>(self, bytes: &[u8]) -> Result<Vec<f64>, E> {
                if !bytes.len().is_multiple_of(8) {
                    return Err(E::invalid_length(bytes.len(), &self));
                }
                Ok(bytes
                    .chunks_exact(8)
                    .map(|c| f64::from_le_bytes(c.try_into().unwrap_or_default()))
                    .collect())
            }
        }
        d.deserialize_byte_buf(Floats)
    }
}
