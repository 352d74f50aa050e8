#![no_main]
//! Fuzz target: see `properties::part_cbor`.

#[path = "../properties.rs"]
mod properties;

libfuzzer_sys::fuzz_target!(|data: &[u8]| properties::part_cbor(data));
