#!/usr/bin/env bash
# The whole test suite: installs what it needs (scripts/setup.sh), then runs every test
# (unit, moto-backed integration, real bash/zsh/fish, the PTY prompt) and the lints.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export RSUME_MOTO_SERVER="$PWD/.venv/bin/moto_server"
# The full quoting evidence: 10,000 generated strings per shell (plain `cargo test` runs 300).
export RSUME_QUOTING_CASES=10000
cargo fmt --all -- --check
cargo clippy --locked --all-targets -- -D warnings
cargo test --locked
