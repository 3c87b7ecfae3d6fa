//! STS calls checked at the wire with a scripted fake STS: which call is signed by which
//! key, for which region, and what each carries. What the user sees when STS says no is in
//! `faults.rs`. The fake STS's own checks run here, once.

mod support;

use std::time::Duration;

use support::fake_sts::{FakeCreds, FakeSts, Reply};
use support::sandbox::{Run, Sandbox};

const CONFIG: &str = "\
[profile alice]
mfa_serial = arn:aws:iam::123456789012:mfa/alice
region = eu-west-1

[profile admin]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = alice
external_id = ext-7
duration_seconds = 1800

[profile deep]
role_arn = arn:aws:iam::210987654321:role/deep
source_profile = admin
role_session_name = deep-session

[profile bob-role]
role_arn = arn:aws:iam::123456789012:role/readonly
source_profile = bob
";

const ALICE_SECRET: &str = "ALICE-LONG-TERM-SECRET";

fn credentials() -> String {
    format!(
        "[alice]\naws_access_key_id = AKIAALICE\naws_secret_access_key = {ALICE_SECRET}\n\
         [bob]\naws_access_key_id = AKIABOB\naws_secret_access_key = BOB-SECRET\n"
    )
}

fn run(sts: &FakeSts, args: &[&str]) -> Run {
    Sandbox::new(CONFIG, &credentials())
        .endpoint(&sts.endpoint())
        .run(args)
}

/// Neither a secret nor the MFA code may appear on stderr, with or without --debug.
#[track_caller]
fn assert_no_secret(stderr: &str, creds: &[&FakeCreds]) {
    assert!(!stderr.contains(ALICE_SECRET), "{stderr}");
    assert!(!stderr.contains("BOB-SECRET"), "{stderr}");
    assert!(!stderr.contains("975310"), "MFA code on stderr: {stderr}");
    for c in creds {
        assert!(!stderr.contains(&c.secret_access_key), "{stderr}");
        assert!(!stderr.contains(&c.session_token), "{stderr}");
    }
}

#[test]
fn chain_signs_each_call_with_the_previous_credentials() {
    let session = FakeCreds::new("session", Duration::from_secs(43200));
    let admin = FakeCreds::new("admin", Duration::from_secs(1800));
    let deep = FakeCreds::new("deep", Duration::from_secs(3600));
    let sts = FakeSts::start(vec![
        Reply::session_token(&session),
        Reply::assume_role(&admin, "arn:aws:iam::123456789012:role/admin"),
        Reply::assume_role(&deep, "arn:aws:iam::210987654321:role/deep"),
    ]);
    let result = run(
        &sts,
        &[
            "deep",
            "--mfa-token",
            "975310",
            "--shell",
            "bash",
            "--debug",
        ],
    );
    let stdout = result.ok();
    assert!(stdout.contains(&format!(
        "export AWS_ACCESS_KEY_ID='{}'",
        deep.access_key_id
    )));
    assert!(stdout.contains(&format!(
        "export AWS_SESSION_TOKEN='{}'",
        deep.session_token
    )));
    assert!(stdout.contains(&format!(
        "export AWS_CREDENTIAL_EXPIRATION='{}'",
        deep.expiration_rfc3339()
    )));
    assert_no_secret(&result.stderr, &[&session, &admin, &deep]);

    let calls = sts.requests();
    assert_eq!(
        sts.actions(),
        ["GetSessionToken", "AssumeRole", "AssumeRole"]
    );
    // One MFA code, on the session for the user; the roles ride on that session.
    assert_eq!(calls[0].access_key_id(), Some("AKIAALICE"));
    assert_eq!(
        calls[0].field("SerialNumber"),
        Some("arn:aws:iam::123456789012:mfa/alice")
    );
    assert_eq!(calls[0].field("TokenCode"), Some("975310"));
    assert_eq!(calls[0].field("DurationSeconds"), Some("43200"));

    assert_eq!(
        calls[1].access_key_id(),
        Some(session.access_key_id.as_str())
    );
    assert_eq!(
        calls[1].field("RoleArn"),
        Some("arn:aws:iam::123456789012:role/admin")
    );
    assert_eq!(calls[1].field("ExternalId"), Some("ext-7"));
    assert_eq!(calls[1].field("DurationSeconds"), Some("1800"));
    assert_eq!(calls[1].field("RoleSessionName"), Some("rsume-admin"));
    assert_eq!(calls[1].field("TokenCode"), None);

    assert_eq!(calls[2].access_key_id(), Some(admin.access_key_id.as_str()));
    assert_eq!(
        calls[2].field("RoleArn"),
        Some("arn:aws:iam::210987654321:role/deep")
    );
    assert_eq!(calls[2].field("RoleSessionName"), Some("deep-session"));
    assert_eq!(calls[2].field("DurationSeconds"), None);
    // Signed for the chain's region.
    assert!(
        calls[0]
            .header("authorization")
            .unwrap()
            .contains("/eu-west-1/sts/")
    );
}

