#![no_main]
//! Fuzz target: see `properties::experience_csv`.

#[path = "../properties.rs"]
mod properties;

libfuzzer_sys::fuzz_target!(|data: &[u8]| properties::experience_csv(data));
