#!/usr/bin/env bash
# rsume against the floor (a static musl program that does nothing), /bin/true, AWSume and
# the AWS CLI v2 on the same profiles, all answered by local moto, timed by hyperfine; page
# faults (perf stat) and instructions (callgrind, the same on a loaded machine) for start-up
# and the cached role. Every rsume case is also printed as a ratio to the floor. Writes the
# tables to bench/results.md (gitignored) and prints them.
#
#   bench/compare.sh                  # about 5 minutes; needs root (or sudo) for apt-get
#   RUNS=200 bench/compare.sh         # more runs, steadier numbers
#   COMPETITORS=0 bench/compare.sh    # rsume and the floors only (no AWSume, no AWS CLI)
#   RSUME_BIN=path bench/compare.sh   # time this binary instead of `cargo build --release`'s
#
# rsume and AWSume (boto3 honours AWS_ENDPOINT_URL_STS) reach moto_server over plain HTTP.
# The AWS CLI 2.9 from Debian does not honour that variable, so it goes through moto_proxy
# (HTTPS_PROXY, with moto's CA bundle). Cached runs make no network call in rsume or the
# AWS CLI; AWSume calls AssumeRole on every run (it caches only MFA sessions).
# The cached-role run also times rsume on roles whose root is IAM Identity Center (a fake
# portal on 127.0.0.1, stopped once the cache is primed) and a credential_process (a script
# that counts its runs): those cached runs start no process and call nobody.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
runs=${RUNS:-50}
competitors=${COMPETITORS:-1}

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
packages=()
command -v hyperfine >/dev/null || packages+=(hyperfine)
command -v musl-gcc >/dev/null || packages+=(musl-tools)
command -v valgrind >/dev/null || packages+=(valgrind)
command -v perf >/dev/null || packages+=(linux-perf)
[ "$competitors" = 0 ] || [ -x /usr/bin/aws ] || packages+=(awscli)
if [ "${#packages[@]}" -gt 0 ]; then
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${packages[@]}" >/dev/null
fi
venv=$repo/bench/.venv
if [ "$competitors" = 0 ] && [ -n "${RSUME_MOTO_SERVER:-}" ]; then
    venv=$(dirname "$(dirname "$RSUME_MOTO_SERVER")")
elif ! "$venv/bin/awsumepy" --version >/dev/null 2>&1; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check 'moto[server]==5.2.5' 'awsume==4.5.4'
fi
# The binary `cargo build --release` makes, wherever the target dir and target put it.
rsume=${RSUME_BIN:-$(cargo build --release --locked --message-format=json-render-diagnostics |
    sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)}

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return; sleep 0.1; done; echo "port $1 never opened" >&2; exit 1; }
server_port=$(free_port)
"$venv/bin/moto_server" -H 127.0.0.1 -p "$server_port" >"$work/server.log" 2>&1 &
pids+=($!)
proxy_port=$(free_port)
"$venv/bin/moto_proxy" -H 127.0.0.1 -p "$proxy_port" >"$work/proxy.log" 2>&1 &
pids+=($!)
wait_port "$server_port"
wait_port "$proxy_port"
ca=$("$venv/bin/python" -c 'import moto.moto_proxy, os; print(os.path.join(os.path.dirname(moto.moto_proxy.__file__), "ca.crt"))')

mkdir "$work/.aws"
cat >"$work/.aws/config" <<'CONFIG'
[profile static]
region = eu-west-1

[profile mfa-user]
mfa_serial = arn:aws:iam::123456789012:mfa/bench
region = eu-west-1

[profile role]
role_arn = arn:aws:iam::123456789012:role/bench
source_profile = static
region = eu-west-1
CONFIG
cat >"$work/.aws/credentials" <<'CREDENTIALS'
[static]
aws_access_key_id = AKIABENCHSTATIC00001
aws_secret_access_key = bench-secret-not-real

[mfa-user]
aws_access_key_id = AKIABENCHMFAUSER0001
aws_secret_access_key = bench-secret-not-real
CREDENTIALS
chmod 600 "$work/.aws/credentials"

# A role above IAM Identity Center: the token `aws sso login` would have cached, and a fake
# portal answering GetRoleCredentials, stopped once the cache is primed.
cat >>"$work/.aws/config" <<'CONFIG'

[sso-session bench]
sso_start_url = https://bench.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile sso-user]
sso_session = bench
sso_account_id = 111111111111
sso_role_name = Developer
region = eu-west-1

