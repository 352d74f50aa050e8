#![no_main]
//! Fuzz target: see `properties::config_json`.

#[path = "../properties.rs"]
mod properties;

libfuzzer_sys::fuzz_target!(|data: &[u8]| properties::config_json(data));