#[test]
fn role_without_mfa_is_one_call() {
    let role = FakeCreds::new("ro", Duration::from_secs(3600));
    let sts = FakeSts::start(vec![Reply::auto(&role)]);
    let result = run(&sts, &["bob-role", "--shell", "fish"]);
    assert!(result.ok().contains(&format!(
        "set -gx AWS_ACCESS_KEY_ID '{}'",
        role.access_key_id
    )));
    assert_eq!(sts.actions(), ["AssumeRole"]);
    assert_eq!(sts.requests()[0].access_key_id(), Some("AKIABOB"));
}

#[test]
fn a_malformed_mfa_flag_fails_before_any_call() {
    let sts = FakeSts::start(vec![Reply::internal_failure()]);
    for code in ["12345", "abcdef", "1234567"] {
        let stderr = run(&sts, &["admin", "--mfa-token", code, "--shell", "bash"])
            .failed()
            .to_owned();
        assert!(stderr.contains("exactly 6 digits"), "{stderr}");
    }
    assert_eq!(sts.request_count(), 0);
}

#[test]
fn session_durations_reach_sts() {
    let session = FakeCreds::new("s", Duration::from_secs(3600));
    let sts = FakeSts::start(vec![Reply::auto(&session)]);
    run(
        &sts,
        &[
            "alice",
            "--mfa-token",
            "975310",
            "--session-duration",
            "1h",
            "--shell",
            "bash",
            "--no-cache",
        ],
    )
    .ok();
    let config = format!(
        "{CONFIG}\n[profile short]\nmfa_serial = arn:aws:iam::1:mfa/s\nduration_seconds = 7200\n"
    );
    Sandbox::new(
        &config,
        "[short]\naws_access_key_id = AKIASHORT\naws_secret_access_key = s\n",
    )
    .endpoint(&sts.endpoint())
    .run(&["short", "--mfa-token", "975310", "--shell", "bash"])
    .ok();
    let durations: Vec<_> = sts
        .requests()
        .iter()
        .map(|r| r.field("DurationSeconds").map(str::to_owned))
        .collect();
    assert_eq!(
        durations,
        [Some("3600".to_owned()), Some("7200".to_owned())]
    );
}

#[test]
fn environment_keys_can_assume_a_role() {
    let role = FakeCreds::new("env-role", Duration::from_secs(3600));
    let sts = FakeSts::start(vec![Reply::auto(&role)]);
    let config = "[profile from-env]\nrole_arn = arn:aws:iam::123456789012:role/ci\ncredential_source = Environment\n";
    let result = Sandbox::new(config, "")
        .endpoint(&sts.endpoint())
        .env("AWS_ACCESS_KEY_ID", "AKIAFROMENV")
        .env("AWS_SECRET_ACCESS_KEY", "ENV-SECRET")
        .run(&["from-env", "--shell", "bash"]);
    assert!(result.ok().contains(&role.access_key_id));
    assert_eq!(sts.requests()[0].access_key_id(), Some("AKIAFROMENV"));
}

#[test]
fn the_profile_endpoint_url_is_honoured() {
    let role = FakeCreds::new("ep", Duration::from_secs(3600));
    let sts = FakeSts::start(vec![Reply::auto(&role)]);
    let config = format!(
        "[profile bob-role]\nrole_arn = arn:aws:iam::123456789012:role/readonly\nsource_profile = bob\nendpoint_url = {}\n",
        sts.endpoint()
    );
    let result = Sandbox::new(&config, &credentials())
        .without("AWS_ENDPOINT_URL_STS")
        .run(&["bob-role", "--shell", "bash"]);
    assert!(
        result.ok().contains(&role.access_key_id),
        "{}",
        result.stderr
    );
    assert_eq!(sts.request_count(), 1);
}

