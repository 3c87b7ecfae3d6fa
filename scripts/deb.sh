#!/usr/bin/env bash
# The Debian package, built with dpkg-deb from the musl binary (scripts/musl.sh): rsume in
# /usr/bin, the man page, and completions where bash-completion, zsh and fish look for
# system-wide ones. Writes target/deb/rsume_VERSION_ARCH.deb (under CARGO_TARGET_DIR if set)
# and prints its path on stdout.
#
#   scripts/deb.sh                    # from the release profile
#   scripts/deb.sh --profile NAME     # cargo build options instead of --release
set -euo pipefail
cd "$(dirname "$0")/.."

binary=$(scripts/musl.sh "$@")
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
arch=$(dpkg --print-architecture)
out_dir=${CARGO_TARGET_DIR:-$PWD/target}/deb
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

install -D -m 755 "$binary" "$root/usr/bin/rsume"
[ -e docs/rsume.1 ] || { echo "deb: docs/rsume.1 is missing (the man page)" >&2; exit 1; }
install -d "$root/usr/share/man/man1"
gzip -9 -n <docs/rsume.1 >"$root/usr/share/man/man1/rsume.1.gz"
declare -A completion=(
    [bash]=usr/share/bash-completion/completions/rsume
    [zsh]=usr/share/zsh/vendor-completions/_rsume
    [fish]=usr/share/fish/vendor_completions.d/rsume.fish
)
for shell in bash zsh fish; do
    install -d "$root/$(dirname "${completion[$shell]}")"
    "$binary" completions "$shell" >"$root/${completion[$shell]}" ||
        { echo "deb: \`rsume completions $shell\` failed" >&2; exit 1; }
done
install -d "$root/usr/share/doc/rsume"
cat >"$root/usr/share/doc/rsume/copyright" <<'COPYRIGHT'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: rsume

Files: *
Copyright: the rsume developers
License: MIT or Apache-2.0
COPYRIGHT
chmod -R u=rwX,go=rX "$root"

install -d "$root/DEBIAN"
cat >"$root/DEBIAN/control" <<CONTROL
Package: rsume
Version: $version
Architecture: $arch
Maintainer: ${DEBFULLNAME:-rsume developers} <${DEBEMAIL:-rsume@localhost}>
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Section: utils
Priority: optional
Description: $(sed -n 's/^description = "\(.*\)"$/\1/p' Cargo.toml)
 rsume turns an AWS profile into MFA-backed temporary credentials in the
 current shell (bash, zsh, fish, PowerShell): eval "\$(rsume PROFILE)", or just
 rsume PROFILE with the wrapper from rsume init.
CONTROL

mkdir -p "$out_dir"
deb=$out_dir/rsume_${version}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >&2
echo "$deb"
