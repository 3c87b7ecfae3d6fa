//! End to end against moto's STS server: the built binary, real profile files in a
//! throwaway HOME, and its output evaluated by real bash, zsh and fish.

mod support;

use std::time::Duration;

use support::moto::moto;
use support::sandbox::{SHELLS, Sandbox, ShellRun};

const CONFIG: &str = "\
[default]
region = us-east-1

[profile alice]
mfa_serial = arn:aws:iam::123456789012:mfa/alice
region = eu-west-1

[profile admin]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = alice
duration_seconds = 1800

[profile deep]
role_arn = arn:aws:iam::210987654321:role/deep
source_profile = admin
region = ap-southeast-2

[profile ci]
# long-term keys in the credentials file, no region

[profile loop-a]
role_arn = arn:aws:iam::123456789012:role/a
source_profile = loop-b

[profile loop-b]
role_arn = arn:aws:iam::123456789012:role/b
source_profile = loop-a
";

const CREDENTIALS: &str = "\
[alice]
aws_access_key_id = AKIAALICEEXAMPLE0001
aws_secret_access_key = alice/secret+key

[ci]
aws_access_key_id = AKIACIEXAMPLE0000002
aws_secret_access_key = ci'secret$(touch pwned)
";

fn sandbox() -> Sandbox {
    Sandbox::new(CONFIG, CREDENTIALS)
        .endpoint(&moto().endpoint())
        // Left over from an earlier session: rsume must clear these.
        .env("AWS_PROFILE", "stale")
        .env("AWS_SECURITY_TOKEN", "stale-token")
}

/// The expiry rsume exported, checked against what was asked for (moto honours durations).
#[track_caller]
fn assert_expires_in(shell: &ShellRun, expected: Duration) {
    let text = &shell.vars["AWS_CREDENTIAL_EXPIRATION"];
    assert!(text.ends_with('Z'), "RFC 3339 UTC: {text}");
    let at = rsume::time::parse_rfc3339(text).expect("RFC 3339");
    let left = rsume::time::seconds_left(at);
    let expected = expected.as_secs() as i64;
    assert!(
        (expected - 120..=expected + 5).contains(&left),
        "expires in {left} s, expected about {expected} s"
    );
}

#[track_caller]
fn assert_stale_cleared(shell: &ShellRun) {
    for name in ["AWS_PROFILE", "AWS_SECURITY_TOKEN", "AWS_DEFAULT_PROFILE"] {
        assert!(!shell.vars.contains_key(name), "{name} survived");
    }
}

#[test]
fn static_keys_are_exported_verbatim_in_every_shell() {
    let sandbox = sandbox().env("AWS_SESSION_TOKEN", "old-token");
    for shell in SHELLS {
        let result = sandbox.eval_in(shell, &["ci"]);
        assert!(
            result.run.status.success(),
            "{shell}: applying the code failed"
        );
        let vars = &result.vars;
        assert_eq!(vars["AWS_ACCESS_KEY_ID"], "AKIACIEXAMPLE0000002", "{shell}");
        assert_eq!(
            vars["AWS_SECRET_ACCESS_KEY"], "ci'secret$(touch pwned)",
            "{shell}"
        );
        assert!(
            !vars.contains_key("AWS_SESSION_TOKEN"),
            "{shell}: old token kept"
        );
        assert!(!vars.contains_key("AWS_CREDENTIAL_EXPIRATION"), "{shell}");
        assert_eq!(vars["RSUME_PROFILE"], "ci", "{shell}");
        // The profile names no region, so the one already set stays.
        assert_eq!(vars["AWS_REGION"], "us-east-1", "{shell}");
        assert_stale_cleared(&result);
        assert!(
            !sandbox.path("pwned").exists(),
            "{shell} ran code from a value"
        );
    }
}

#[test]
fn mfa_user_gets_a_twelve_hour_session() {
    let sandbox = sandbox();
    for shell in SHELLS {
        let result = sandbox.eval_in(shell, &["alice", "--mfa-token", "123456"]);
        let vars = &result.vars;
        // moto's GetSessionToken always answers with this key.
        assert_eq!(vars["AWS_ACCESS_KEY_ID"], "AKIAIOSFODNN7EXAMPLE", "{shell}");
        assert!(!vars["AWS_SESSION_TOKEN"].is_empty());
        assert_ne!(vars["AWS_SECRET_ACCESS_KEY"], "alice/secret+key");
        assert_expires_in(&result, Duration::from_secs(12 * 3600));
        assert_eq!(vars["AWS_REGION"], "eu-west-1");
        assert_eq!(vars["AWS_DEFAULT_REGION"], "eu-west-1");
        assert_eq!(vars["RSUME_PROFILE"], "alice");
        assert_stale_cleared(&result);
    }
}

