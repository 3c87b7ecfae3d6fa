#!/usr/bin/env bash
# The release binary for packages and release artefacts: linked statically against musl, so it
# runs on any Linux of its architecture and loads nothing from the host (a static glibc binary
# still loads the host's NSS modules for DNS). Installs the Rust target and Debian's
# musl-tools (musl-gcc, which the C parts of aws-lc-sys need) when they are missing.
# Prints the binary's path on stdout; everything else goes to stderr.
#
#   scripts/musl.sh                  # the release profile
#   scripts/musl.sh --profile NAME   # other cargo build options instead of --release
set -euo pipefail
cd "$(dirname "$0")/.."
target=$(uname -m)-unknown-linux-musl

if ! rustup target list --installed | grep -qx "$target"; then
    echo "musl: adding the Rust target $target" >&2
    rustup target add "$target" >&2
fi
if ! command -v musl-gcc >/dev/null; then
    echo "musl: installing musl-tools with apt-get" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq musl-tools >/dev/null
fi

# Cargo names the binary it built: the path depends on the target dir and the profile.
binary=$(cargo build --locked --target "$target" "${@:---release}" --message-format=json-render-diagnostics |
    sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)
[ -x "$binary" ] || { echo "musl: cargo build printed no binary" >&2; exit 1; }
echo "$binary"
