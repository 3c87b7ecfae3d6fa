//! `rsume doctor`: a checklist with a fix for each failure, exit 0 only when nothing failed,
//! the same list as JSON; and the clock offset named when STS rejects an MFA code. IAM is
//! moto's, where each HOME gets its own IAM user with keys and an enabled MFA device.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rexpect::session::spawn_command;
use support::fake_sts::{FakeCreds, FakeSts, Reply};
use support::moto::moto;
use support::moto_iam;
use support::sandbox::{SHELLS, Sandbox, with_wrapper};

/// Stands for the serial of the IAM user's device in [`CONFIG`].
const DEVICE: &str = "DEVICE";
const CONFIG: &str = "\
[profile alice]
mfa_serial = DEVICE

[profile admin]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = alice

[profile typo]
mfa_serial = arn:aws:iam::123456789012:user/typo
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = alice
";

/// An IAM user in moto, its long-term keys, and the serial of its enabled virtual device.
struct IamUser {
    name: String,
    key_id: String,
    secret: String,
    serial: String,
}

/// A new IAM user, a name no other test uses (they share one moto).
fn iam_user() -> IamUser {
    static USERS: AtomicUsize = AtomicUsize::new(0);
    let name = format!("doctor-{}", USERS.fetch_add(1, Ordering::Relaxed));
    let moto = moto().endpoint();
    let (key_id, secret) = moto_iam::user_with_keys(&moto, &name);
    let serial = moto_iam::enabled_device(&moto, &name, &name);
    IamUser {
        name,
        key_id,
        secret,
        serial,
    }
}

/// A HOME for a new IAM user whose device is `mfa_serial` where `config` says DEVICE.
fn private(config: &str) -> Sandbox {
    let user = iam_user();
    private_as(&config.replace(DEVICE, &user.serial), &user)
}

/// A HOME whose files are private, as the AWS CLI writes them, with `user`'s keys in
/// profile alice; IAM is moto.
fn private_as(config: &str, user: &IamUser) -> Sandbox {
    let credentials = format!(
        "[alice]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
        user.key_id, user.secret
    );
    let sandbox =
        Sandbox::new(config, &credentials).env("AWS_ENDPOINT_URL_IAM", &moto().endpoint());
    let mode = std::fs::Permissions::from_mode(0o600);
    std::fs::set_permissions(sandbox.path(".aws/config"), mode).unwrap();
    sandbox
}

fn creds() -> FakeCreds {
    FakeCreds::new("probe", Duration::from_secs(900))
}

