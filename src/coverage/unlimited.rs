//! JSON for amounts that may be unlimited: a number, or the string `"unlimited"` for ∞
//! (serde_json would write ∞ as `null`, which does not read back).

use serde::{Deserialize, Deserializer, Serializer};

const UNLIMITED: &str = "unlimited";

/// Writes ∞ as `"unlimited"`, any other value as a number.
pub fn serialize<S: Serializer>(value: &f64, s: S) -> Result<S::Ok, S::Error> {
    if *value == f64::INFINITY {
        s.serialize_str(UNLIMITED)
    } else {
        s.serialize_f64(*value)
    }
}

/// Reads a number or `"unlimited"` (∞).
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Amount {
        Number(f64),
        Text(String),
    }
    match Amount::deserialize(d)? {
        Amount::Number(x) => Ok(x),
        Amount::Text(t) if t == UNLIMITED => Ok(f64::INFINITY),
        Amount::Text(t) => Err(serde::de::Error::custom(format!(
            "`{t}` is not an amount: give a number or \"unlimited\""
        ))),
    }
}
