//! `rsume status`: what the shell holds, from its variables and the cache, with no STS call
//! unless `--verify`; the exit status says whether the credentials are live.

mod support;

use std::time::{Duration, SystemTime};

use support::fake_sts::{FakeCreds, FakeSts, Reply, rfc3339};
use support::moto::moto;
use support::sandbox::{SHELLS, Sandbox, with_wrapper};

const CONFIG: &str = "\
[profile alice]
mfa_serial = arn:aws:iam::123456789012:mfa/alice

[profile admin]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = alice
";
const CREDENTIALS: &str = "\
[alice]
aws_access_key_id = AKIAALICEEXAMPLE0001
aws_secret_access_key = alice-secret
";

/// The status line of a shell script: `status=N` after the command.
fn after(shell: &str, command: &str) -> String {
    match shell {
        "fish" => format!("{command}\necho \"exit=$status\""),
        _ => format!("{command}\necho \"exit=$?\""),
    }
}

#[test]
fn status_through_the_wrapper_shows_the_profile_and_its_mfa_session_in_every_shell() {
    for shell in SHELLS {
        let sandbox = Sandbox::new(CONFIG, CREDENTIALS).endpoint(&moto().endpoint());
        let body = format!(
            "rsume admin --mfa-token 123456\n{}",
            after(shell, "rsume status")
        );
        let run = sandbox.shell(shell, &with_wrapper(shell, &body), &[]).run;
        let out = run.ok();
        assert!(out.contains("profile     admin\n"), "{shell}: {out}");
        assert!(
            out.contains(
                "identity    arn:aws:iam::123456789012:role/admin (account 123456789012)\n"
            ),
            "{shell}: {out}"
        );
        assert!(
            out.contains("MFA session arn:aws:iam::123456789012:mfa/alice cached, "),
            "{shell}: {out}"
        );
        assert!(out.contains("status      live\n"), "{shell}: {out}");
        assert!(out.ends_with("exit=0\n"), "{shell}: {out}");
    }
}

#[test]
fn no_profile_in_the_shell_exits_1_in_every_shell() {
    for shell in SHELLS {
        let sandbox = Sandbox::new(CONFIG, CREDENTIALS);
        let body = after(shell, "rsume status");
        let run = sandbox.shell(shell, &with_wrapper(shell, &body), &[]).run;
        let out = run.ok();
        assert!(out.contains("no rsume profile is active"), "{shell}: {out}");
        assert!(out.ends_with("exit=1\n"), "{shell}: {out}");
    }
}

/// A sandbox whose shell holds what `rsume admin` would have exported.
fn holding(expiration: SystemTime, sts: &FakeSts) -> Sandbox {
    Sandbox::new(CONFIG, CREDENTIALS)
        .endpoint(&sts.endpoint())
        .env("RSUME_PROFILE", "admin")
        .env("AWS_ACCESS_KEY_ID", "ASIAADMINXXXXXXXXXXX")
        .env("AWS_SECRET_ACCESS_KEY", "admin-secret")
        .env("AWS_SESSION_TOKEN", "admin-token")
        .env("AWS_CREDENTIAL_EXPIRATION", &rfc3339(expiration))
}

#[test]
fn expired_credentials_exit_1_and_say_what_to_run_without_calling_sts() {
    let sts = FakeSts::start(vec![Reply::auto(&FakeCreds::new(
        "x",
        Duration::from_secs(3600),
    ))]);
    let sandbox = holding(SystemTime::now() - Duration::from_secs(60), &sts);
    let run = sandbox.run(&["status"]);
    assert_eq!(run.status.code(), Some(1), "{}", run.stderr);
    assert!(
        run.stdout.contains("expired: run  rsume admin"),
        "{}",
        run.stdout
    );
    let live = holding(SystemTime::now() + Duration::from_secs(1800), &sts);
    let run = live.run(&["status"]);
    assert_eq!(run.status.code(), Some(0), "{}", run.stdout);
    assert!(run.stdout.contains("expires     "), "{}", run.stdout);
    assert_eq!(
        sts.request_count(),
        0,
        "status without --verify calls nobody"
    );
}

