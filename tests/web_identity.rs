//! A chain rooted in a web identity token (`web_identity_token_file` + `role_arn`, or the
//! `AWS_WEB_IDENTITY_TOKEN_FILE` / `AWS_ROLE_ARN` variables): AssumeRoleWithWebIdentity
//! against moto, and against the fake STS where the requests themselves are checked.

mod support;

use std::time::Duration;

use support::fake_sts::{FakeCreds, FakeSts, Reply};
use support::moto::moto;
use support::sandbox::{Run, Sandbox};

const ALICE_MFA: &str = "arn:aws:iam::123456789012:mfa/alice";

/// `ci` is rooted in the token file `token` in HOME; `admin` is a role above it with MFA.
fn config(home: &std::path::Path) -> String {
    format!(
        "\
[profile ci]
role_arn = arn:aws:iam::123456789012:role/ci
web_identity_token_file = {}/token
role_session_name = build-7

[profile admin]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = ci
mfa_serial = {ALICE_MFA}

[profile settings]
region = eu-west-1
",
        home.display()
    )
}

/// A sandbox whose config names its own HOME's token file, holding a token.
fn with_token(base: Sandbox) -> Sandbox {
    std::fs::write(base.path(".aws/config"), config(base.home())).unwrap();
    std::fs::write(base.path("token"), "eyJhbGciOiJSUzI1NiJ9.ci-token.sig\n").unwrap();
    base
}

fn assume(sandbox: &Sandbox, args: &[&str]) -> Run {
    let mut all = args.to_vec();
    all.extend(["--shell", "bash"]);
    sandbox.run(&all)
}

/// STS's AssumeRoleWithWebIdentity reply, as the fake STS has no builder for it.
fn web_identity_reply(creds: &FakeCreds) -> Reply {
    let body = format!(
        "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">
  <AssumeRoleWithWebIdentityResult>
    <Credentials>
      <AccessKeyId>{}</AccessKeyId>
      <SecretAccessKey>{}</SecretAccessKey>
      <SessionToken>{}</SessionToken>
      <Expiration>{}</Expiration>
    </Credentials>
    <SubjectFromWebIdentityToken>system:serviceaccount:ci:builder</SubjectFromWebIdentityToken>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/ci/build-7</Arn>
      <AssumedRoleId>AROACLKWSDQRAOEXAMPLE:build-7</AssumedRoleId>
    </AssumedRoleUser>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>
",
        creds.access_key_id,
        creds.secret_access_key,
        creds.session_token,
        creds.expiration_rfc3339()
    );
    Reply::raw(200, &[("Content-Type", "text/xml")], body)
}

#[test]
fn a_token_file_profile_is_a_root_and_its_role_is_cached() {
    let sandbox = with_token(Sandbox::new("", "").endpoint(&moto().endpoint()));
    let shell = sandbox.eval_in("bash", &["ci"]);
    shell.run.ok();
    assert!(
        shell.vars["AWS_ACCESS_KEY_ID"].starts_with("ASIA"),
        "{:?}",
        shell.vars
    );
    assert!(!shell.vars["AWS_SESSION_TOKEN"].is_empty());
    assert_eq!(shell.vars["RSUME_PROFILE"], "ci");
    assert!(
        shell.run.stderr.contains("new role credentials"),
        "{}",
        shell.run.stderr
    );
    assert_eq!(Sandbox::entries_in(&sandbox.cache_dir()).len(), 1);
}

#[test]
fn a_role_above_a_web_identity_root_takes_the_mfa_code_in_its_assume_role() {
    let sandbox = with_token(Sandbox::new("", "").endpoint(&moto().endpoint()));
    let shell = sandbox.eval_in("bash", &["admin", "--mfa-token", "123456"]);
    shell.run.ok();
    assert!(shell.vars["AWS_ACCESS_KEY_ID"].starts_with("ASIA"));
    assert_eq!(shell.vars["RSUME_PROFILE"], "admin");
    // The web identity role and the admin role: no MFA session, which these keys cannot get.
    assert_eq!(Sandbox::entries_in(&sandbox.cache_dir()).len(), 2);
}

