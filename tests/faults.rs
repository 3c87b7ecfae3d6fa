//! A fault-injecting STS: every way a reply can go wrong gives one clear line that says what
//! to do (after the line naming the endpoint), empty stdout, a non-zero exit and no cache
//! entry; transient faults are retried a bounded number of times, and a dead or silent STS
//! ends the run within [`NO_HANG`]. No secret or MFA code reaches stderr, with or without
//! --debug.

mod support;

use std::time::{Duration, Instant};

use support::fake_sts::{FakeCreds, FakeSts, Reply};
use support::sandbox::{Run, Sandbox};

const CONFIG: &str = "\
[profile alice]
mfa_serial = arn:aws:iam::123456789012:mfa/alice

[profile admin]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = alice
";
const LONG_TERM_SECRET: &str = "LONG-TERM-SECRET-alice";
/// A run against an STS that never answers or is not there ends within this: three
/// attempts of one second (`RSUME_STS_TIMEOUT=1`) and the SDK's backoff take a few seconds;
/// a hang would take for ever. Generous on purpose: this is not a speed target.
const NO_HANG: Duration = Duration::from_secs(30);
const CODE: &str = "975310";

fn sandbox(sts: &FakeSts) -> Sandbox {
    Sandbox::new(
        CONFIG,
        &format!(
            "[alice]\naws_access_key_id = AKIAALICE\naws_secret_access_key = {LONG_TERM_SECRET}\n"
        ),
    )
    .endpoint(&sts.endpoint())
    .env("RSUME_STS_TIMEOUT", "1")
}

fn assume(sandbox: &Sandbox, debug: bool) -> Run {
    let mut args = vec!["admin", "--mfa-token", CODE, "--shell", "bash"];
    if debug {
        args.push("--debug");
    }
    sandbox.run(&args)
}

#[track_caller]
fn assert_clean_failure(run: &Run, sandbox: &Sandbox, expected: &str, debug: bool) {
    let stderr = run.failed();
    assert!(
        stderr.contains(expected),
        "expected {expected:?} in: {stderr}"
    );
    if !debug {
        // The endpoint, then one line for the failure; a slow STS also earns one line of
        // progress between them.
        let lines: Vec<&str> = stderr
            .lines()
            .filter(|l| !l.contains("has not answered after"))
            .collect();
        assert_eq!(lines.len(), 2, "the endpoint, then one line: {stderr}");
        assert!(
            lines[0].starts_with("rsume: STS endpoint http://"),
            "{stderr}"
        );
        // A refused code is said first with the device asked (tests/terminal.rs).
        let line = lines[1]
            .strip_prefix("rsume: STS refused the code of MFA device arn:aws:iam::123456789012:mfa/alice, a TOTP device named by ARN (virtual or hardware): ")
            .map_or(lines[1].to_owned(), |rest| format!("rsume: {rest}"));
        assert!(
            line.starts_with(
                "rsume: GetSessionToken with MFA device arn:aws:iam::123456789012:mfa/alice failed: "
            ),
            "{stderr}"
        );
    }
    assert!(!stderr.contains(LONG_TERM_SECRET), "{stderr}");
    assert!(!stderr.contains("LEAKED-"), "{stderr}");
    assert!(!stderr.contains(CODE), "the MFA code on stderr: {stderr}");
    let cached = sandbox.cache_entries().len();
    assert_eq!(cached, 0, "a failed run left a cache entry");
}

/// STS's final answers (no retry), and what the user is told for each.
fn final_errors() -> Vec<(Reply, &'static str)> {
    vec![
        (
            Reply::invalid_client_token_id(),
            "AWS does not recognise these keys (InvalidClientTokenId); check the profile's aws_access_key_id",
        ),
        (
            Reply::signature_does_not_match(),
            "AWS does not recognise these keys (SignatureDoesNotMatch)",
        ),
        (Reply::expired_token(), "the session token has expired"),
        (
            Reply::access_denied(),
            "access denied: User: arn:aws:iam::123456789012:user/alice is not authorized",
        ),
        (
            Reply::mfa_failed(),
            "AWS rejected the MFA code (wrong, expired or already used)",
        ),
        (
            Reply::region_disabled(),
            "STS is not enabled in this region",
        ),
        (Reply::validation_error(), "STS rejected the request"),
        (
            Reply::raw(
                200,
                &[("Content-Type", "text/xml")],
                "<GetSessionTokenResponse><GetSess",
            ),
            "STS sent a reply rsume could not read",
        ),
        (
            Reply::raw(
                200,
                &[("Content-Type", "text/html")],
                "<html>captive portal</html>",
            ),
            "STS sent a reply rsume could not read",
        ),
        (
            Reply::raw(
                200,
                &[("Content-Type", "text/xml")],
                "<GetSessionTokenResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetSessionTokenResult><Credentials><AccessKeyId>ASIAX</AccessKeyId></Credentials></GetSessionTokenResult></GetSessionTokenResponse>",
            ),
            "check that the endpoint is STS",
        ),
        (
            // Cut off inside the credentials: the parser's complaint must not quote them.
            Reply::raw(
                200,
                &[("Content-Type", "text/xml")],
                "<GetSessionTokenResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetSessionTokenResult><Credentials><AccessKeyId>ASIAX</AccessKeyId><SecretAccessKey>LEAKED-SECRET-IN-REPLY</SecretAccessKey><SessionToken>LEAKED-TOKEN",
            ),
            "check that the endpoint is STS",
        ),
    ]
}

