#!/usr/bin/env bash
# Builds rsume and runs its main job with no AWS account: starts moto's STS emulator on
# 127.0.0.1, writes sample profiles (an MFA user and a role behind it) into a throwaway
# HOME, runs  eval "$(rsume demo-admin --mfa-token 123456)"  and shows what it got.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --moto-only
# Cargo's progress goes to stderr, so a first build is not mistaken for a hang; its JSON on
# stdout names the binary it built (the target dir and .cargo/config.toml's target decide where).
echo "try: building rsume (cargo build: a debug build of about 180 crates); the first build" >&2
echo "try: takes 2 to 3 minutes on 2 idle cores (longer on a busy machine), later ones seconds" >&2
rsume=$(cargo build --locked --message-format=json-render-diagnostics |
    sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)

demo_home=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
.venv/bin/moto_server -H 127.0.0.1 -p "$port" >"$demo_home/moto.log" 2>&1 &
moto_pid=$!
trap 'kill "$moto_pid" 2>/dev/null; rm -rf "$demo_home"' EXIT
for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
done

mkdir "$demo_home/.aws"
cat >"$demo_home/.aws/config" <<'CONFIG'
[profile demo-user]
mfa_serial = arn:aws:iam::123456789012:mfa/demo-user
region = eu-west-1

[profile demo-admin]
role_arn = arn:aws:iam::123456789012:role/demo-admin
source_profile = demo-user
CONFIG
cat >"$demo_home/.aws/credentials" <<'CREDENTIALS'
[demo-user]
aws_access_key_id = AKIADEMOUSER00000001
aws_secret_access_key = demo-secret-not-real
CREDENTIALS
chmod 600 "$demo_home/.aws/credentials"   # as the AWS CLI writes it; rsume warns otherwise

export HOME="$demo_home" AWS_EC2_METADATA_DISABLED=true
export AWS_ENDPOINT_URL_STS="http://127.0.0.1:$port"
unset AWS_PROFILE AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE AWS_ACCESS_KEY_ID \
    AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_REGION AWS_DEFAULT_REGION

echo "== profiles (rsume -l)"
"$rsume" -l
echo
echo "== eval \"\$(rsume demo-admin --mfa-token 123456)\"   (STS: moto at $AWS_ENDPOINT_URL_STS)"
eval "$("$rsume" demo-admin --mfa-token 123456)"
echo
echo "== what the shell has now"
echo "RSUME_PROFILE=$RSUME_PROFILE"
echo "AWS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID"
echo "AWS_SESSION_TOKEN=${AWS_SESSION_TOKEN:0:16}... (${#AWS_SESSION_TOKEN} characters)"
echo "AWS_CREDENTIAL_EXPIRATION=$AWS_CREDENTIAL_EXPIRATION"
echo "AWS_REGION=$AWS_REGION"
echo
echo "== who STS says we are (GetCallerIdentity with the new credentials)"
.venv/bin/python - <<'PY'
import boto3
print(boto3.client("sts").get_caller_identity()["Arn"])
PY
echo
echo "== again, no code needed: the role comes from the cache, without an STS call"
eval "$("$rsume" demo-admin)"
echo
echo "== eval \"\$(rsume --unset)\""
eval "$("$rsume" --unset)"
echo "AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-<unset>}"
