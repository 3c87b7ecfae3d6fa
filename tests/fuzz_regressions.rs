//! Replays every input in `tests/fuzz_regressions/` (seeds, and whatever the fuzzer ever
//! found) through the same check the fuzz target runs: `cargo fuzz run profile_files`.

include!("../fuzz/check.rs");

#[test]
fn every_kept_input_still_passes() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fuzz_regressions");
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(|| check_profile_files(&data));
        assert!(outcome.is_ok(), "{} fails", path.display());
        count += 1;
    }
    assert!(count >= 5, "the regression inputs are missing");
}