#[test]
fn the_role_duration_flag_reaches_the_last_role_only() {
    let creds = FakeCreds::new("dur", Duration::from_secs(7200));
    let sts = FakeSts::start(vec![Reply::auto(&creds)]);
    run(
        &sts,
        &[
            "deep",
            "--mfa-token",
            "975310",
            "--role-duration",
            "2h",
            "--shell",
            "bash",
        ],
    )
    .ok();
    let durations: Vec<_> = sts
        .requests()
        .iter()
        .map(|r| {
            (
                r.action.clone(),
                r.field("DurationSeconds").map(str::to_owned),
            )
        })
        .collect();
    assert_eq!(
        durations,
        [
            ("GetSessionToken".to_owned(), Some("43200".to_owned())),
            ("AssumeRole".to_owned(), Some("1800".to_owned())),
            ("AssumeRole".to_owned(), Some("7200".to_owned())),
        ]
    );
}

#[test]
fn the_sts_region_falls_back_to_aws_default_region() {
    let creds = FakeCreds::new("region", Duration::from_secs(3600));
    let sts = FakeSts::start(vec![Reply::auto(&creds)]);
    let sandbox = Sandbox::new(CONFIG, &credentials())
        .endpoint(&sts.endpoint())
        .without("AWS_REGION")
        .env("AWS_DEFAULT_REGION", "eu-north-1");
    // bob-role names no region, so the variables decide; AWS_REGION wins when both are set.
    sandbox.run(&["bob-role", "--shell", "bash"]).ok();
    let sandbox = sandbox.env("AWS_REGION", "ap-southeast-2");
    sandbox
        .run(&["bob-role", "--shell", "bash", "--no-cache"])
        .ok();
    let scopes: Vec<bool> = sts
        .requests()
        .iter()
        .zip(["/eu-north-1/sts/", "/ap-southeast-2/sts/"])
        .map(|(r, scope)| r.header("authorization").unwrap().contains(scope))
        .collect();
    assert_eq!(scopes, [true, true], "{:?}", sts.requests());
}