[profile sso-role]
role_arn = arn:aws:iam::123456789012:role/bench-sso
source_profile = sso-user
region = eu-west-1
CONFIG
in_an_hour=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
mkdir -p "$work/.aws/sso/cache"
cat >"$work/.aws/sso/cache/$(printf %s bench | sha1sum | cut -d' ' -f1).json" <<TOKEN
{"accessToken":"bench-sso-token","expiresAt":"$in_an_hour","region":"eu-west-1","startUrl":"https://bench.awsapps.com/start"}
TOKEN
portal_port=$(free_port)
python3 - "$portal_port" >"$work/portal.log" 2>&1 <<'PY' &
import http.server, json, sys, time
class Portal(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        known = self.headers.get("x-amz-sso_bearer_token") == "bench-sso-token"
        if not self.path.startswith("/federation/credentials") or not known:
            self.send_response(401)
            self.send_header("x-amzn-errortype", "UnauthorizedException")
            self.end_headers()
            return
        body = json.dumps({"roleCredentials": {
            "accessKeyId": "ASIABENCHSSOROLE0001", "secretAccessKey": "bench-secret-not-real",
            "sessionToken": "bench-sso-session-token",
            "expiration": int((time.time() + 3600) * 1000)}}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Portal).serve_forever()
PY
portal_pid=$!
pids+=("$portal_pid")
wait_port "$portal_port"

# A role above a credential_process: a script printing temporary keys, counting its runs.
cat >"$work/creds" <<SCRIPT
#!/bin/sh
echo run >>"$work/creds-runs"
printf '%s\n' '{"Version": 1, "AccessKeyId": "ASIABENCHPROCESS001", "SecretAccessKey": "bench-secret-not-real", "SessionToken": "bench-process-token", "Expiration": "$in_an_hour"}'
SCRIPT
chmod +x "$work/creds"
cat >>"$work/.aws/config" <<CONFIG

[profile process-user]
credential_process = $work/creds
region = eu-west-1

[profile process-role]
role_arn = arn:aws:iam::123456789012:role/bench-process
source_profile = process-user
region = eu-west-1
CONFIG

export HOME=$work AWS_EC2_METADATA_DISABLED=true AWS_ENDPOINT_URL_STS="http://127.0.0.1:$server_port" \
    AWS_ENDPOINT_URL_SSO="http://127.0.0.1:$portal_port"
unset AWS_PROFILE AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
awsume="$venv/bin/awsumepy"
aws="env HTTPS_PROXY=http://127.0.0.1:$proxy_port AWS_CA_BUNDLE=$ca /usr/bin/aws configure export-credentials --format env"

# Prime every cache once, and check each tool works here before timing it.
"$rsume" mfa-user --mfa-token 123456 --shell bash >/dev/null 2>&1
"$rsume" role --shell bash >/dev/null 2>&1
if [ "$competitors" != 0 ]; then
    "$awsume" mfa-user --mfa-token 123456 >/dev/null 2>&1
    $aws --profile role >/dev/null
fi
"$rsume" sso-role --shell bash >/dev/null 2>"$work/prime.log" || { cat "$work/prime.log" >&2; exit 1; }
"$rsume" process-role --shell bash >/dev/null 2>"$work/prime.log" || { cat "$work/prime.log" >&2; exit 1; }
# From here the SSO and process roles must come from the cache alone: the portal is gone
# (a call to it would fail the run) and the script's runs are counted at the end.
kill "$portal_pid"
wait "$portal_pid" 2>/dev/null || true
for profile in role sso-role process-role; do
    debug=$("$rsume" "$profile" --shell bash --debug 2>&1 >/dev/null)
    grep -q "cache hit" <<<"$debug" || { echo "rsume $profile: no cache hit after priming" >&2; exit 1; }
done

# The floor: a static musl program that does nothing, the least a process can cost here. And
# the bare HTTP client for the cold path: a static C program that sends one GetSessionToken
# to moto and reads the answer (unsigned: moto checks no signature), so rsume's time over it
# is rsume's own.
cat >"$work/noop.c" <<'C'
int main(void) { return 0; }
C
cat >"$work/bare.c" <<'C'
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv) {
    const char *body = "Action=GetSessionToken&Version=2011-06-15&DurationSeconds=43200"
                       "&SerialNumber=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Fbench&TokenCode=123456";
    char request[1024], answer[65536];
    int length = snprintf(request, sizeof request,
        "POST / HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        /* moto picks the service from the credential scope; it checks no signature. */
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIABENCHMFAUSER0001/20260101/eu-west-1/sts/"
        "aws4_request, SignedHeaders=host, Signature=0\r\n"
        "Content-Length: %zu\r\nConnection: close\r\n\r\n%s", argv[1], strlen(body), body);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1]))};
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (argc < 2 || connect(s, (struct sockaddr *)&to, sizeof to) != 0) return 1;
    if (write(s, request, length) != length) return 1;
    ssize_t got, total = 0;
    while ((got = read(s, answer + total, sizeof answer - 1 - total)) > 0) total += got;
    answer[total] = 0;
    return strstr(answer, "<SessionToken>") ? 0 : 1;
}
C
musl-gcc -static -O2 -o "$work/noop" "$work/noop.c"
musl-gcc -static -O2 -o "$work/bare" "$work/bare.c"
floor=$work/noop
bare="$work/bare $server_port"
$bare || { echo "the bare client got no session token from moto" >&2; exit 1; }

