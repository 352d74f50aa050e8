#![no_main]
//! Fuzz target: see `properties::portfolio_csv`.

#[path = "../properties.rs"]
mod properties;

libfuzzer_sys::fuzz_target!(|data: &[u8]| properties::portfolio_csv(data));