#[test]
fn final_errors_are_one_line_each() {
    for (reply, expected) in final_errors() {
        for debug in [false, true] {
            let sts = FakeSts::start(vec![reply.clone()]);
            let sandbox = sandbox(&sts);
            let run = assume(&sandbox, debug);
            assert_clean_failure(&run, &sandbox, expected, debug);
            assert_eq!(
                sts.request_count(),
                1,
                "{expected}: a final error was retried"
            );
        }
    }
}

/// Replies holding credentials the SDK cannot accept, each as the issue found them leaking.
fn unreadable_credentials(creds: &FakeCreds) -> Vec<Reply> {
    let expiring = |text: &'static str| {
        let expiration = creds.expiration_rfc3339();
        Reply::session_token_edited(200, creds, move |xml| xml.replace(&expiration, text))
    };
    vec![
        expiring("1893456000"),
        expiring("garbage"),
        expiring("99999-01-01T00:00:00Z"),
        expiring("2030-01-01T00:00:00+25:00"),
        Reply::session_token_edited(200, creds, |xml| {
            xml.replace("<SessionToken>TOKEN-", "<SessionToken>&#1;TOKEN-")
        }),
        Reply::session_token_edited(500, creds, |xml| xml),
    ]
}

#[test]
fn debug_never_shows_a_secret_from_any_reply() {
    let leak = FakeCreds::new("leak", Duration::from_secs(3600));
    let mut faults = unreadable_credentials(&leak);
    faults.extend(final_errors().into_iter().map(|(reply, _)| reply));
    faults.extend([
        Reply::throttling(),
        Reply::internal_failure(),
        Reply::disconnect(),
        Reply::hang(),
    ]);
    for fault in faults {
        let sts = FakeSts::start(vec![fault.clone()]);
        let sandbox = sandbox(&sts);
        let run = assume(&sandbox, true);
        let stderr = &run.stderr;
        assert!(run.stdout.is_empty(), "{fault:?} was accepted: {stderr}");
        assert!(!run.status.success(), "{fault:?}: {stderr}");
        for secret in [&leak.secret_access_key, &leak.session_token] {
            // Any 12 bytes of a secret, so a cut-off or escaped copy is caught too.
            let pieces = secret.as_bytes().chunks(12).map(String::from_utf8_lossy);
            for piece in pieces.filter(|p| p.len() == 12) {
                assert!(
                    !stderr.contains(&*piece),
                    "{fault:?} leaked {piece}: {stderr}"
                );
            }
        }
        assert!(!stderr.contains(LONG_TERM_SECRET), "{stderr}");
        assert!(!stderr.contains(CODE), "the MFA code on stderr: {stderr}");
    }
}

#[test]
fn a_failed_role_names_the_role_and_profile() {
    let session = FakeCreds::new("session", Duration::from_secs(3600));
    let sts = FakeSts::start(vec![Reply::session_token(&session), Reply::access_denied()]);
    let run = assume(&sandbox(&sts), false);
    let stderr = run.failed();
    assert!(
        stderr.contains(
            "assuming arn:aws:iam::123456789012:role/admin for profile 'admin' failed: access denied: User: arn:aws:iam::123456789012:user/alice"
        ),
        "{stderr}"
    );
    assert_eq!(sts.actions(), ["GetSessionToken", "AssumeRole"]);
}

#[test]
fn throttling_server_errors_and_dropped_connections_are_retried() {
    let creds = FakeCreds::new("after", Duration::from_secs(3600));
    for transient in [
        Reply::throttling(),
        Reply::internal_failure(),
        Reply::disconnect(),
    ] {
        let sts = FakeSts::start(vec![transient, Reply::auto(&creds)]);
        let run = assume(&sandbox(&sts), false);
        assert!(run.ok().contains(&creds.access_key_id), "{}", run.stderr);
        assert_eq!(
            sts.actions(),
            ["GetSessionToken", "GetSessionToken", "AssumeRole"]
        );
    }
}

#[test]
fn persistent_throttling_gives_up_after_three_attempts() {
    let sts = FakeSts::start(vec![Reply::throttling()]);
    let sandbox = sandbox(&sts);
    let run = assume(&sandbox, false);
    assert_clean_failure(
        &run,
        &sandbox,
        "STS is throttling requests; wait a minute",
        false,
    );
    assert_eq!(sts.request_count(), 3);
}

