//! Ad-hoc roles: `--role-arn` instead of a profile, from `--source-profile` or the keys in
//! the environment; what STS receives is checked at the wire with the fake STS, and the
//! whole run against moto.

mod support;

use std::time::Duration;

use support::fake_sts::{FakeCreds, FakeSts, Reply};
use support::moto::moto;
use support::sandbox::Sandbox;

const CONFIG: &str = "\
[profile alice]
mfa_serial = arn:aws:iam::123456789012:mfa/alice
region = eu-west-1
";
const CREDENTIALS: &str = "\
[alice]
aws_access_key_id = AKIAALICEEXAMPLE0001
aws_secret_access_key = alice-secret
";
const ROLE: &str = "arn:aws:iam::123456789012:role/ops";

#[test]
fn tags_policies_external_id_and_session_name_reach_sts() {
    let session = FakeCreds::new("session", Duration::from_secs(43200));
    let role = FakeCreds::new("ops", Duration::from_secs(3600));
    let sts = FakeSts::start(vec![
        Reply::session_token(&session),
        Reply::assume_role(&role, ROLE),
    ]);
    let sandbox = Sandbox::new(CONFIG, CREDENTIALS).endpoint(&sts.endpoint());
    std::fs::write(sandbox.path("policy.json"), r#"{"Version":"2012-10-17"}"#).unwrap();
    let run = sandbox.run(&[
        "--role-arn",
        "123456789012:ops",
        "--source-profile",
        "alice",
        "--external-id",
        "ext-9",
        "--role-session-name",
        "night-shift",
        "--tags",
        "team=ops,ticket=42",
        "--session-policy",
        "@policy.json",
        "--session-policy-arns",
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "--mfa-token",
        "123456",
        "-s",
        "--shell",
        "bash",
    ]);
    let stdout = run.ok();
    assert!(stdout.contains(&role.access_key_id), "{stdout}");
    assert!(
        stdout.contains("RSUME_PROFILE='ops@123456789012'"),
        "{stdout}"
    );
    let requests = sts.requests();
    assert_eq!(sts.actions(), ["GetSessionToken", "AssumeRole"]);
    let assume = &requests[1];
    assert_eq!(assume.access_key_id(), Some(session.access_key_id.as_str()));
    for (field, value) in [
        ("RoleArn", ROLE),
        ("ExternalId", "ext-9"),
        ("RoleSessionName", "night-shift"),
        ("Tags.member.1.Key", "team"),
        ("Tags.member.1.Value", "ops"),
        ("Tags.member.2.Key", "ticket"),
        ("Tags.member.2.Value", "42"),
        ("Policy", r#"{"Version":"2012-10-17"}"#),
        (
            "PolicyArns.member.1.arn",
            "arn:aws:iam::aws:policy/ReadOnlyAccess",
        ),
    ] {
        assert_eq!(
            assume.field(field),
            Some(value),
            "{field}: {:?}",
            assume.fields
        );
    }
}

#[test]
fn the_cache_key_includes_the_tags() {
    let sandbox = Sandbox::new(CONFIG, CREDENTIALS).endpoint(&moto().endpoint());
    let assume = |tags: &str| {
        let args = [
            "--role-arn",
            ROLE,
            "--source-profile",
            "alice",
            "--tags",
            tags,
            "--mfa-token",
            "123456",
            "-s",
        ];
        sandbox.run(&args).ok().to_owned()
    };
    let first = assume("team=a");
    assert_eq!(
        assume("team=a"),
        first,
        "the same request comes from the cache"
    );
    assert_ne!(assume("team=b"), first, "other tags are another session");
}

#[test]
fn the_environment_is_the_default_source() {
    let sandbox = Sandbox::new("", "")
        .endpoint(&moto().endpoint())
        .env("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENT00001")
        .env("AWS_SECRET_ACCESS_KEY", "env-secret");
    let shell = sandbox.eval_in("bash", &["--role-arn", ROLE]);
    shell.run.ok();
    assert!(
        shell.vars["AWS_ACCESS_KEY_ID"].starts_with("ASIA"),
        "{:?}",
        shell.vars
    );
    assert_eq!(shell.vars["RSUME_PROFILE"], "ops@123456789012");
}

#[test]
fn no_source_in_the_environment_is_a_clear_error() {
    let sandbox = Sandbox::new(CONFIG, CREDENTIALS).endpoint(&moto().endpoint());
    let run = sandbox.run(&["--role-arn", ROLE, "-s"]);
    let stderr = run.failed();
    assert_eq!(run.status.code(), Some(1));
    assert!(stderr.contains("--source-profile"), "{stderr}");
    assert!(stderr.contains("AWS_ACCESS_KEY_ID"), "{stderr}");
}

#[test]
fn a_profile_and_a_role_arn_together_are_a_usage_error() {
    let sandbox = Sandbox::new(CONFIG, CREDENTIALS);
    for args in [
        &["alice", "--role-arn", ROLE][..],
        &["-p", "alice", "--role-arn", ROLE],
        &["--role-arn", "12345:ops"],
        &["--source-profile", "alice"],
    ] {
        let run = sandbox.run(args);
        run.failed();
        assert_eq!(run.status.code(), Some(2), "{args:?}: {}", run.stderr);
    }
}

#[test]
fn an_ad_hoc_role_can_be_written_as_an_output_profile() {
    let sandbox = Sandbox::new(CONFIG, CREDENTIALS).endpoint(&moto().endpoint());
    let run = sandbox.run(&[
        "--role-arn",
        ROLE,
        "--source-profile",
        "alice",
        "-o",
        "ops",
        "--mfa-token",
        "123456",
    ]);
    assert_eq!(run.ok(), "");
    let text = std::fs::read_to_string(sandbox.path(".aws/credentials")).unwrap();
    assert!(text.starts_with(CREDENTIALS), "{text}");
    assert!(text.contains("[ops]\naws_access_key_id = ASIA"), "{text}");
}
