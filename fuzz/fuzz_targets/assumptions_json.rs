#![no_main]
//! Fuzz target: see `properties::assumptions_json`.

#[path = "../properties.rs"]
mod properties;

libfuzzer_sys::fuzz_target!(|data: &[u8]| properties::assumptions_json(data));
