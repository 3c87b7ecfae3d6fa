//! IAM Identity Center as the root of a chain, against a fake portal and SSO-OIDC on
//! 127.0.0.1 and moto for STS: the token `aws sso login` cached, its refresh (when, what is
//! written back, through which network), the message when there is none, MFA on a role
//! above it, and a cached run that calls nobody.

mod support;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, SystemTime};

use support::fake_sso::{FakeSso, REFRESHED_TOKEN};
use support::fake_sts::rfc3339;
use support::moto::moto;
use support::sandbox::{Run, Sandbox};

const CONFIG: &str = "\
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Developer

[profile admin]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = dev
mfa_serial = arn:aws:iam::123456789012:mfa/me

[profile legacy]
sso_start_url = https://old.awsapps.com/start
sso_region = us-east-2
sso_account_id = 222222222222
sso_role_name = ReadOnly
";

const VALID: &str = "valid-access-token";

fn setup(tokens: &[&str]) -> (FakeSso, Sandbox) {
    let sso = FakeSso::start(tokens);
    let sandbox = Sandbox::new(CONFIG, "")
        .env("AWS_ENDPOINT_URL_SSO", &sso.endpoint())
        .env("AWS_ENDPOINT_URL_SSO_OIDC", &sso.endpoint());
    (sso, sandbox)
}

/// `~/.aws/sso/cache/<sha1(identifier)>.json`, where `aws sso login` writes its token.
fn token_file(sandbox: &Sandbox, identifier: &str) -> PathBuf {
    let output = Command::new("sh")
        .args(["-c", "printf %s \"$1\" | sha1sum", "sh", identifier])
        .output()
        .expect("sha1sum");
    let digest = String::from_utf8(output.stdout).unwrap();
    let digest = digest.split_whitespace().next().unwrap().to_owned();
    sandbox
        .home()
        .join(".aws/sso/cache")
        .join(format!("{digest}.json"))
}

/// Writes a token as `aws sso login` does; `refresh` adds the client registration and
/// refresh token that let the SDK renew it.
fn write_token(
    sandbox: &Sandbox,
    identifier: &str,
    token: &str,
    expires: SystemTime,
    refresh: bool,
) {
    let path = token_file(sandbox, identifier);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let registration = if refresh {
        format!(
            r#","clientId":"the-client","clientSecret":"the-client-secret","refreshToken":"the-refresh-token","registrationExpiresAt":"{}""#,
            rfc3339(SystemTime::now() + Duration::from_secs(30 * 86_400))
        )
    } else {
        String::new()
    };
    let json = format!(
        r#"{{"accessToken":"{token}","expiresAt":"{}","region":"eu-west-1","startUrl":"https://corp.awsapps.com/start"{registration}}}"#,
        rfc3339(expires)
    );
    std::fs::write(path, json).unwrap();
}

/// Writes `json` where `aws sso login` writes the token for `identifier`.
fn write_json(sandbox: &Sandbox, identifier: &str, json: &str) -> PathBuf {
    let path = token_file(sandbox, identifier);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, json).unwrap();
    path
}

/// A session's token as the AWS CLI writes it, with its client registration and fields
/// rsume does not read.
fn registered_token(expires: SystemTime, refresh_token: &str, registration: SystemTime) -> String {
    format!(
        r#"{{"startUrl":"https://corp.awsapps.com/start","region":"eu-west-1","accessToken":"old-access-token","expiresAt":"{}","clientId":"the-client","clientSecret":"the-client-secret","registrationExpiresAt":"{}","refreshToken":"{refresh_token}","scopes":["sso:account:access"],"x-extra":{{"kept":true}}}}"#,
        rfc3339(expires),
        rfc3339(registration)
    )
}

fn in_an_hour() -> SystemTime {
    SystemTime::now() + Duration::from_secs(3600)
}

fn an_hour_ago() -> SystemTime {
    SystemTime::now() - Duration::from_secs(3600)
}

fn assume(sandbox: &Sandbox, args: &[&str]) -> Run {
    let mut all = args.to_vec();
    all.extend(["--shell", "bash"]);
    sandbox.run(&all)
}

