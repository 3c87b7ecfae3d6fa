#!/usr/bin/env bash
# Fuzzes the profile-file parser and resolver for SECONDS (default 600) with cargo-fuzz.
# cargo-fuzz wants nightly features; RUSTC_BOOTSTRAP=1 lets the stable toolchain provide them,
# and no sanitizer is needed to catch panics. A crash stops the run and is saved under
# fuzz/artifacts/profile_files/: fix it and keep the input in tests/fuzz_regressions/.
# Usage: scripts/fuzz.sh [SECONDS] [--dev]
# --dev builds without optimisations: CI's one-minute smoke run spends its time fuzzing, not
# optimising the whole dependency tree (the AWS SDKs) with coverage instrumentation.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
profile=()
[ "${2:-}" = "--dev" ] && profile=(--dev)
# Pinned, so every machine fuzzes with the cargo-fuzz tested here.
cargo_fuzz_version=0.13.2
if [[ "$(cargo fuzz --version 2>/dev/null)" != *" $cargo_fuzz_version" ]]; then
    cargo install --locked --quiet cargo-fuzz --version "$cargo_fuzz_version"
fi
mkdir -p fuzz/corpus/profile_files
cp tests/fuzz_regressions/* fuzz/corpus/profile_files/
cd fuzz
RUSTC_BOOTSTRAP=1 cargo fuzz run "${profile[@]}" --sanitizer none profile_files -- \
    -max_total_time="$seconds" -print_final_stats=1 2>&1 | grep -v -E '^#[0-9]+\s+(NEW|REDUCE|pulse)'