# rsume -l over 5,000 profiles as a large organisation writes them: a third MFA users, two
# thirds roles above them, so the table shows inherited MFA devices and regions.
python3 - "$work/big-config" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(5000):
        if i % 3 == 0:
            f.write(f"[profile p{i}]\nmfa_serial = arn:aws:iam::123456789012:mfa/u{i}\nregion = eu-west-1\n\n")
        else:
            f.write(f"[profile p{i}]\nrole_arn = arn:aws:iam::123456789012:role/r{i}\nsource_profile = p{i - i % 3}\n\n")
PY
AWS_CONFIG_FILE=$work/big-config "$rsume" -l | grep "eu-west-1 (from p0)" >/dev/null ||
    { echo "rsume -l does not show the inherited region" >&2; exit 1; }

results=$repo/bench/results.md
{
    echo "# rsume benchmark, $(date -u "+%Y-%m-%d %H:%M") UTC"
    echo
    echo "$(nproc) cores, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg); rsume $("$rsume" --version | cut -d' ' -f2-), $(stat -c %s "$rsume") bytes; moto 5.2.5; $runs runs each."
    [ "$competitors" = 0 ] || echo "AWSume 4.5.4, $(/usr/bin/aws --version | cut -d' ' -f1)."
} >"$results"

# hyperfine's markdown shows means; the targets are medians, so the table is made here, with
# each median against rsume's and, when the floor ran in the same run, against the floor.
median_table() {
    python3 - "$1" <<'PY'
import json, statistics, sys
results = json.load(open(sys.argv[1]))["results"]
medians = {r["command"]: statistics.median(r["times"]) for r in results}
rsume = medians.get("rsume", medians[results[0]["command"]])
floor = medians.get("floor")
print("| command | median [ms] | mean [ms] | min [ms] | max [ms] | CPU [ms] | median vs rsume | × floor |")
print("|:---|---:|---:|---:|---:|---:|---:|---:|")
for r in results:
    median = medians[r["command"]]
    cpu = (r["user"] + r["system"]) * 1000
    ratio = f"{median / floor:.2f}x" if floor else "–"
    print(f"| `{r['command']}` | {median * 1000:.2f} | {r['mean'] * 1000:.2f} | "
          f"{r['min'] * 1000:.2f} | {r['max'] * 1000:.2f} | {cpu:.2f} | {median / rsume:.2f}x | {ratio} |")
if "bare HTTP client" in medians and "rsume" in medians:
    over = (medians["rsume"] - medians["bare HTTP client"]) * 1000
    cpu = next((r["user"] + r["system"]) * 1000 for r in results if r["command"] == "rsume")
    print()
    print(f"- rsume over the bare client's round trip: {over:.2f} ms (target ≤ 3 ms); "
          f"rsume's own CPU {cpu:.2f} ms (target ≤ 4 ms).")
PY
}

scenario() {
    local title=$1; shift
    echo
    echo "## $title"
    hyperfine -N --warmup 5 --runs "$runs" --style basic --export-json "$work/run.json" "$@" >&2
    { echo; echo "## $title"; echo; median_table "$work/run.json"; } >>"$results"
}
# The competitors' commands, when they run.
others() { [ "$competitors" = 0 ] || printf '%s\n' "$@"; }

mapfile -t vs < <(others -n awsume "$awsume static" -n "aws export-credentials" "$aws --profile static")
scenario "static keys" -n floor "$floor" -n rsume "$rsume static --shell bash" "${vs[@]}"
mapfile -t vs < <(others -n awsume "$awsume mfa-user")
scenario "MFA user, cached session (the AWS CLI has no MFA sessions for users)" \
    -n floor "$floor" -n rsume "$rsume mfa-user --shell bash" "${vs[@]}"