/// `rsume doctor args` as the wrapper runs it (RSUME_WRAPPER is what the wrapper sets).
fn doctor(sandbox: &Sandbox, args: &[&str]) -> support::sandbox::Run {
    let mut command = sandbox.command(&[&["doctor"], args].concat());
    command.env("RSUME_WRAPPER", "bash");
    let output = command.output().unwrap();
    support::sandbox::Run {
        status: output.status,
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

fn json(run: &support::sandbox::Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

/// The check named `name` in a JSON report.
fn check<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == name)
        .unwrap_or_else(|| panic!("no check {name} in {report}"))
}

#[test]
fn a_healthy_profile_passes_every_check_through_the_wrapper_in_every_shell() {
    for shell in SHELLS {
        let user = iam_user();
        let sandbox =
            private_as(&CONFIG.replace(DEVICE, &user.serial), &user).endpoint(&moto().endpoint());
        let body = match shell {
            "fish" => "rsume doctor admin\necho \"exit=$status\"",
            _ => "rsume doctor admin\necho \"exit=$?\"",
        };
        let ran = sandbox.shell(shell, &with_wrapper(shell, body), &[]);
        // The marker reaches rsume only: the shell itself never holds it.
        assert!(!ran.vars.contains_key("RSUME_WRAPPER"), "{shell}");
        let out = ran.run.ok();
        let (serial, name) = (&user.serial, &user.name);
        let key_tail = &user.key_id[user.key_id.len() - 4..];
        for line in [
            "✓ config files: ",
            "✓ file modes: only you can read the AWS files\n",
            &format!(
                "✓ profile: 'admin' resolves to this chain:\n    keys of 'alice' (access key ****{key_tail})\n    -> MFA session with {serial} for 43200 s (GetSessionToken)\n    -> role arn:aws:iam::123456789012:role/admin for profile 'admin' (AssumeRole)\n"
            ),
            &format!("✓ mfa_serial: {serial} is well-formed\n"),
            &format!("✓ MFA device enabled: {serial} is the IAM user {name}'s, enabled since "),
            &format!("✓ wrapper: the {shell} wrapper function is loaded\n"),
            "✓ cache directory: ",
            "✓ clock: this computer's clock agrees with AWS's",
            "✓ identity: the keys of profile 'alice' belong to arn:aws:",
            "✓ GetSessionToken: the keys may call sts:GetSessionToken",
            "all checks passed\nexit=0\n",
        ] {
            assert!(out.contains(line), "{shell}: no {line:?} in\n{out}");
        }
        assert!(
            !out.contains('\x1b'),
            "no colour when stdout is not a terminal"
        );
        assert!(!out.contains(&user.secret));
    }
}

#[test]
fn without_the_wrapper_the_wrapper_check_fails_with_the_line_to_load_it() {
    let sts = FakeSts::start(vec![Reply::auto(&creds())]);
    let sandbox = private(CONFIG)
        .endpoint(&sts.endpoint())
        .env("SHELL", "/usr/bin/fish");
    let run = sandbox.run(&["doctor", "admin"]);
    assert_eq!(run.status.code(), Some(1));
    assert!(
        run.stdout.contains(
            "✗ wrapper: rsume ran without the wrapper function, so `rsume PROFILE` cannot set variables in this shell\n    fix: load it now and in your shell's startup file:  rsume init fish | source\n"
        ),
        "{}",
        run.stdout
    );
    assert!(run.stdout.ends_with("1 check failed\n"), "{}", run.stdout);
}

#[test]
fn each_local_failure_has_its_line_and_fix() {
    let sts = FakeSts::start(vec![Reply::auto(&creds())]);
    // Config readable by others.
    let sandbox = private(CONFIG).endpoint(&sts.endpoint());
    let shared = std::fs::Permissions::from_mode(0o644);
    std::fs::set_permissions(sandbox.path(".aws/config"), shared).unwrap();
    let run = doctor(&sandbox, &["admin"]);
    assert_eq!(run.status.code(), Some(1));
    let config = sandbox.path(".aws/config").display().to_string();
    assert!(
        run.stdout.contains(&format!(
            "✗ file modes: other users can read {config} (mode 0644)\n    fix: chmod 600 {config}\n"
        )),
        "{}",
        run.stdout
    );
    // A line the parser cannot read.
    let broken = private("[profile alice]\nmfa_serial = x\nthis is not a setting\n");
    let run = doctor(&broken.endpoint(&sts.endpoint()), &["alice"]);
    assert_eq!(run.status.code(), Some(1));
    let config = broken_config_line(&run.stdout);
    assert!(config.ends_with("/.aws/config:3"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("    fix: correct the file at that line")
    );
    assert!(run.stdout.contains("- AWS: "), "{}", run.stdout);
    // A profile that does not exist.
    let sandbox = private(CONFIG).endpoint(&sts.endpoint());
    let run = doctor(&sandbox, &["admn"]);
    assert_eq!(run.status.code(), Some(1));
    assert!(
        run.stdout.contains("✗ profile: no profile named 'admn'"),
        "{}",
        run.stdout
    );
    // An mfa_serial that names a user, not a device.
    let run = doctor(&sandbox, &["typo"]);
    assert_eq!(run.status.code(), Some(1));
    assert!(
        run.stdout
            .contains("✗ mfa_serial: mfa_serial = arn:aws:iam::123456789012:user/typo at "),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("/.aws/config:9 is neither an MFA device ARN")
    );
    assert!(
        run.stdout
            .contains("- MFA device enabled: not checked: mfa_serial is not well-formed\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("    fix: set it to a TOTP device's ARN")
    );
    // A security key's serial is well-formed, but gives no codes.
    let key = "arn:aws:iam::123456789012:u2f/user/alice/default-ABCDEFGHIJKLMNOP";
    let passkey =
        private(&format!("[profile alice]\nmfa_serial = {key}\n")).endpoint(&sts.endpoint());
    let run = doctor(&passkey, &["alice"]);
    assert_eq!(run.status.code(), Some(1));
    assert!(
        run.stdout.contains(&format!(
            "✗ mfa_serial: profile 'alice': mfa_serial = {key} ({}:2) names a security key, and STS accepts only TOTP devices: register a virtual or hardware TOTP device beside the key (`rsume mfa setup`) and name it instead, or use IAM Identity Center or a login_session profile\n    fix: set it to a TOTP device's ARN"
        , passkey.path(".aws/config").display())),
        "{}",
        run.stdout
    );
    // Refused before anything is asked: no call reached STS.
    assert!(!run.stdout.contains("MFA device enabled"), "{}", run.stdout);
    // A cache directory others can read.
    let sandbox = private(CONFIG).endpoint(&sts.endpoint());
    std::fs::create_dir_all(sandbox.cache_dir()).unwrap();
    std::fs::set_permissions(sandbox.cache_dir(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let run = doctor(&sandbox, &["admin"]);
    assert_eq!(run.status.code(), Some(1));
    assert!(
        run.stdout
            .contains("✗ cache directory: not using the cache directory"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("    fix: let only you use it ( chmod 700 ")
    );
    assert_eq!(run.stdout.matches('✗').count(), 1, "{}", run.stdout);
}

/// `…/.aws/config:3` out of the failed config-files line.
fn broken_config_line(report: &str) -> String {
    let line = report
        .lines()
        .find(|l| l.starts_with("✗ config files: "))
        .unwrap_or_else(|| panic!("no config files failure in {report}"));
    let rest = line.trim_start_matches("✗ config files: ");
    rest.split(": ").next().unwrap().to_owned()
}

#[test]
fn a_clock_off_by_more_than_30_s_fails_with_the_measured_offset() {
    let sts = FakeSts::start(vec![Reply::clock_off(-95, Reply::auto(&creds()))]);
    let run = doctor(&private(CONFIG).endpoint(&sts.endpoint()), &["admin"]);
    assert_eq!(run.status.code(), Some(1), "{}", run.stdout);
    let offset = run
        .stdout
        .lines()
        .find(|l| l.starts_with("✗ clock: this computer's clock is "))
        .unwrap_or_else(|| panic!("{}", run.stdout));
    // The Date header has whole seconds: 95 s, or 96 across a second boundary.
    assert!(
        offset.contains(" 95 s ahead of AWS's") || offset.contains(" 96 s ahead of AWS's"),
        "{offset}"
    );
    assert!(
        run.stdout
            .contains("    fix: set the clock from the network")
    );

    let sts = FakeSts::start(vec![Reply::clock_off(20, Reply::auto(&creds()))]);
    let run = doctor(&private(CONFIG).endpoint(&sts.endpoint()), &["admin"]);
    assert!(
        run.stdout.contains("✓ clock: this computer's clock is "),
        "{}",
        run.stdout
    );
    assert_eq!(run.status.code(), Some(0), "{}", run.stdout);
}

#[test]
fn keys_sts_refuses_fail_the_identity_check_and_skip_the_probe() {
    let sts = FakeSts::start(vec![Reply::invalid_client_token_id()]);
    let run = doctor(&private(CONFIG).endpoint(&sts.endpoint()), &["admin"]);
    assert_eq!(run.status.code(), Some(1));
    assert!(
        run.stdout.contains(
            "✗ identity: STS refused the keys of profile 'alice': AWS does not recognise these keys (InvalidClientTokenId)"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("    fix: copy the access key id and secret again")
    );
    assert!(
        run.stdout
            .contains("- GetSessionToken: needs keys that STS accepts")
    );
    assert_eq!(sts.actions(), ["GetCallerIdentity"]);
}

#[test]
fn access_denied_on_get_session_token_is_worded_honestly() {
    let denied = Reply::error(
        403,
        "AccessDenied",
        "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:GetSessionToken",
    );
    let sts = FakeSts::start(vec![Reply::auto(&creds()), denied]);
    let run = doctor(
        &private(CONFIG).endpoint(&sts.endpoint()),
        &["admin", "--json"],
    );
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(sts.actions(), ["GetCallerIdentity", "GetSessionToken"]);
    let probe = &sts.requests()[1];
    assert_eq!(probe.field("DurationSeconds"), Some("900"));
    assert_eq!(probe.field("TokenCode"), None, "the probe sends no code");
    let report = json(&run);
    assert_eq!(report["ok"], false);
    assert_eq!(report["profile"], "admin");
    let probe = check(&report, "GetSessionToken");
    assert_eq!(probe["outcome"], "fail");
    assert!(
        probe["detail"]
            .as_str()
            .unwrap()
            .starts_with("STS denied GetSessionToken without an MFA code: User: "),
        "{probe}"
    );
    assert!(probe["fix"].as_str().unwrap().contains("require MFA"));
    assert_eq!(check(&report, "identity")["outcome"], "pass");
    assert_eq!(check(&report, "MFA device enabled")["outcome"], "pass");
    assert!(check(&report, "identity")["fix"].is_null());
}

#[test]
fn json_on_success_is_the_same_checklist() {
    let sts = FakeSts::start(vec![Reply::auto(&creds())]);
    let run = doctor(
        &private(CONFIG).endpoint(&sts.endpoint()),
        &["admin", "--json"],
    );
    assert_eq!(run.status.code(), Some(0), "{}", run.stdout);
    let report = json(&run);
    assert_eq!(report["ok"], true);
    let names: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["check"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "config files",
            "file modes",
            "profile",
            "mfa_serial",
            "MFA device enabled",
            "wrapper",
            "cache directory",
            "clock",
            "identity",
            "GetSessionToken"
        ]
    );
    assert_eq!(
        check(&report, "profile")["lines"].as_array().unwrap().len(),
        3
    );
}

#[test]
fn colour_on_a_terminal_unless_no_color() {
    let sts = FakeSts::start(vec![Reply::auto(&creds())]);
    let sandbox = private(CONFIG).endpoint(&sts.endpoint());
    for (no_color, coloured) in [(None, true), (Some("1"), false)] {
        let mut command = sandbox.command(&["doctor", "admin"]);
        if let Some(value) = no_color {
            command.env("NO_COLOR", value);
        }
        let mut session = spawn_command(command, Some(30_000)).expect("pty");
        // rexpect reads bytes one char each: compare the escapes, not the marks.
        let text = session.exp_string("check failed").unwrap();
        assert!(text.contains(" wrapper: rsume ran without"), "{text:?}");
        assert_eq!(text.contains("\x1b[32m"), coloured, "{text:?}");
        assert_eq!(text.contains("\x1b[31m"), coloured, "{text:?}");
        assert_eq!(text.contains('\x1b'), coloured, "{text:?}");
    }
}

#[test]
fn a_rejected_mfa_code_names_the_clock_offset() {
    let sts = FakeSts::start(vec![Reply::clock_off(120, Reply::mfa_failed())]);
    let sandbox = private(CONFIG).endpoint(&sts.endpoint());
    let run = sandbox.run(&["alice", "--mfa-token", "123456"]);
    let stderr = run.failed();
    assert!(
        stderr.contains("this computer's clock is 120 s behind AWS's")
            || stderr.contains("this computer's clock is 119 s behind AWS's"),
        "{stderr}"
    );
    assert!(stderr.contains("TOTP codes fail beyond about 30 s of skew"));

    let sts = FakeSts::start(vec![Reply::mfa_failed()]);
    let run = private(CONFIG)
        .endpoint(&sts.endpoint())
        .run(&["alice", "--mfa-token", "123456"]);
    assert!(!run.failed().contains("clock is"), "{}", run.stderr);
}

#[test]
fn a_device_the_user_does_not_have_fails_with_the_commands_that_fix_it() {
    let sts = FakeSts::start(vec![Reply::auto(&creds())]);
    let user = iam_user();
    let retired = "arn:aws:iam::123456789012:mfa/retired-phone";
    let sandbox = private_as(&CONFIG.replace(DEVICE, retired), &user).endpoint(&sts.endpoint());
    let run = doctor(&sandbox, &["admin"]);
    assert_eq!(run.status.code(), Some(1), "{}", run.stdout);
    assert!(
        run.stdout.contains(&format!(
            "✗ MFA device enabled: {retired} is not among the IAM user {}'s MFA devices (1 listed)\n    \
             fix: set mfa_serial to a device that `rsume mfa list alice` shows, or register one with `rsume mfa setup alice`\n",
            user.name
        )),
        "{}",
        run.stdout
    );
    assert!(run.stdout.ends_with("1 check failed\n"), "{}", run.stdout);
}

#[test]
fn iam_denying_the_listing_skips_the_device_check_and_says_why() {
    let sts = FakeSts::start(vec![Reply::auto(&creds())]);
    let user = iam_user();
    let denied = format!(
        "User: arn:aws:iam::123456789012:user/{0} is not authorized to perform: iam:ListMFADevices on resource: user {0}",
        user.name
    );
    let iam = FakeSts::start(vec![
        Reply::forward(&moto().endpoint()),
        Reply::error(403, "AccessDenied", &denied),
    ]);
    let sandbox = private_as(&CONFIG.replace(DEVICE, &user.serial), &user)
        .endpoint(&sts.endpoint())
        .env("AWS_ENDPOINT_URL_IAM", &iam.endpoint());
    let run = doctor(&sandbox, &["admin"]);
    assert_eq!(run.status.code(), Some(0), "{}", run.stdout);
    assert!(
        run.stdout.contains(&format!(
            "- MFA device enabled: not checked: these keys are not permitted to list MFA devices (iam:GetUser, iam:ListMFADevices): {denied}\n"
        )),
        "{}",
        run.stdout
    );
    assert_eq!(iam.actions(), ["GetUser", "ListMFADevices"]);
}

#[test]
fn a_root_without_long_term_keys_skips_the_device_check_without_calling_iam() {
    let iam = FakeSts::start(vec![Reply::forward(&moto().endpoint())]);
    let config = "\
[profile fetched]
credential_process = /bin/false

[profile role]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = fetched
mfa_serial = arn:aws:iam::123456789012:mfa/alice
";
    let sandbox = private(config).env("AWS_ENDPOINT_URL_IAM", &iam.endpoint());
    let report = json(&doctor(&sandbox, &["role", "--json"]));
    let device = check(&report, "MFA device enabled");
    assert_eq!(device["outcome"], "skip", "{report}");
    assert!(
        device["detail"]
            .as_str()
            .unwrap()
            .contains("not an IAM user's long-term keys"),
        "{device}"
    );
    assert_eq!(iam.request_count(), 0);
}

#[test]
fn a_role_over_a_fetched_root_names_the_mfa_device_its_assume_role_sends() {
    let config = "\
[profile fetched]
credential_process = /bin/false

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[profile dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Developer

[profile over-process]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = fetched
mfa_serial = arn:aws:iam::123456789012:mfa/alice

[profile over-sso]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = dev
mfa_serial = arn:aws:iam::123456789012:mfa/alice

[profile typo-over-sso]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = dev
mfa_serial = arn:aws:iam::123456789012:user/alice
";
    let sandbox = Sandbox::new(config, "");
    for profile in ["over-process", "over-sso"] {
        let report = json(&doctor(&sandbox, &[profile, "--json"]));
        let serial = check(&report, "mfa_serial");
        assert_eq!(serial["outcome"], "pass", "{profile}: {report}");
        assert_eq!(
            serial["detail"],
            "arn:aws:iam::123456789012:mfa/alice is well-formed"
        );
    }
    let report = json(&doctor(&sandbox, &["typo-over-sso", "--json"]));
    let serial = check(&report, "mfa_serial");
    assert_eq!(serial["outcome"], "fail", "{report}");
    let detail = serial["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("mfa_serial = arn:aws:iam::123456789012:user/alice at ")
            && detail.contains("/.aws/config:26 is neither"),
        "{detail}"
    );
}

#[test]
fn without_a_name_doctor_checks_the_profile_active_in_this_shell_and_says_so() {
    let sts = FakeSts::start(vec![Reply::auto(&creds())]);
    let config = format!("{CONFIG}\n[default]\nregion = us-east-1\n");
    let sandbox = private(&config).endpoint(&sts.endpoint());
    let active = sandbox
        .env("RSUME_PROFILE", "admin")
        .env("AWS_PROFILE", "rsume-admin");
    let run = doctor(&active, &[]);
    assert!(
        run.stdout.starts_with(
            "checking profile 'admin': the profile rsume made active in this shell (RSUME_PROFILE)\n"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("✓ profile: 'admin' resolves"),
        "{}",
        run.stdout
    );
    let report = json(&doctor(&active, &["--json"]));
    assert_eq!(report["profile"], "admin");
    assert_eq!(
        report["profile_from"],
        "the profile rsume made active in this shell (RSUME_PROFILE)"
    );
    let by_aws_profile = active.without("RSUME_PROFILE").env("AWS_PROFILE", "alice");
    let run = doctor(&by_aws_profile, &[]);
    assert!(
        run.stdout
            .starts_with("checking profile 'alice': the name came from AWS_PROFILE\n"),
        "{}",
        run.stdout
    );
    let run = doctor(&by_aws_profile.without("AWS_PROFILE"), &[]);
    assert!(
        run.stdout.starts_with("checking profile 'default': no profile was named and neither AWS_PROFILE nor AWS_DEFAULT_PROFILE is set, and no rsume profile is active in this shell\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn with_no_aws_files_doctor_says_so_and_points_to_the_first_session() {
    let sandbox = Sandbox::new("", "");
    std::fs::remove_dir_all(sandbox.path(".aws")).unwrap();
    let run = doctor(&sandbox, &[]);
    assert_eq!(run.status.code(), Some(1), "{}", run.stdout);
    let aws = sandbox.path(".aws").display().to_string();
    let first = "create a profile with  aws configure  (docs/first-session.md walks through a first session)";
    assert!(
        run.stdout.contains(&format!(
            "✗ config files: no AWS files: neither {aws}/config nor {aws}/credentials exists\n    fix: {first}\n"
        )),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("- file modes: no AWS files to check\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("✗ profile: no profile named 'default'")
            && run.stdout.contains(&format!("    fix: {first}\n")),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("✓ file modes"), "{}", run.stdout);
}
