#!/usr/bin/env bash
# Installs what the tests need and the machine may lack: zsh and fish, bash-completion (the
# package's completion check in .ci/run), oathtool (TOTP codes
# for tests/mfa.rs) and zbarimg (package zbar-tools, reads QR codes back) from Debian, and
# moto's server in a Python venv at .venv. Safe to run again: it skips what is there.
# Usage: scripts/setup.sh [--moto-only]
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" != "--moto-only" ]; then
    missing=()
    # program:package
    for pair in bash:bash zsh:zsh fish:fish oathtool:oathtool zbarimg:zbar-tools; do
        command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
    done
    # bash-completion is a file, not a program: CI's package check loads it the way an
    # interactive bash does.
    [ -f /usr/share/bash-completion/bash_completion ] || missing+=(bash-completion)
    if [ "${#missing[@]}" -gt 0 ]; then
        echo "setup: installing ${missing[*]} with apt-get" >&2
        sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
fi

if ! .venv/bin/moto_server --help >/dev/null 2>&1 || ! [ -x .venv/bin/aws ]; then
    echo "setup: installing moto and the AWS CLI into .venv (scripts/requirements-test.txt)" >&2
    rm -rf .venv
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check -r scripts/requirements-test.txt
fi