mapfile -t vs < <(others -n awsume "$awsume role" -n "aws export-credentials" "$aws --profile role")
scenario "start-up and the cached role, beside the floor and /bin/true; rsume also with SSO and process roots" \
    -n floor "$floor" \
    -n /bin/true /bin/true \
    -n "rsume --version" "$rsume --version" \
    -n rsume "$rsume role --shell bash" \
    -n "rsume, SSO root" "$rsume sso-role --shell bash" \
    -n "rsume, process root" "$rsume process-role --shell bash" \
    "${vs[@]}"
process_runs=$(wc -l <"$work/creds-runs")
[ "$process_runs" -eq 1 ] ||
    { echo "the credential_process ran $process_runs times, once expected (priming)" >&2; exit 1; }
# Through the wrapper as a person types it: one bash, the wrapper loaded once, then
# 100 cached runs of `rsume role`; beside it the same bash evaluating `eval "$(rsume role)"`
# 100 times, the process starts the wrapper must not add to (docs/shells.md, "The wrapper").
"$rsume" init bash >"$work/wrapper.bash"
cat >"$work/through-wrapper.bash" <<SCRIPT
PATH=$(dirname "$rsume"):\$PATH
. "$work/wrapper.bash"
for _ in \$(seq 100); do rsume role -q || exit 1; done
SCRIPT
cat >"$work/through-eval.bash" <<SCRIPT
for _ in \$(seq 100); do eval "\$("$rsume" role -q --shell bash)" || exit 1; done
SCRIPT
scenario "role, cached, 100 runs in one bash: through the wrapper and with eval" \
    -n "100 x rsume role (wrapper)" "bash --norc --noprofile $work/through-wrapper.bash" \
    -n "100 x eval \"\$(rsume role)\"" "bash --norc --noprofile $work/through-eval.bash"

mapfile -t vs < <(others -n awsume "$awsume role" -n "aws export-credentials" "$aws --profile role")
scenario "role, cold (cache cleared before each run)" \
    --prepare "rm -rf $work/.cache/rsume $work/.aws/cli/cache" \
    -n floor "$floor" -n rsume "$rsume role --shell bash" "${vs[@]}"
scenario "MFA user, cold (cache cleared before each run), beside a bare HTTP client's GetSessionToken" \
    --prepare "rm -rf $work/.cache/rsume" \
    -n floor "$floor" \
    -n "bare HTTP client" "$bare" \
    -n rsume "$rsume mfa-user --mfa-token 123456 --shell bash"
scenario "rsume -l over 5,000 profiles (a third MFA users, two thirds roles)" \
    -n floor "$floor" \
    -n "rsume -l" "env AWS_CONFIG_FILE=$work/big-config $rsume -l"

# Counts that do not depend on the machine's load: page faults (perf stat, mean of 50 runs)
# and instructions (callgrind, one run) of each case.
"$rsume" mfa-user --mfa-token 123456 --shell bash >/dev/null 2>&1
counters() {
    local name=$1; shift
    local faults instructions
    perf stat -x, -o "$work/perf.txt" -e page-faults -r 50 "$@" >/dev/null 2>&1
    faults=$(grep page-faults "$work/perf.txt" | cut -d, -f1)
    instructions=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
        sed -n 's/.*Collected : //p')
    echo "$name $faults $instructions"
}
{
    counters floor "$floor"
    counters /bin/true /bin/true
    counters "rsume --version" "$rsume" --version
    counters "rsume role (cached)" "$rsume" role --shell bash
    counters "rsume mfa-user (cached)" "$rsume" mfa-user --shell bash
    AWS_CONFIG_FILE=$work/big-config counters "rsume -l (5,000 profiles)" "$rsume" -l
} >"$work/counters.txt"
{
    echo
    echo "## page faults and instructions"
    echo
    echo "| command | page faults | instructions | faults × floor | instructions × floor |"
    echo "|:---|---:|---:|---:|---:|"
    python3 - "$work/counters.txt" <<'PY'
import sys
rows = [line.rsplit(" ", 2) for line in open(sys.argv[1]).read().splitlines()]
floor_faults, floor_instructions = float(rows[0][1]), float(rows[0][2].replace(",", ""))
for name, faults, instructions in rows:
    n = float(instructions.replace(",", ""))
    print(f"| `{name}` | {float(faults):.0f} | {n:,.0f} | {float(faults) / floor_faults:.1f}x | {n / floor_instructions:,.0f}x |")
PY
    echo
    echo "Release binary: $(stat -c %s "$rsume") bytes."
} >>"$results"
cat "$results"