#[test]
fn json_report_for_scripts() {
    let sts = FakeSts::start(vec![]);
    let sandbox = holding(SystemTime::now() + Duration::from_secs(1800), &sts);
    let run = sandbox.run(&["status", "--json"]);
    assert_eq!(run.status.code(), Some(0), "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(report["profile"], "admin");
    assert_eq!(report["live"], true);
    assert_eq!(report["arn"], "arn:aws:iam::123456789012:role/admin");
    assert_eq!(report["account"], "123456789012");
    let left = report["seconds_left"].as_i64().unwrap();
    assert!((1700..=1800).contains(&left), "{left}");
    assert!(report["mfa_session"].is_null());
    assert!(report["verified"].is_null());

    let sandbox = Sandbox::new(CONFIG, CREDENTIALS);
    let run = sandbox.run(&["status", "--json"]);
    assert_eq!(run.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(report["live"], false);
    assert!(report["profile"].is_null());
}

#[test]
fn verify_asks_sts_who_the_credentials_belong_to() {
    let sandbox = Sandbox::new(CONFIG, CREDENTIALS).endpoint(&moto().endpoint());
    let body = with_wrapper(
        "bash",
        "rsume admin --mfa-token 123456 && rsume status --verify --json",
    );
    let run = sandbox.shell("bash", &body, &[]).run;
    let report: serde_json::Value = serde_json::from_str(run.ok()).expect("JSON");
    assert_eq!(report["verified"], true, "{report}");
    assert_eq!(report["live"], true);
    let arn = report["arn"].as_str().unwrap();
    assert!(arn.contains(":assumed-role/admin/"), "{arn}");
}

#[test]
fn verify_turns_expired_and_unknown_tokens_into_run_rsume_profile() {
    for reply in [Reply::expired_token(), Reply::invalid_client_token_id()] {
        let sts = FakeSts::start(vec![reply]);
        let sandbox = holding(SystemTime::now() + Duration::from_secs(1800), &sts);
        let run = sandbox.run(&["status", "--verify"]);
        assert_eq!(run.status.code(), Some(1), "{}", run.stdout);
        assert!(
            run.stdout.contains("expired: run  rsume admin"),
            "{}",
            run.stdout
        );
        assert_eq!(sts.actions(), ["GetCallerIdentity"]);
        let signed_with = sts.requests()[0].access_key_id().map(str::to_owned);
        assert_eq!(signed_with.as_deref(), Some("ASIAADMINXXXXXXXXXXX"));
        let run = sandbox.run(&["status", "--verify", "--json"]);
        let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
        assert_eq!(report["verified"], false);
        assert_eq!(report["live"], false);
    }
}

/// Sets the `expiration` of the cached MFA session in `sandbox` to a time long past.
fn expire_mfa_session(sandbox: &Sandbox) {
    let mut expired = 0;
    for path in sandbox.cache_entries() {
        let mut entry: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if entry["kind"] == "mfa-session" {
            entry["expiration"] = "2001-01-01T00:00:00Z".into();
            std::fs::write(&path, entry.to_string()).unwrap();
            expired += 1;
        }
    }
    assert_eq!(expired, 1, "one MFA session in the cache");
}

#[test]
fn an_expired_mfa_session_is_called_expired_with_its_time_not_none_cached() {
    let sandbox = Sandbox::new(CONFIG, CREDENTIALS).endpoint(&moto().endpoint());
    let body = with_wrapper(
        "bash",
        "rsume admin --mfa-token 123456 >/dev/null 2>&1 && rsume status",
    );
    let run = sandbox.shell("bash", &body, &[]).run;
    assert!(
        run.ok()
            .contains("MFA session arn:aws:iam::123456789012:mfa/alice cached, "),
        "{}",
        run.stdout
    );
    expire_mfa_session(&sandbox);
    let run = sandbox.shell("bash", &body, &[]).run;
    assert!(
        run.ok().contains(
            "MFA session arn:aws:iam::123456789012:mfa/alice expired at 2001-01-01T00:00:00Z\n"
        ),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("none cached"), "{}", run.stdout);
}

#[test]
fn auto_refresh_is_live_for_as_long_as_the_mfa_session_lasts() {
    let sandbox = Sandbox::new(CONFIG, CREDENTIALS).endpoint(&moto().endpoint());
    let assume = "rsume admin --auto-refresh --mfa-token 123456 >/dev/null 2>&1 || exit 9";
    for shell in SHELLS {
        let assume = match shell {
            "fish" => "rsume admin --auto-refresh --mfa-token 123456 >/dev/null 2>&1; or exit 9",
            _ => assume,
        };
        let body = format!("{assume}\n{}", after(shell, "rsume status"));
        let ran = sandbox.shell(shell, &with_wrapper(shell, &body), &[]);
        assert_eq!(
            ran.vars.get("AWS_PROFILE").map(String::as_str),
            Some("rsume-admin")
        );
        assert!(!ran.vars.contains_key("AWS_ACCESS_KEY_ID"), "{shell}");
        let out = ran.run.ok();
        assert!(
            out.contains(
                "refresh     AWS_PROFILE=rsume-admin: tools get fresh credentials from rsume (--auto-refresh)\n"
            ),
            "{shell}: {out}"
        );
        assert!(out.contains("expires     "), "{shell}: {out}");
        assert!(out.contains("status      live\n"), "{shell}: {out}");
        assert!(out.ends_with("exit=0\n"), "{shell}: {out}");
    }
    let body = with_wrapper("bash", &format!("{assume}\nrsume status --json"));
    let run = sandbox.shell("bash", &body, &[]).run;
    let report: serde_json::Value = serde_json::from_str(run.ok()).expect("JSON");
    assert_eq!(report["live"], true, "{report}");
    assert_eq!(report["auto_refresh"], "rsume-admin");
    assert_eq!(report["arn"], "arn:aws:iam::123456789012:role/admin");
    let session = &report["mfa_session"];
    assert_eq!(session["device"], "arn:aws:iam::123456789012:mfa/alice");
    assert_eq!(report["expiration"], session["expiration"]);
    let left = report["seconds_left"].as_i64().unwrap();
    assert!((43000..=43200).contains(&left), "the MFA session's: {left}");

    // Once the session has ended, the next AWS call would ask for a code.
    expire_mfa_session(&sandbox);
    let body = with_wrapper(
        "bash",
        "export AWS_PROFILE=rsume-admin RSUME_PROFILE=admin\nrsume status\necho \"exit=$?\"",
    );
    let out = sandbox.shell("bash", &body, &[]).run.ok().to_owned();
    assert!(out.contains("expired at 2001-01-01T00:00:00Z\n"), "{out}");
    assert!(
        out.contains("the MFA session has ended, so the next AWS call asks for a code; run  rsume admin --auto-refresh  to enter it now"),
        "{out}"
    );
    assert!(out.ends_with("exit=1\n"), "{out}");
}

#[test]
fn an_aws_profile_naming_no_written_profile_is_not_live() {
    let sandbox = Sandbox::new(CONFIG, CREDENTIALS)
        .env("RSUME_PROFILE", "admin")
        .env("AWS_PROFILE", "rsume-admin");
    let run = sandbox.run(&["status"]);
    assert_eq!(run.status.code(), Some(1), "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "AWS_PROFILE=rsume-admin but the config file has no such profile; run  rsume admin --auto-refresh"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn json_names_the_role_of_a_web_identity_root_and_the_account_of_an_sso_root() {
    let config = "\
[profile ci]
role_arn = arn:aws:iam::123456789012:role/ci
web_identity_token_file = /nowhere/token

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[profile dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Developer
";
    let sts = FakeSts::start(vec![]);
    let with = |profile: &str| {
        holding(SystemTime::now() + Duration::from_secs(1800), &sts).env("RSUME_PROFILE", profile)
    };
    let sandbox = with("ci");
    std::fs::write(sandbox.path(".aws/config"), config).unwrap();
    let run = sandbox.run(&["status", "--json"]);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(
        report["arn"], "arn:aws:iam::123456789012:role/ci",
        "{report}"
    );
    assert_eq!(report["account"], "123456789012");
    let run = sandbox.run(&["status"]);
    assert!(
        run.stdout
            .contains("identity    arn:aws:iam::123456789012:role/ci (account 123456789012)\n"),
        "{}",
        run.stdout
    );

    let sandbox = with("dev");
    std::fs::write(sandbox.path(".aws/config"), config).unwrap();
    let run = sandbox.run(&["status", "--json"]);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(report["account"], "111111111111", "{report}");
    assert_eq!(report["sso_role"], "Developer");
    let run = sandbox.run(&["status"]);
    assert!(
        run.stdout
            .contains("identity    SSO role Developer (account 111111111111)\n"),
        "{}",
        run.stdout
    );
    assert_eq!(sts.request_count(), 0);
}

#[test]
fn verify_sends_no_session_token_for_long_term_keys() {
    let sts = FakeSts::start(vec![Reply::caller_identity(
        "arn:aws:iam::123456789012:user/alice",
    )]);
    let sandbox = Sandbox::new(CONFIG, CREDENTIALS)
        .endpoint(&sts.endpoint())
        .env("RSUME_PROFILE", "alice")
        .env("AWS_ACCESS_KEY_ID", "AKIAALICEEXAMPLE0001")
        .env("AWS_SECRET_ACCESS_KEY", "alice-secret")
        .env("AWS_SESSION_TOKEN", "");
    let run = sandbox.run(&["status", "--verify", "--json"]);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(report["verified"], true, "{report} {}", run.stderr);
    assert_eq!(sts.actions(), ["GetCallerIdentity"]);
    let request = &sts.requests()[0];
    assert_eq!(request.header("x-amz-security-token"), None);
    assert!(
        !request
            .header("authorization")
            .unwrap()
            .contains("x-amz-security-token"),
        "the token is not signed either"
    );
}
