//! `credential_process` as a chain's root and `mfa_process` as a code source, with scripts
//! written into the sandbox: run without a shell, found on PATH, their output read as the
//! AWS CLI reads it, cached, and their failures reported in one line with nothing printed.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::process::Command;
use std::time::Duration;

use support::fake_sts::{FakeCreds, FakeSts, Reply, rfc3339};
use support::moto::moto;
use support::sandbox::{BIN, Run, Sandbox};

const CONFIG: &str = "\
[profile proc]
credential_process = creds \"first arg\" \"it's\" back\\ slash
region = eu-west-1

[profile admin]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = proc
mfa_serial = arn:aws:iam::123456789012:mfa/proc-user

[profile plain]
credential_process = creds-long-term

[profile broken]
credential_process = broken
";

/// The secret and token a script prints: they must reach the shell and nothing else.
const SECRET: &str = "SECRET-process-wJalrXUtnFEMI/K7MDENG+bPxRfiCY";
const TOKEN: &str = "TOKEN-process-IQoJb3JpZ2luX2VjEAoaCXVz+/==";

/// A sandbox whose `~/bin` is first on PATH, where `script` puts commands.
fn sandbox(config: &str, credentials: &str) -> Sandbox {
    let sandbox = Sandbox::new(config, credentials);
    let bin = sandbox.path("bin");
    std::fs::create_dir(&bin).unwrap();
    let rsume_dir = std::path::Path::new(BIN).parent().unwrap();
    let path = format!(
        "{}:{}:{}",
        bin.display(),
        rsume_dir.display(),
        std::env::var("PATH").unwrap()
    );
    sandbox
        .env("PATH", &path)
        .env("AWS_EC2_METADATA_DISABLED", "true")
}

/// Writes an executable `~/bin/<name>` running `body` in sh; each run appends a line to
/// `~/runs-<name>`, so a test can count them.
fn script(sandbox: &Sandbox, name: &str, body: &str) {
    let path = sandbox.path("bin").join(name);
    std::fs::write(
        &path,
        format!("#!/bin/sh\necho run >> \"$HOME/runs-{name}\"\n{body}\n"),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn runs(sandbox: &Sandbox, name: &str) -> usize {
    std::fs::read_to_string(sandbox.path(&format!("runs-{name}")))
        .map(|text| text.lines().count())
        .unwrap_or(0)
}

/// A script body printing Version 1 JSON with these fields added.
fn prints(json: &str) -> String {
    format!("cat <<'EOF'\n{json}\nEOF")
}

fn temporary_json(valid_for: Duration) -> String {
    let expiration = rfc3339(std::time::SystemTime::now() + valid_for);
    format!(
        r#"{{"Version": 1, "AccessKeyId": "ASIAPROCESSEXAMPLE01", "SecretAccessKey": "{SECRET}",
"SessionToken": "{TOKEN}", "Expiration": "{expiration}"}}"#
    )
}

fn assume(sandbox: &Sandbox, args: &[&str]) -> Run {
    let mut all = args.to_vec();
    all.extend(["--shell", "bash"]);
    sandbox.run(&all)
}

#[test]
fn a_process_with_an_expiry_is_run_once_and_cached() {
    let sandbox = sandbox(CONFIG, "");
    // Records its arguments one per line: split as a shell splits, with no shell to expand.
    script(
        &sandbox,
        "creds",
        &format!(
            "printf '%s\\n' \"$@\" > \"$HOME/args\"\n{}",
            prints(&temporary_json(Duration::from_secs(3600)))
        ),
    );
    let first = sandbox.eval_in("bash", &["proc"]);
    let vars = &first.vars;
    assert_eq!(
        vars["AWS_ACCESS_KEY_ID"], "ASIAPROCESSEXAMPLE01",
        "{}",
        first.run.stderr
    );
    assert_eq!(vars["AWS_SECRET_ACCESS_KEY"], SECRET);
    assert_eq!(vars["AWS_SESSION_TOKEN"], TOKEN);
    assert_eq!(vars["AWS_REGION"], "eu-west-1");
    assert!(vars.contains_key("AWS_CREDENTIAL_EXPIRATION"));
    let args = std::fs::read_to_string(sandbox.path("args")).unwrap();
    assert_eq!(args, "first arg\nit's\nback slash\n");
    assert!(!first.run.stderr.contains(SECRET), "{}", first.run.stderr);
    assert_eq!(sandbox.cache_entries().len(), 1);

    let second = assume(&sandbox, &["proc", "--debug"]);
    second.ok();
    assert_eq!(
        runs(&sandbox, "creds"),
        1,
        "the cached run started the process"
    );
    assert!(second.stderr.contains("cache hit"), "{}", second.stderr);
    assert!(
        second
            .stderr
            .contains("proc: cached credentials from credential_process"),
        "{}",
        second.stderr
    );
    for secret in [SECRET, TOKEN, "first arg"] {
        assert!(!second.stderr.contains(secret), "{}", second.stderr);
    }
}