#[test]
fn a_valid_token_gets_the_role_and_a_second_run_asks_nobody() {
    let (sso, sandbox) = setup(&[VALID]);
    write_token(&sandbox, "corp", VALID, in_an_hour(), false);
    let first = assume(&sandbox, &["dev"]);
    let stdout = first.ok().to_owned();
    assert!(stdout.contains("ASIASSOROLEXXXXXXXXX"), "{stdout}");
    // The account from sso_account_id, on the cached run below too (the same stdout).
    assert!(
        stdout.contains("export AWS_ACCOUNT_ID='111111111111'"),
        "{stdout}"
    );
    let requests = sso.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(requests[0].bearer.as_deref(), Some(VALID));
    assert!(
        requests[0].target.contains("account_id=111111111111")
            && requests[0].target.contains("role_name=Developer"),
        "{requests:?}"
    );
    assert!(!first.stderr.contains(VALID), "{}", first.stderr);
    assert_eq!(sandbox.cache_entries().len(), 1);

    // The cache entry is found by the profile's settings: not even the token is read.
    std::fs::remove_file(token_file(&sandbox, "corp")).unwrap();
    let second = assume(&sandbox, &["dev", "--debug"]);
    assert_eq!(second.ok(), stdout);
    assert!(second.stderr.contains("cache hit"), "{}", second.stderr);
    assert!(
        second.stderr.contains("dev: cached role credentials"),
        "{}",
        second.stderr
    );
    assert_eq!(sso.requests().len(), 1, "the cached run called the portal");
}