#[test]
fn the_requests_carry_the_token_and_the_code_and_a_cached_run_sends_none() {
    let hour = Duration::from_secs(3600);
    let sts = FakeSts::start(vec![
        web_identity_reply(&FakeCreds::new("webid", hour)),
        Reply::assume_role(
            &FakeCreds::new("admin", hour),
            "arn:aws:iam::123456789012:role/admin",
        ),
    ]);
    let sandbox = with_token(Sandbox::new("", "").endpoint(&sts.endpoint()));
    let first = assume(&sandbox, &["admin", "--mfa-token", "975310"]);
    assert!(first.ok().contains("ASIAADMIN"), "{}", first.stdout);
    assert_eq!(
        sts.actions(),
        ["AssumeRoleWithWebIdentity", "AssumeRole"],
        "no GetSessionToken with temporary credentials"
    );
    let requests = sts.requests();
    let web = &requests[0];
    assert_eq!(
        web.field("WebIdentityToken"),
        Some("eyJhbGciOiJSUzI1NiJ9.ci-token.sig")
    );
    assert_eq!(web.field("RoleSessionName"), Some("build-7"));
    assert_eq!(
        web.field("RoleArn"),
        Some("arn:aws:iam::123456789012:role/ci")
    );
    assert_eq!(web.header("authorization"), None, "the call is not signed");
    let role = &requests[1];
    assert_eq!(role.field("SerialNumber"), Some(ALICE_MFA));
    assert_eq!(role.field("TokenCode"), Some("975310"));
    assert_eq!(role.access_key_id(), Some("ASIAWEBIDXXXXXXXXXXX"));

    // The cached run reads neither the token file nor the network, and needs no code.
    std::fs::remove_file(sandbox.path("token")).unwrap();
    let second = assume(&sandbox, &["admin"]);
    assert!(second.ok().contains("ASIAADMIN"));
    assert!(
        second.stderr.contains("cached role credentials"),
        "{}",
        second.stderr
    );
    assert_eq!(sts.request_count(), 2);
}

#[test]
fn the_variables_serve_a_profile_without_credentials() {
    let sandbox = with_token(Sandbox::new("", "").endpoint(&moto().endpoint()));
    let token = sandbox.path("token").display().to_string();
    let sandbox = sandbox
        .env("AWS_WEB_IDENTITY_TOKEN_FILE", &token)
        .env("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/from-env")
        .env("AWS_ROLE_SESSION_NAME", "pod-1");
    let shell = sandbox.eval_in("bash", &["settings"]);
    shell.run.ok();
    assert!(shell.vars["AWS_ACCESS_KEY_ID"].starts_with("ASIA"));
    assert_eq!(shell.vars["AWS_REGION"], "eu-west-1");
}

#[test]
fn an_unreadable_token_file_is_one_clear_line_and_caches_nothing() {
    let sts = FakeSts::start(vec![web_identity_reply(&FakeCreds::new(
        "webid",
        Duration::from_secs(3600),
    ))]);
    let sandbox = with_token(Sandbox::new("", "").endpoint(&sts.endpoint()));
    std::fs::remove_file(sandbox.path("token")).unwrap();
    let run = assume(&sandbox, &["ci"]);
    let stderr = run.failed();
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("profile 'ci'"), "{stderr}");
    assert!(stderr.contains("web_identity_token_file"), "{stderr}");
    assert!(stderr.contains("/token"), "{stderr}");
    assert_eq!(sts.request_count(), 0);
    assert!(Sandbox::entries_in(&sandbox.cache_dir()).is_empty());
}

#[test]
fn a_token_file_without_role_arn_is_refused_before_any_call() {
    let sandbox = Sandbox::new("[profile ci]\nweb_identity_token_file = /nowhere\n", "");
    let stderr = assume(&sandbox, &["ci"]).failed().to_owned();
    assert!(stderr.contains("no role_arn"), "{stderr}");
    assert!(stderr.contains("config:2"), "{stderr}");
}
