#![no_main]
//! Fuzz target: see `properties::model_json`.

#[path = "../properties.rs"]
mod properties;

libfuzzer_sys::fuzz_target!(|data: &[u8]| properties::model_json(data));