#[test]
fn role_with_mfa_from_its_source_user() {
    let sandbox = sandbox();
    for shell in SHELLS {
        let result = sandbox.eval_in(shell, &["admin", "--mfa-token", "123456"]);
        let vars = &result.vars;
        assert!(vars["AWS_ACCESS_KEY_ID"].starts_with("ASIA"), "{vars:?}");
        assert!(!vars["AWS_SESSION_TOKEN"].is_empty());
        assert_expires_in(&result, Duration::from_secs(1800));
        // Inherited from the source profile.
        assert_eq!(vars["AWS_REGION"], "eu-west-1");
        assert_eq!(vars["RSUME_PROFILE"], "admin");
    }
}

#[test]
fn two_hop_chain_with_its_own_region() {
    let sandbox = sandbox();
    let result = sandbox.eval_in("bash", &["deep", "--mfa-token", "123456"]);
    assert!(result.vars["AWS_ACCESS_KEY_ID"].starts_with("ASIA"));
    assert_expires_in(&result, Duration::from_secs(3600));
    assert_eq!(result.vars["AWS_REGION"], "ap-southeast-2");
    assert!(
        result
            .run
            .stderr
            .contains("deep: new role credentials, valid until"),
        "{}",
        result.run.stderr
    );
}

#[test]
fn region_flag_overrides_the_profiles() {
    let result = sandbox().eval_in(
        "zsh",
        &["deep", "--mfa-token", "123456", "--region", "ca-central-1"],
    );
    assert_eq!(result.vars["AWS_REGION"], "ca-central-1");
    assert_eq!(result.vars["AWS_DEFAULT_REGION"], "ca-central-1");
}

#[test]
fn unknown_profile_fails_cleanly_and_suggests() {
    let sandbox = sandbox();
    let stderr = sandbox
        .run(&["admn", "--shell", "bash"])
        .failed()
        .to_owned();
    assert!(stderr.contains("no profile named 'admn'"), "{stderr}");
    assert!(stderr.contains("did you mean 'admin'"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    for shell in SHELLS {
        let result = sandbox.eval_in(shell, &["admn"]);
        assert_eq!(
            result.vars["AWS_PROFILE"], "stale",
            "{shell}: a failed run changed the shell"
        );
        assert!(!result.vars.contains_key("AWS_ACCESS_KEY_ID"));
    }
}

#[test]
fn a_cycle_is_reported() {
    let stderr = sandbox()
        .run(&["loop-a", "--shell", "bash"])
        .failed()
        .to_owned();
    assert!(stderr.contains("loop-a -> loop-b -> loop-a"), "{stderr}");
}

#[test]
fn unset_clears_everything_in_every_shell() {
    let sandbox = sandbox();
    for shell in SHELLS {
        let script = match shell {
            "fish" => "rsume admin --mfa-token 123456 | source; rsume --unset | source",
            _ => r#"eval "$(rsume admin --mfa-token 123456)"; eval "$(rsume --unset)""#,
        };
        let result = sandbox.shell(shell, script, &[]);
        for name in [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_CREDENTIAL_EXPIRATION",
            "AWS_DEFAULT_REGION",
            "RSUME_PROFILE",
            "AWSUME_PROFILE",
            "AWSUME_EXPIRATION",
            "RSUME_REGION",
            "RSUME_SAVED_REGION",
            "AWS_PROFILE",
            "AWS_SECURITY_TOKEN",
        ] {
            assert!(
                !result.vars.contains_key(name),
                "{shell}: {name} survived --unset"
            );
        }
        // The sandbox's own AWS_REGION was the user's: --unset puts it back.
        assert_eq!(result.vars["AWS_REGION"], "us-east-1", "{shell}");
    }
}

#[test]
fn default_files_can_be_moved_with_environment_variables() {
    let sandbox = sandbox();
    let elsewhere = sandbox.path("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::fs::write(
        elsewhere.join("cfg"),
        "[profile moved]\nregion = eu-north-1\n",
    )
    .unwrap();
    std::fs::write(
        elsewhere.join("creds"),
        "[moved]\naws_access_key_id = AKIAMOVED\naws_secret_access_key = s\n",
    )
    .unwrap();
    let sandbox = sandbox
        .env(
            "AWS_CONFIG_FILE",
            &elsewhere.join("cfg").display().to_string(),
        )
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            &elsewhere.join("creds").display().to_string(),
        );
    let result = sandbox.eval_in("bash", &["moved"]);
    assert_eq!(result.vars["AWS_ACCESS_KEY_ID"], "AKIAMOVED");
    assert_eq!(result.vars["AWS_REGION"], "eu-north-1");
    sandbox.run(&["alice"]).failed();
}

#[test]
fn aws_profile_picks_the_profile_when_none_is_given() {
    let sandbox = sandbox().env("AWS_PROFILE", "ci");
    let result = sandbox.eval_in("bash", &[]);
    assert_eq!(result.vars["RSUME_PROFILE"], "ci");
    assert!(!result.vars.contains_key("AWS_PROFILE"));
}
