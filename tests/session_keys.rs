//! What kind of keys a chain starts from, decided by the keys: temporary keys (with a
//! session token) in the credentials file or the environment send the MFA code with the
//! AssumeRole, never to GetSessionToken (which STS refuses to temporary keys), and a bare
//! `credential_source = Environment` runs on the environment's keys. The fake STS shows
//! which call carried the code and which keys signed it.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, SystemTime};

use support::fake_sts::{FakeCreds, FakeSts, Reply, Request, rfc3339};
use support::sandbox::{BIN, Sandbox};

const MFA: &str = "arn:aws:iam::123456789012:mfa/alice";
const ROLE: &str = "arn:aws:iam::123456789012:role/admin";
const TEMP_KEY: &str = "ASIATEMPKEYSEXAMPLE1";
const TEMP_TOKEN: &str = "TOKEN-temp-IQoJb3JpZ2luX2VjEAoaCXVz+/==";

const CONFIG: &str = "\
[profile admin]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = temp
mfa_serial = arn:aws:iam::123456789012:mfa/alice

[profile envrole]
role_arn = arn:aws:iam::123456789012:role/admin
credential_source = Environment
mfa_serial = arn:aws:iam::123456789012:mfa/alice

[profile from-env]
credential_source = Environment
region = eu-west-1

[profile proc]
credential_process = creds
";

fn credentials() -> String {
    let expiration = rfc3339(SystemTime::now() + Duration::from_secs(3600));
    format!(
        "[temp]\naws_access_key_id = {TEMP_KEY}\naws_secret_access_key = temp-secret\n\
         aws_session_token = {TEMP_TOKEN}\nexpiration = {expiration}\n"
    )
}

fn fake_sts() -> FakeSts {
    FakeSts::start(vec![Reply::assume_role(
        &FakeCreds::new("admin", Duration::from_secs(3600)),
        ROLE,
    )])
}

fn sandbox(sts: &FakeSts) -> Sandbox {
    Sandbox::new(CONFIG, &credentials()).endpoint(&sts.endpoint())
}

/// Temporary keys in the environment, as a shell holds them after another tool's login.
fn with_temporary_env(sandbox: Sandbox) -> Sandbox {
    sandbox
        .env("AWS_ACCESS_KEY_ID", TEMP_KEY)
        .env("AWS_SECRET_ACCESS_KEY", "temp-secret")
        .env("AWS_SESSION_TOKEN", TEMP_TOKEN)
}

/// One AssumeRole, signed with the temporary keys and their token, carrying the code.
fn assert_code_went_with_the_assume_role(sts: &FakeSts, what: &str) {
    assert_eq!(sts.actions(), ["AssumeRole"], "{what}: no GetSessionToken");
    let role: &Request = &sts.requests()[0];
    assert_eq!(role.access_key_id(), Some(TEMP_KEY), "{what}");
    assert_eq!(
        role.header("x-amz-security-token"),
        Some(TEMP_TOKEN),
        "{what}"
    );
    assert_eq!(role.field("SerialNumber"), Some(MFA), "{what}");
    assert_eq!(role.field("TokenCode"), Some("123456"), "{what}");
}

#[test]
fn temporary_keys_in_a_source_profile_send_the_code_with_the_assume_role() {
    let sts = fake_sts();
    let run = sandbox(&sts).run(&["admin", "--mfa-token", "123456", "--shell", "bash"]);
    assert!(run.ok().contains("ASIAADMIN"), "{}", run.stderr);
    assert_code_went_with_the_assume_role(&sts, "source profile");
}

#[test]
fn temporary_keys_from_the_environment_send_the_code_with_the_assume_role() {
    let sts = fake_sts();
    let sandbox = with_temporary_env(sandbox(&sts));
    let run = sandbox.run(&["envrole", "--mfa-token", "123456", "--shell", "bash"]);
    assert!(run.ok().contains("ASIAADMIN"), "{}", run.stderr);
    assert_code_went_with_the_assume_role(&sts, "credential_source = Environment");
}

#[test]
fn an_adhoc_role_over_temporary_credentials_takes_the_mfa_serial_itself() {
    // Over the environment's temporary keys.
    let sts = fake_sts();
    let sandbox = with_temporary_env(sandbox(&sts));
    let args = [
        "--role-arn",
        ROLE,
        "--mfa-serial",
        MFA,
        "--mfa-token",
        "123456",
    ];
    let run = sandbox.run(&[&args[..], &["--shell", "bash"]].concat());
    assert!(run.ok().contains("ASIAADMIN"), "{}", run.stderr);
    assert_code_went_with_the_assume_role(&sts, "ad-hoc over the environment");

    // Over a credential_process that prints temporary credentials.
    let sts = fake_sts();
    let sandbox = process_sandbox(&sts);
    let run = sandbox.run(&[&args[..], &["--source-profile", "proc", "--shell", "bash"]].concat());
    assert!(run.ok().contains("ASIAADMIN"), "{}", run.stderr);
    assert_code_went_with_the_assume_role(&sts, "ad-hoc over a credential_process");
}

/// A sandbox whose `creds` command prints the temporary keys as Version 1 JSON.
fn process_sandbox(sts: &FakeSts) -> Sandbox {
    let sandbox = sandbox(sts);
    let bin = sandbox.path("bin");
    std::fs::create_dir(&bin).unwrap();
    let expiration = rfc3339(SystemTime::now() + Duration::from_secs(3600));
    let script = format!(
        "#!/bin/sh\ncat <<'EOF'\n{{\"Version\": 1, \"AccessKeyId\": \"{TEMP_KEY}\", \
         \"SecretAccessKey\": \"temp-secret\", \"SessionToken\": \"{TEMP_TOKEN}\", \
         \"Expiration\": \"{expiration}\"}}\nEOF\n"
    );
    std::fs::write(bin.join("creds"), script).unwrap();
    std::fs::set_permissions(bin.join("creds"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let rsume_dir = std::path::Path::new(BIN).parent().unwrap();
    let path = format!(
        "{}:{}:{}",
        bin.display(),
        rsume_dir.display(),
        std::env::var("PATH").unwrap()
    );
    sandbox.env("PATH", &path)
}

#[test]
fn a_bare_environment_source_runs_on_the_environments_keys() {
    let sts = fake_sts();
    let sandbox = sandbox(&sts)
        .env("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENT00001")
        .env("AWS_SECRET_ACCESS_KEY", "env-secret");
    // The shell already holds these keys: the run must succeed and print them itself.
    let run = sandbox.run(&["from-env", "--shell", "bash"]);
    let printed = run.ok();
    assert!(printed.contains("AKIAENVIRONMENT00001"), "{printed}");
    assert!(run.stderr.contains("long-term keys"), "{}", run.stderr);
    let shell = sandbox.eval_in("bash", &["from-env"]);
    assert_eq!(shell.vars["AWS_ACCESS_KEY_ID"], "AKIAENVIRONMENT00001");
    assert_eq!(shell.vars["AWS_SECRET_ACCESS_KEY"], "env-secret");
    assert_eq!(shell.vars["AWS_REGION"], "eu-west-1");
    assert_eq!(shell.vars["RSUME_PROFILE"], "from-env");
    assert_eq!(sts.request_count(), 0, "keys as they are: no call");

    let without = sandbox
        .without("AWS_ACCESS_KEY_ID")
        .run(&["from-env", "--shell", "bash"]);
    let error = without.failed();
    assert!(
        error.contains("'from-env'") && error.contains("AWS_ACCESS_KEY_ID"),
        "{error}"
    );
}