#[test]
fn an_expired_token_without_refresh_asks_for_a_login() {
    let (sso, sandbox) = setup(&[VALID]);
    write_token(&sandbox, "corp", VALID, an_hour_ago(), false);
    let run = assume(&sandbox, &["dev"]);
    let stderr = run.failed();
    assert!(stderr.contains("profile 'dev'"), "{stderr}");
    assert!(
        stderr.contains("run `aws sso login --sso-session corp`"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert_eq!(sso.role_requests(), 0);
    assert!(sandbox.cache_entries().is_empty());
}

#[test]
fn an_expiring_token_with_a_refresh_token_is_refreshed_and_written_back() {
    // The portal knows only the token the refresh hands out.
    let (sso, sandbox) = setup(&[]);
    write_token(&sandbox, "corp", "old-access-token", an_hour_ago(), true);
    let run = assume(&sandbox, &["dev"]);
    assert!(run.ok().contains("ASIASSOROLEXXXXXXXXX"), "{}", run.stdout);
    let requests = sso.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert!(requests[0].target.starts_with("/token"), "{requests:?}");
    assert_eq!(requests[1].bearer.as_deref(), Some(REFRESHED_TOKEN));
    let written = std::fs::read_to_string(token_file(&sandbox, "corp")).unwrap();
    assert!(written.contains(REFRESHED_TOKEN), "{written}");
    assert!(written.contains("the-refresh-token"), "{written}");
}

#[test]
fn a_missing_token_file_asks_for_a_login_with_the_session_or_the_profile() {
    let (sso, sandbox) = setup(&[VALID]);
    let stderr = assume(&sandbox, &["dev"]).failed().to_owned();
    assert!(
        stderr.contains("run `aws sso login --sso-session corp`"),
        "{stderr}"
    );
    let stderr = assume(&sandbox, &["legacy"]).failed().to_owned();
    assert!(
        stderr.contains("profile 'legacy'")
            && stderr.contains("run `aws sso login --profile legacy`"),
        "{stderr}"
    );
    assert_eq!(sso.role_requests(), 0);
    assert!(sandbox.cache_entries().is_empty());
}

#[test]
fn a_token_the_portal_refuses_asks_for_a_login() {
    // The legacy form has no refresh; AWS answers an expired token with 401.
    let (sso, sandbox) = setup(&[VALID]);
    write_token(
        &sandbox,
        "https://old.awsapps.com/start",
        "stale-token",
        an_hour_ago(),
        false,
    );
    let stderr = assume(&sandbox, &["legacy"]).failed().to_owned();
    assert!(
        stderr.contains("refused") && stderr.contains("run `aws sso login --profile legacy`"),
        "{stderr}"
    );
    assert!(!stderr.contains("stale-token"), "{stderr}");
    assert_eq!(sso.role_requests(), 1);
    assert!(sandbox.cache_entries().is_empty());
}

#[test]
fn a_role_with_mfa_above_sso_takes_the_code_and_is_cached() {
    let (sso, sandbox) = setup(&[VALID]);
    let sandbox = sandbox.endpoint(&moto().endpoint());
    write_token(&sandbox, "corp", VALID, in_an_hour(), false);

    // The code goes to AssumeRole: without one there is nothing to send.
    let stderr = assume(&sandbox, &["admin"]).failed().to_owned();
    assert!(stderr.contains("--mfa-token"), "{stderr}");

    let first = assume(&sandbox, &["admin", "--mfa-token", "975310", "--debug"]);
    let stdout = first.ok().to_owned();
    assert!(
        first.stderr.contains("SSO role Developer in 111111111111"),
        "{}",
        first.stderr
    );
    assert!(
        !first.stderr.contains("GetSessionToken"),
        "{}",
        first.stderr
    );
    assert!(stdout.contains("AWS_ACCESS_KEY_ID"), "{stdout}");
    assert!(
        !stdout.contains("ASIASSOROLEXXXXXXXXX"),
        "the role's keys, not SSO's"
    );
    let portal_calls = sso.role_requests();
    assert!(portal_calls >= 1);

    // Cached: no code, no portal, no STS (no runtime is even built).
    let second = assume(&sandbox, &["admin", "--debug"]);
    assert_eq!(second.ok(), stdout);
    assert!(!second.stderr.contains("STS region"), "{}", second.stderr);
    assert_eq!(sso.role_requests(), portal_calls);
}

#[test]
fn the_portal_is_reached_through_the_users_proxy_and_ca_bundle() {
    use support::proxy::ConnectProxy;
    use support::tls::{TestCa, TlsFront};
    let (sso, sandbox) = setup(&[VALID]);
    let port: u16 = sso.endpoint().rsplit(':').next().unwrap().parse().unwrap();
    let ca = TestCa::new();
    let front = TlsFront::start(&ca, port);
    let proxy = ConnectProxy::start();
    let sandbox = sandbox
        .env("AWS_ENDPOINT_URL_SSO", &front.url())
        .env("HTTPS_PROXY", &proxy.url());
    write_token(&sandbox, "corp", VALID, in_an_hour(), false);

    // The portal's certificate is signed by a CA only the bundle names.
    let refused = assume(&sandbox, &["dev", "--no-cache"]);
    assert!(refused.failed().contains("dev"), "{}", refused.stderr);
    assert_eq!(sso.role_requests(), 0);

    let sandbox = sandbox.env("AWS_CA_BUNDLE", &ca.bundle().display().to_string());
    let run = assume(&sandbox, &["dev", "--no-cache"]);
    assert!(run.ok().contains("ASIASSOROLEXXXXXXXXX"), "{}", run.stderr);
    assert_eq!(sso.role_requests(), 1);
    let tunnels = proxy.requests();
    assert!(
        tunnels
            .iter()
            .any(|r| r.contains(&format!(":{}", front.port()))),
        "the proxy saw {tunnels:?}"
    );
}

#[test]
fn a_token_within_five_minutes_of_expiry_is_refreshed_and_every_field_kept_privately() {
    use std::os::unix::fs::PermissionsExt;
    let (sso, sandbox) = setup(&["old-access-token"]);
    let soon = SystemTime::now() + Duration::from_secs(120);
    let in_a_month = SystemTime::now() + Duration::from_secs(30 * 86_400);
    let path = write_json(
        &sandbox,
        "corp",
        &registered_token(soon, "the-refresh-token", in_a_month),
    );
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let run = assume(&sandbox, &["dev"]);
    assert!(run.ok().contains("ASIASSOROLEXXXXXXXXX"), "{}", run.stderr);
    let requests = sso.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert!(requests[0].target.starts_with("/token"), "{requests:?}");
    assert_eq!(requests[1].bearer.as_deref(), Some(REFRESHED_TOKEN));
    for secret in ["the-client-secret", "the-refresh-token", REFRESHED_TOKEN] {
        assert!(!run.stderr.contains(secret), "{}", run.stderr);
    }

    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(written["accessToken"], REFRESHED_TOKEN);
    let expires = rsume::time::parse_rfc3339(written["expiresAt"].as_str().unwrap()).unwrap();
    let ahead = expires.duration_since(SystemTime::now()).unwrap().as_secs();
    assert!((28_700..=28_800).contains(&ahead), "{written}");
    assert_eq!(written["refreshToken"], "the-refresh-token");
    assert_eq!(written["clientId"], "the-client");
    assert_eq!(written["clientSecret"], "the-client-secret");
    assert_eq!(written["registrationExpiresAt"], rfc3339(in_a_month));
    assert_eq!(written["startUrl"], "https://corp.awsapps.com/start");
    assert_eq!(written["region"], "eu-west-1");
    assert_eq!(written["scopes"], serde_json::json!(["sso:account:access"]));
    assert_eq!(written["x-extra"], serde_json::json!({"kept": true}));
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{mode:o}");
    let dir = std::fs::read_dir(path.parent().unwrap()).unwrap().count();
    assert_eq!(dir, 1, "no temporary file is left");
}

#[test]
fn a_token_far_from_expiry_is_used_as_it_is() {
    let (sso, sandbox) = setup(&["old-access-token"]);
    let in_a_month = SystemTime::now() + Duration::from_secs(30 * 86_400);
    let json = registered_token(in_an_hour(), "the-refresh-token", in_a_month);
    let path = write_json(&sandbox, "corp", &json);
    assert!(
        assume(&sandbox, &["dev"])
            .ok()
            .contains("ASIASSOROLEXXXXXXXXX")
    );
    let requests = sso.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(requests[0].bearer.as_deref(), Some("old-access-token"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), json);
}

#[test]
fn a_refresh_sso_oidc_refuses_leaves_the_file_and_asks_for_a_login() {
    let (sso, sandbox) = setup(&[]);
    let in_a_month = SystemTime::now() + Duration::from_secs(30 * 86_400);
    let json = registered_token(an_hour_ago(), "a-revoked-refresh-token", in_a_month);
    let path = write_json(&sandbox, "corp", &json);
    let run = assume(&sandbox, &["dev", "--debug"]);
    let stderr = run.failed();
    assert!(
        stderr.contains("run `aws sso login --sso-session corp`"),
        "{stderr}"
    );
    assert!(stderr.contains("InvalidGrantException"), "{stderr}");
    assert!(!stderr.contains("a-revoked-refresh-token"), "{stderr}");
    assert!(!stderr.contains("the-client-secret"), "{stderr}");
    let requests = sso.requests();
    assert!(requests[0].target.starts_with("/token"), "{requests:?}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), json);
    assert!(sandbox.cache_entries().is_empty());
}

#[test]
fn an_expired_token_whose_registration_expired_is_not_refreshed() {
    let (sso, sandbox) = setup(&[]);
    let json = registered_token(an_hour_ago(), "the-refresh-token", an_hour_ago());
    write_json(&sandbox, "corp", &json);
    let stderr = assume(&sandbox, &["dev"]).failed().to_owned();
    assert!(
        stderr.contains("expired and cannot be refreshed")
            && stderr.contains("run `aws sso login --sso-session corp`"),
        "{stderr}"
    );
    assert!(sso.requests().is_empty(), "{:?}", sso.requests());
}

#[test]
fn the_refresh_goes_through_the_users_proxy_and_ca_bundle() {
    use support::proxy::ConnectProxy;
    use support::tls::{TestCa, TlsFront};
    let (sso, sandbox) = setup(&[]);
    let port: u16 = sso.endpoint().rsplit(':').next().unwrap().parse().unwrap();
    let ca = TestCa::new();
    let front = TlsFront::start(&ca, port);
    let proxy = ConnectProxy::start();
    let sandbox = sandbox
        .env("AWS_ENDPOINT_URL_SSO", &front.url())
        .env("AWS_ENDPOINT_URL_SSO_OIDC", &front.url())
        .env("HTTPS_PROXY", &proxy.url())
        .env("AWS_CA_BUNDLE", &ca.bundle().display().to_string());
    let in_a_month = SystemTime::now() + Duration::from_secs(30 * 86_400);
    let json = registered_token(an_hour_ago(), "the-refresh-token", in_a_month);
    write_json(&sandbox, "corp", &json);
    let run = assume(&sandbox, &["dev"]);
    assert!(run.ok().contains("ASIASSOROLEXXXXXXXXX"), "{}", run.stderr);
    let requests = sso.requests();
    assert!(requests[0].target.starts_with("/token"), "{requests:?}");
    assert_eq!(requests[1].bearer.as_deref(), Some(REFRESHED_TOKEN));
    // Each client opens its own tunnel: SSO OIDC's and the portal's.
    let tunnels = proxy.requests();
    assert!(tunnels.len() >= 2, "the proxy saw {tunnels:?}");
    let front = format!(":{}", front.port());
    assert!(tunnels.iter().all(|r| r.contains(&front)), "{tunnels:?}");
}