#[test]
fn a_process_without_an_expiry_is_long_term_and_runs_every_time() {
    let sandbox = sandbox(CONFIG, "");
    script(
        &sandbox,
        "creds-long-term",
        &prints(&format!(
            r#"{{"Version": 1, "AccessKeyId": "AKIAPROCESSLONGTERM1", "SecretAccessKey": "{SECRET}"}}"#
        )),
    );
    for _ in 0..2 {
        let result = sandbox.eval_in("bash", &["plain"]);
        assert_eq!(result.vars["AWS_ACCESS_KEY_ID"], "AKIAPROCESSLONGTERM1");
        assert!(!result.vars.contains_key("AWS_SESSION_TOKEN"));
        assert!(!result.vars.contains_key("AWS_CREDENTIAL_EXPIRATION"));
    }
    assert_eq!(runs(&sandbox, "creds-long-term"), 2);
    assert!(sandbox.cache_entries().is_empty());
}

/// Each broken command: one line naming the profile and what went wrong, nothing on
/// stdout, no cache entry, and none of its stdout shown.
#[test]
fn a_failing_or_malformed_process_is_one_clear_line() {
    let sandbox = sandbox(CONFIG, "").env("RSUME_PROCESS_TIMEOUT", "1");
    let expired = rfc3339(std::time::SystemTime::now() - Duration::from_secs(60));
    let cases = [
        (
            prints(&format!("not json {SECRET}")),
            "output is not the JSON a credential_process prints".to_owned(),
        ),
        (
            prints(&format!(
                r#"{{"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "{SECRET}"}}"#
            )),
            "no \"Version\": 1".into(),
        ),
        (
            prints(&format!(
                r#"{{"Version": 1, "SecretAccessKey": "{SECRET}"}}"#
            )),
            "no AccessKeyId".into(),
        ),
        (
            prints(&format!(
                r#"{{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "{SECRET}", "Expiration": "{expired}"}}"#
            )),
            format!("expired at {expired}"),
        ),
        (
            format!("echo '{SECRET}'\nprintf 'token expired \\033[31m\\n' >&2\nexit 3"),
            "'broken' failed (exit status: 3): token expired \\u{1b}[31m".into(),
        ),
        (
            format!("echo '{SECRET}'\nexec sleep 30"),
            "'broken' ran longer than 1 s and was stopped (set RSUME_PROCESS_TIMEOUT".into(),
        ),
    ];
    for (body, says) in cases {
        script(&sandbox, "broken", &body);
        let result = assume(&sandbox, &["broken"]);
        let stderr = result.failed();
        assert!(
            stderr.contains("credential_process of profile 'broken' failed"),
            "{stderr}"
        );
        assert!(stderr.contains(&says), "{says} in {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        assert!(!stderr.contains(SECRET), "{stderr}");
        assert!(!stderr.contains('\u{1b}'), "{stderr}");
        assert!(sandbox.cache_entries().is_empty());
    }
    // Not on PATH: said so, not "No such file or directory".
    std::fs::remove_file(sandbox.path("bin/broken")).unwrap();
    let stderr = assume(&sandbox, &["broken"]).failed().to_owned();
    assert!(
        stderr.contains("cannot start 'broken': no such program (looked on PATH)"),
        "{stderr}"
    );
}

#[test]
fn a_role_above_a_process_takes_the_mfa_code_and_is_cached() {
    let sandbox = sandbox(CONFIG, "").endpoint(&moto().endpoint());
    script(
        &sandbox,
        "creds",
        &prints(&temporary_json(Duration::from_secs(3600))),
    );
    let first = sandbox.eval_in("bash", &["admin", "--mfa-token", "123456"]);
    let vars = &first.vars;
    assert!(
        vars["AWS_ACCESS_KEY_ID"].starts_with("ASIA"),
        "{}",
        first.run.stderr
    );
    assert_ne!(vars["AWS_ACCESS_KEY_ID"], "ASIAPROCESSEXAMPLE01");
    assert_eq!(vars["RSUME_PROFILE"], "admin");
    assert_eq!(runs(&sandbox, "creds"), 1);

    // No code and no terminal: only the cached role can serve this, with no process run.
    let second = assume(&sandbox, &["admin", "--debug"]);
    second.ok();
    assert!(!second.stderr.contains("STS region"), "{}", second.stderr);
    assert!(
        !second.stderr.contains("running 'creds'"),
        "{}",
        second.stderr
    );
    assert_eq!(
        runs(&sandbox, "creds"),
        1,
        "the cached run started the process"
    );
}

#[test]
fn the_code_goes_to_assume_role_signed_with_the_process_keys() {
    let sts = FakeSts::start(vec![Reply::auto(&FakeCreds::new(
        "role",
        Duration::from_secs(3600),
    ))]);
    let sandbox = sandbox(CONFIG, "").endpoint(&sts.endpoint());
    script(
        &sandbox,
        "creds",
        &prints(&temporary_json(Duration::from_secs(3600))),
    );
    assume(&sandbox, &["admin", "--mfa-token", "654321"]).ok();
    let requests = sts.requests();
    let actions: Vec<&str> = requests.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(
        actions,
        ["AssumeRole"],
        "no GetSessionToken above a process"
    );
    let request = &requests[0];
    assert_eq!(request.access_key_id(), Some("ASIAPROCESSEXAMPLE01"));
    assert_eq!(
        request.field("SerialNumber"),
        Some("arn:aws:iam::123456789012:mfa/proc-user")
    );
    assert_eq!(request.field("TokenCode"), Some("654321"));
}

const MFA_CONFIG: &str = "\
[profile alice]
mfa_serial = arn:aws:iam::123456789012:mfa/alice
mfa_process = oathtool --totp -b JBSWY3DPEHPK3PXP

[profile admin]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = alice

[profile bob]
mfa_serial = arn:aws:iam::123456789012:mfa/bob
";

const MFA_CREDENTIALS: &str = "\
[alice]
aws_access_key_id = AKIAALICEEXAMPLE0001
aws_secret_access_key = alice-secret
[bob]
aws_access_key_id = AKIABOBEXAMPLE000001
aws_secret_access_key = bob-secret
";

fn oathtool_now() -> String {
    let output = Command::new("oathtool")
        .args(["--totp", "-b", "JBSWY3DPEHPK3PXP"])
        .output()
        .expect("oathtool (Debian package oathtool; see scripts/setup.sh)");
    assert!(output.status.success());
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// The TokenCode of the one GetSessionToken the fake saw.
fn token_code(sts: &FakeSts) -> String {
    let requests = sts.requests();
    let session: Vec<_> = requests
        .iter()
        .filter(|r| r.action == "GetSessionToken")
        .collect();
    assert_eq!(session.len(), 1, "{:?}", sts.actions());
    session[0]
        .field("TokenCode")
        .expect("a TokenCode")
        .to_owned()
}

#[test]
fn mfa_process_sends_exactly_the_code_oathtool_printed() {
    // A code from the same 30-second window before and after the run pins what was sent;
    // a run that straddles a window's edge is tried again.
    for _ in 0..3 {
        let sts = FakeSts::start(vec![Reply::auto(&FakeCreds::new(
            "otp",
            Duration::from_secs(3600),
        ))]);
        let sandbox = sandbox(MFA_CONFIG, MFA_CREDENTIALS).endpoint(&sts.endpoint());
        let before = oathtool_now();
        let result = assume(&sandbox, &["admin"]);
        let after = oathtool_now();
        result.ok();
        assert!(!result.stderr.contains(&before), "{}", result.stderr);
        if before != after {
            continue;
        }
        assert_eq!(token_code(&sts), before);
        assert_eq!(sts.actions(), ["GetSessionToken", "AssumeRole"]);
        return;
    }
    panic!("three runs each crossed a TOTP window");
}

#[test]
fn mfa_process_comes_after_the_flag_and_from_the_variable() {
    let counting = "creds-code";
    let sts = FakeSts::start(vec![Reply::auto(&FakeCreds::new(
        "otp",
        Duration::from_secs(3600),
    ))]);
    let config = MFA_CONFIG.replace("oathtool --totp -b JBSWY3DPEHPK3PXP", counting);
    let sandbox = sandbox(&config, MFA_CREDENTIALS).endpoint(&sts.endpoint());
    script(&sandbox, counting, "echo 222333");

    // --mfa-token wins: the command is not run.
    assume(&sandbox, &["admin", "--mfa-token", "111111", "--no-cache"]).ok();
    assert_eq!(token_code(&sts), "111111");
    assert_eq!(runs(&sandbox, counting), 0);

    // bob's profile has no mfa_process: RSUME_MFA_PROCESS, split like the profile's.
    let sts = FakeSts::start(vec![Reply::auto(&FakeCreds::new(
        "otp",
        Duration::from_secs(3600),
    ))]);
    let sandbox = sandbox
        .endpoint(&sts.endpoint())
        .env("RSUME_MFA_PROCESS", "sh -c 'echo \"444 555\"'");
    assume(&sandbox, &["bob"]).ok();
    assert_eq!(token_code(&sts), "444555");
}

#[test]
fn a_failing_mfa_process_says_why_and_prints_nothing() {
    let sandbox = sandbox(MFA_CONFIG, MFA_CREDENTIALS).env(
        "RSUME_MFA_PROCESS",
        "sh -c 'echo 98765432; echo device locked >&2; exit 1'",
    );
    let stderr = assume(&sandbox, &["bob"]).failed().to_owned();
    assert!(
        stderr.contains("no MFA code for arn:aws:iam::123456789012:mfa/bob")
            && stderr.contains("mfa_process: 'sh' failed (exit status: 1): device locked"),
        "{stderr}"
    );
    assert!(!stderr.contains("98765432"), "{stderr}");

    let sandbox = sandbox.env("RSUME_MFA_PROCESS", "echo SECRET-not-a-code");
    let stderr = assume(&sandbox, &["bob"]).failed().to_owned();
    assert!(
        stderr.contains("mfa_process printed something other than a 6-digit code"),
        "{stderr}"
    );
    assert!(!stderr.contains("SECRET"), "{stderr}");
    assert!(sandbox.cache_entries().is_empty());
}

#[test]
fn a_slow_process_is_said_to_be_waited_for() {
    let sandbox = sandbox(CONFIG, "");
    script(
        &sandbox,
        "creds-long-term",
        &format!(
            "sleep 3\n{}",
            prints(r#"{"Version": 1, "AccessKeyId": "AKIASLOW", "SecretAccessKey": "s"}"#)
        ),
    );
    let result = assume(&sandbox, &["plain"]);
    result.ok();
    assert!(
        result
            .stderr
            .contains("waiting for 'creds-long-term' (stopped after 60 s)"),
        "{}",
        result.stderr
    );
}

/// A command that leaves something running in the background with its stdout (a helper
/// daemon, an agent it starts): what it printed before it exited is its answer.
#[test]
fn a_grandchild_holding_stdout_open_does_not_lose_the_answer() {
    let sandbox = sandbox(CONFIG, "");
    script(
        &sandbox,
        "creds-long-term",
        &format!(
            "{}\nsleep 30 &",
            prints(&format!(
                r#"{{"Version": 1, "AccessKeyId": "AKIAGRANDCHILD000001", "SecretAccessKey": "{SECRET}"}}"#
            ))
        ),
    );
    let run = support::sandbox::finish_within(
        sandbox
            .command(&["plain", "--shell", "bash"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
        Duration::from_secs(25),
        "rsume plain",
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(
        stdout.contains("AKIAGRANDCHILD000001"),
        "{stdout}\n{stderr}"
    );
}

/// A command that prints without end is stopped at the cap, saying so, and nothing of
/// what it printed is shown.
#[test]
fn a_process_printing_300_megabytes_is_cut_off_with_a_clear_message() {
    let sandbox = sandbox(CONFIG, "");
    script(
        &sandbox,
        "broken",
        &format!("echo '{SECRET}'\nhead -c 300000000 /dev/zero"),
    );
    let run = support::sandbox::finish_within(
        sandbox
            .command(&["broken", "--shell", "bash"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
        Duration::from_secs(25),
        "rsume broken",
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success(), "{stderr}");
    assert!(run.stdout.is_empty());
    assert!(
        stderr.contains("credential_process of profile 'broken' failed"),
        "{stderr}"
    );
    assert!(
        stderr.contains("'broken' printed more than 1024 KiB and was stopped"),
        "{stderr}"
    );
    assert!(!stderr.contains(SECRET), "{stderr}");
}

/// The YubiKey OATH recipe (docs/mfa.md): a stand-in `ykman` checks it is asked for one
/// named account and prints the line ykman prints; an account that wants a touch answers
/// late, and the person is told to touch the key meanwhile.
#[test]
fn the_yubikey_oath_recipe_sends_its_code_and_asks_for_a_touch() {
    // Answers after 1.5 s, as a key waiting for a touch does; `--single` prints the code alone.
    let ykman = r#"[ "$*" = "oath accounts code --single AWS:alice@123456789012" ] || { echo "unexpected arguments: $*" >&2; exit 2; }
sleep 1.5
echo 424242"#;
    let sts = FakeSts::start(vec![Reply::auto(&FakeCreds::new(
        "yubikey",
        Duration::from_secs(3600),
    ))]);
    let config = MFA_CONFIG.replace(
        "oathtool --totp -b JBSWY3DPEHPK3PXP",
        "ykman oath accounts code --single AWS:alice@123456789012",
    );
    let sandbox = sandbox(&config, MFA_CREDENTIALS).endpoint(&sts.endpoint());
    script(&sandbox, "ykman", ykman);
    let run = assume(&sandbox, &["admin"]);
    run.ok();
    assert_eq!(runs(&sandbox, "ykman"), 1);
    assert_eq!(token_code(&sts), "424242");
    assert!(
        run.stderr
            .contains("waiting for 'ykman': touch your key if it blinks"),
        "{}",
        run.stderr
    );
}
