//! Arbitrary text as the config and credentials files: parsing and resolving every profile
//! must succeed or fail with an error naming a line of the input, never panic.
#![no_main]

include!("../check.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| check_profile_files(data));