#[test]
fn a_reply_that_never_comes_times_out() {
    let sts = FakeSts::start(vec![Reply::hang()]);
    let sandbox = sandbox(&sts);
    let started = Instant::now();
    let run = assume(&sandbox, false);
    let took = started.elapsed();
    assert_clean_failure(&run, &sandbox, "STS did not answer in time", false);
    assert!(run.stderr.contains("--sts-timeout"), "{}", run.stderr);
    // Said once, early, naming the endpoint that is silent.
    let notice = format!(
        "STS at {} has not answered after 2 s; retrying",
        sts.endpoint()
    );
    assert_eq!(run.stderr.matches(&notice).count(), 1, "{}", run.stderr);
    assert!(took < NO_HANG, "took {took:?}");
    assert_eq!(
        sts.request_count(),
        3,
        "each attempt is bounded, and so are attempts"
    );
}

#[test]
fn a_closed_port_is_reported_without_hanging() {
    // Port 9 (discard) on 127.0.0.1: nothing listens.
    let sandbox = Sandbox::new(
        CONFIG,
        &format!(
            "[alice]\naws_access_key_id = AKIAALICE\naws_secret_access_key = {LONG_TERM_SECRET}\n"
        ),
    )
    .endpoint("http://127.0.0.1:9");
    let started = Instant::now();
    let run = assume(&sandbox, false);
    let took = started.elapsed();
    assert_clean_failure(&run, &sandbox, "could not reach STS", false);
    assert!(took < NO_HANG, "took {took:?}");
    assert!(
        run.stderr.contains("AWS_ENDPOINT_URL_STS"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_dead_endpoint_is_named_with_where_it_was_set() {
    let keys = format!(
        "[alice]\naws_access_key_id = AKIAALICE\naws_secret_access_key = {LONG_TERM_SECRET}\n"
    );
    let dead = "http://127.0.0.1:9";
    let from_profile = Sandbox::new(&format!("{CONFIG}endpoint_url = {dead}\n"), &keys)
        .without("AWS_ENDPOINT_URL_STS");
    let config_file = from_profile.path(".aws/config").display().to_string();
    let from_global = Sandbox::new(CONFIG, &keys)
        .without("AWS_ENDPOINT_URL_STS")
        .env("AWS_ENDPOINT_URL", dead);
    for (sandbox, origin) in [
        (from_profile, format!("(endpoint_url at {config_file}:")),
        (from_global, "(from AWS_ENDPOINT_URL)".to_owned()),
    ] {
        let run = assume(&sandbox, false);
        assert_clean_failure(&run, &sandbox, "could not reach STS", false);
        let hint = run.stderr.lines().last().unwrap_or_default();
        assert!(
            hint.contains(&format!("the endpoint {dead} {origin}")),
            "{hint}"
        );
        assert!(!hint.contains("AWS_ENDPOINT_URL_STS"), "{hint}");
    }
}

#[test]
fn escape_sequences_from_the_files_never_reach_the_terminal() {
    let sandbox = Sandbox::new(
        "[profile evil]\nrole_arn = arn:aws:iam::1:role/x\u{1b}]0;owned\u{7}\u{202E}\nsource_profile = u\n",
        "[u]\naws_access_key_id = AKIAU\naws_secret_access_key = s\n",
    )
    .endpoint("http://127.0.0.1:9");
    for args in [
        &["evil", "--shell", "bash"][..],
        &["evil", "--shell", "bash", "--debug"],
    ] {
        let stderr = sandbox.run(args).failed().to_owned();
        assert!(
            stderr.contains("role/x\\u{1b}]0;owned\\u{7}\\u{202e}"),
            "{stderr}"
        );
        assert!(
            !stderr.contains('\u{1b}') && !stderr.contains('\u{202E}'),
            "{stderr:?}"
        );
    }
}

#[test]
fn text_direction_controls_never_reach_a_table() {
    let hostile = "arn:aws:iam::1:role/x\u{202E}nimda\u{2066}\u{200F}";
    let role = FakeCreds::new("bidi", Duration::from_secs(3600));
    let sts = FakeSts::start(vec![Reply::auto(&role)]);
    let sandbox = Sandbox::new(
        &format!("[profile evil]\nrole_arn = {hostile}\nsource_profile = u\n"),
        "[u]\naws_access_key_id = AKIAU\naws_secret_access_key = s\n",
    )
    .endpoint(&sts.endpoint());
    sandbox.run(&["evil", "--shell", "bash"]).ok();
    for args in [&["-l"][..], &["cache", "list"]] {
        let shown = sandbox.run(args).ok().to_owned();
        assert!(
            shown.contains("role/x\\u{202e}nimda\\u{2066}\\u{200f}"),
            "{args:?}: {shown}"
        );
        assert!(
            !shown.contains(['\u{202E}', '\u{2066}', '\u{200F}']),
            "{args:?} printed a direction control raw: {shown:?}"
        );
    }
}