#[test]
fn a_region_that_is_no_host_label_is_refused_where_it_was_set() {
    let creds = FakeCreds::new("badregion", Duration::from_secs(3600));
    let sts = FakeSts::start(vec![Reply::auto(&creds)]);
    let hostile = "evil.example#";
    let in_profile = CONFIG.replace("region = eu-west-1", &format!("region = {hostile}"));
    let base = || {
        Sandbox::new(CONFIG, &credentials())
            .endpoint(&sts.endpoint())
            .without("AWS_DEFAULT_REGION")
    };
    let cases = [
        (
            Sandbox::new(&in_profile, &credentials()).endpoint(&sts.endpoint()),
            "admin",
            vec![],
            // alice's `region` line, inherited by admin.
            "/.aws/config:3)".to_owned(),
        ),
        (
            base(),
            "admin",
            vec!["--region", hostile],
            "(from --region)".to_owned(),
        ),
        (
            base().env("AWS_REGION", hostile),
            "bob-role",
            vec![],
            "(from AWS_REGION)".to_owned(),
        ),
        (
            base()
                .env("AWS_REGION", "")
                .env("AWS_DEFAULT_REGION", "a b"),
            "bob-role",
            vec![],
            "(from AWS_DEFAULT_REGION)".to_owned(),
        ),
    ];
    for (sandbox, profile, extra, origin) in cases {
        let mut args = vec![profile, "--mfa-token", "123456", "--shell", "bash"];
        args.extend(extra);
        let stderr = sandbox.run(&args).failed().to_owned();
        assert!(stderr.contains("is not a region name"), "{stderr}");
        assert!(stderr.contains(&origin), "{origin}: {stderr}");
        assert!(!stderr.contains("could not read"), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
    assert_eq!(sts.request_count(), 0, "nothing is sent");
}

// The fake STS's own cheap, network-free checks, here so they run once and not in every
// test binary that uses the fake; the server itself is exercised by the tests above.
mod fake_sts_checks {
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use super::support::fake_sts::*;

    fn at(secs: i64) -> SystemTime {
        if secs >= 0 {
            UNIX_EPOCH + Duration::from_secs(secs as u64)
        } else {
            UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
        }
    }

    #[test]
    fn rfc3339_known_dates() {
        for (secs, text) in [
            (0, "1970-01-01T00:00:00Z"),
            (-1, "1969-12-31T23:59:59Z"),
            (951_782_400, "2000-02-29T00:00:00Z"),
            (1_767_225_599, "2025-12-31T23:59:59Z"),
            (1_767_225_600, "2026-01-01T00:00:00Z"),
            (1_772_323_200, "2026-03-01T00:00:00Z"),
            (2_147_483_648, "2038-01-19T03:14:08Z"),
            (4_107_542_400, "2100-03-01T00:00:00Z"),
            (253_402_300_799, "9999-12-31T23:59:59Z"),
            (-2_208_988_800, "1900-01-01T00:00:00Z"),
        ] {
            assert_eq!(rfc3339(at(secs)), text, "{secs}");
        }
        // Sub-seconds are dropped, also before the epoch.
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_millis(1_999)),
            "1970-01-01T00:00:01Z"
        );
        assert_eq!(
            rfc3339(UNIX_EPOCH - Duration::from_millis(1)),
            "1969-12-31T23:59:59Z"
        );
    }

    #[test]
    fn civil_from_days_is_continuous() {
        let mut prev = civil_from_days(-25_568); // 1899-12-31
        assert_eq!(prev, (1899, 12, 31));
        for days in -25_567..150_000 {
            let (y, m, d) = civil_from_days(days);
            let (py, pm, pd) = prev;
            let next_day = (y, m, d) == (py, pm, pd + 1);
            let next_month = (y, m, d) == (py, pm + 1, 1);
            let next_year = (y, m, d) == (py + 1, 1, 1) && (pm, pd) == (12, 31);
            assert!(
                next_day || next_month || next_year,
                "{prev:?} -> {y}-{m}-{d}"
            );
            if next_month {
                let leap = (py % 4 == 0 && py % 100 != 0) || py % 400 == 0;
                let len = [
                    31,
                    28 + u32::from(leap),
                    31,
                    30,
                    31,
                    30,
                    31,
                    31,
                    30,
                    31,
                    30,
                    31,
                ];
                assert_eq!(pd, len[pm as usize - 1], "{prev:?}");
            }
            prev = (y, m, d);
        }
    }

    #[test]
    fn http_date_known_dates() {
        assert_eq!(http_date(at(0)), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(http_date(at(784_111_777)), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(http_date(at(-1)), "Wed, 31 Dec 1969 23:59:59 GMT");
        assert_eq!(http_date(at(951_782_400)), "Tue, 29 Feb 2000 00:00:00 GMT");
        assert_eq!(
            http_date(at(4_107_542_400)),
            "Mon, 01 Mar 2100 00:00:00 GMT"
        );
        assert_eq!(
            http_date(at(253_402_300_799)),
            "Fri, 31 Dec 9999 23:59:59 GMT"
        );
    }

    #[test]
    fn form_decoding() {
        assert_eq!(
            decode_form(
                "Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fa+b&Empty=&Flag&%zz=%4"
            ),
            vec![
                ("Action".into(), "AssumeRole".into()),
                ("RoleArn".into(), "arn:aws:iam::1:role/a b".into()),
                ("Empty".into(), "".into()),
                ("Flag".into(), "".into()),
                ("%zz".into(), "%4".into()),
            ]
        );
    }

    #[test]
    fn role_arn_parsing() {
        let r = parse_role_arn("arn:aws-cn:iam::210987654321:role/path/to/Admin");
        assert_eq!(
            (r.partition.as_str(), r.account.as_str(), r.name.as_str()),
            ("aws-cn", "210987654321", "Admin")
        );
        let r = parse_role_arn("junk");
        assert_eq!(
            (r.partition.as_str(), r.account.as_str(), r.name.as_str()),
            ("aws", FAKE_ACCOUNT, "junk")
        );
    }

    #[test]
    fn creds_are_recognisable() {
        let c = FakeCreds::new("base", Duration::from_secs(3600));
        assert_eq!(c.access_key_id, "ASIABASEXXXXXXXXXXXX");
        assert!(c.secret_access_key.starts_with("SECRET-base-"));
        assert!(c.session_token.starts_with("TOKEN-base-"));
        assert_ne!(c, FakeCreds::new("role", Duration::from_secs(3600)));
        assert_eq!(
            unix_seconds(c.expiration),
            unix_seconds(whole_seconds(c.expiration))
        );
    }
}
