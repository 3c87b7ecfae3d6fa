//! Where rsume sends the MFA code and a request signed with long-term keys: an endpoint
//! override from a variable, the profile's `endpoint_url` or its `[services]` section, named
//! on stderr once per run that calls STS; plain HTTP only at a loopback address unless
//! RSUME_ALLOW_HTTP_ENDPOINT=1. Runs that could reach another address run in an empty
//! network namespace (`unshare -n`), where no packet can leave.

mod support;

use std::process::Command;
use std::time::Duration;

use support::fake_sts::{FakeCreds, FakeSts, Reply};
use support::sandbox::{BIN, Run, Sandbox};

const KEYS: &str = "[alice]\naws_access_key_id = AKIAALICE\naws_secret_access_key = s\n";
const CODE: &str = "975310";

/// `admin` assumes a role over alice's MFA session; `extra` goes into `admin`.
fn config(extra: &str) -> String {
    format!(
        "[profile alice]\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\n\n\
         [profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\n\
         source_profile = alice\n{extra}"
    )
}

/// rsume in a network namespace of its own, with no interface up; `None` (after saying
/// so) where this process may not create one.
fn isolated(sandbox: &Sandbox, args: &[&str]) -> Option<Run> {
    let permitted = Command::new("unshare")
        .args(["-n", "true"])
        .status()
        .is_ok_and(|status| status.success());
    if !permitted {
        eprintln!("note: skipped, `unshare -n` is not permitted here (run the tests as root)");
        return None;
    }
    let output = sandbox
        .program("unshare")
        .arg("-n")
        .arg(BIN)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run unshare");
    Some(Run {
        status: output.status,
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    })
}

fn assume(extra_args: &[&'static str]) -> Vec<&'static str> {
    let mut args = vec!["admin", "--mfa-token", CODE, "--shell", "bash"];
    args.extend(extra_args);
    args
}

#[test]
fn plain_http_to_another_host_is_refused_before_any_connection() {
    let from_profile = Sandbox::new(&config("endpoint_url = http://192.0.2.10\n"), KEYS)
        .without("AWS_ENDPOINT_URL_STS");
    let from_services = Sandbox::new(
        &config(
            "services = corp\n[services corp]\nsts =\n  endpoint_url = http://sts.corp.example\n",
        ),
        KEYS,
    )
    .without("AWS_ENDPOINT_URL_STS");
    let from_variable = Sandbox::new(&config(""), KEYS).endpoint("http://sts.example.com:8080/");
    let cases = [
        (from_profile, "http://192.0.2.10", "endpoint_url at "),
        (
            from_services,
            "http://sts.corp.example",
            "sts.endpoint_url at ",
        ),
        (
            from_variable,
            "http://sts.example.com:8080/",
            "from AWS_ENDPOINT_URL_STS",
        ),
    ];
    for (sandbox, url, origin) in cases {
        let Some(run) = isolated(&sandbox, &assume(&["--debug"])) else {
            return;
        };
        let stderr = run.failed();
        let refusal = stderr.lines().last().unwrap_or_default();
        assert!(
            refusal.contains(&format!("refusing STS endpoint {url}")),
            "{stderr}"
        );
        assert!(refusal.contains(origin), "{stderr}");
        assert!(refusal.contains("RSUME_ALLOW_HTTP_ENDPOINT=1"), "{stderr}");
        // Refused while planning: no STS client, no request, no cache entry.
        assert!(!stderr.contains("GetSessionToken"), "{stderr}");
        assert!(sandbox.cache_entries().is_empty());
    }
    // The line names the file and the line the endpoint was set on.
    let sandbox = Sandbox::new(&config("endpoint_url = http://192.0.2.10\n"), KEYS)
        .without("AWS_ENDPOINT_URL_STS");
    if let Some(run) = isolated(&sandbox, &assume(&[])) {
        let stderr = run.failed();
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        let config_line = format!("{}:7", sandbox.path(".aws/config").display());
        assert!(stderr.contains(&config_line), "{stderr}");
    }
}

#[test]
fn the_sso_endpoints_keep_the_same_plain_http_rule() {
    // The portal gets the SSO access token; SSO OIDC the client secret and refresh token.
    let config = "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n\
                  sso_region = eu-west-1\n\n[profile dev]\nsso_session = corp\n\
                  sso_account_id = 111111111111\nsso_role_name = Developer\n";
    let cases = [
        ("AWS_ENDPOINT_URL_SSO", "SSO portal", "the SSO access token"),
        ("AWS_ENDPOINT_URL", "SSO portal", "the SSO access token"),
        (
            "AWS_ENDPOINT_URL_SSO_OIDC",
            "SSO OIDC",
            "the SSO client secret and refresh token",
        ),
    ];
    for (variable, service, secret) in cases {
        let sandbox = Sandbox::new(config, "").env(variable, "http://192.0.2.10");
        let Some(run) = isolated(&sandbox, &["dev", "--shell", "bash"]) else {
            return;
        };
        let stderr = run.failed();
        let refusal = format!(
            "refusing {service} endpoint http://192.0.2.10 (from {variable}) for profile 'dev'"
        );
        assert!(stderr.contains(&refusal), "{stderr}");
        assert!(stderr.contains(secret), "{stderr}");
        assert!(stderr.contains("RSUME_ALLOW_HTTP_ENDPOINT=1"), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
    // A loopback portal passes the rule (and then finds no cached token to send).
    let sandbox = Sandbox::new(config, "").env("AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:9");
    let stderr = sandbox.run(&["dev", "--shell", "bash"]).failed().to_owned();
    assert!(!stderr.contains("refusing"), "{stderr}");
}

#[test]
fn the_opt_in_lets_plain_http_through_and_names_it() {
    let sandbox = Sandbox::new(&config("endpoint_url = http://192.0.2.10\n"), KEYS)
        .without("AWS_ENDPOINT_URL_STS")
        .env("RSUME_ALLOW_HTTP_ENDPOINT", "1")
        .env("RSUME_STS_TIMEOUT", "2");
    let Some(run) = isolated(&sandbox, &assume(&[])) else {
        return;
    };
    // Past the check, the namespace has no route: the connection fails on the spot.
    let stderr = run.failed();
    assert!(
        stderr.starts_with("rsume: STS endpoint http://192.0.2.10 (endpoint_url at "),
        "{stderr}"
    );
    assert!(stderr.contains("could not reach STS"), "{stderr}");
}

#[test]
fn a_loopback_endpoint_is_named_once_per_run_that_calls_sts() {
    let creds = FakeCreds::new("loop", Duration::from_secs(3600));
    let sts = FakeSts::start(vec![Reply::auto(&creds)]);
    let port = sts.endpoint().rsplit(':').next().unwrap().to_owned();
    let url = format!("http://localhost:{port}");
    let sandbox = Sandbox::new(&config(""), KEYS).endpoint(&url);
    let run = sandbox.run(&assume(&[]));
    run.ok();
    assert_eq!(
        run.stderr
            .matches(&format!("STS endpoint {url} (from AWS_ENDPOINT_URL_STS)"))
            .count(),
        1,
        "{}",
        run.stderr
    );
    assert_eq!(sts.actions(), ["GetSessionToken", "AssumeRole"]);
    // From the cache: no call, so nothing to name.
    let hit = sandbox.run(&assume(&[]));
    hit.ok();
    assert!(!hit.stderr.contains("STS endpoint"), "{}", hit.stderr);
    assert_eq!(sts.request_count(), 2);
}

#[test]
fn the_services_section_points_sts_at_its_endpoint() {
    let creds = FakeCreds::new("svc", Duration::from_secs(3600));
    let sts = FakeSts::start(vec![Reply::auto(&creds)]);
    let config = config(&format!(
        "services = local\nendpoint_url = http://127.0.0.1:9\n\
         [services local]\nsts =\n  endpoint_url = {}\n",
        sts.endpoint()
    ));
    let run = Sandbox::new(&config, KEYS)
        .without("AWS_ENDPOINT_URL_STS")
        .run(&assume(&[]));
    assert!(run.ok().contains(&creds.access_key_id), "{}", run.stderr);
    assert!(
        run.stderr.contains("(sts.endpoint_url at "),
        "{}",
        run.stderr
    );
    assert_eq!(sts.actions(), ["GetSessionToken", "AssumeRole"]);
}

#[test]
fn ignore_configured_endpoint_urls_goes_to_the_aws_default() {
    // The profile's endpoint would be refused; ignored, the AWS default is used instead,
    // which the empty namespace cannot resolve.
    for (config, env) in [
        (
            config("endpoint_url = http://192.0.2.10\nignore_configured_endpoint_urls = true\n"),
            None,
        ),
        (
            config("endpoint_url = http://192.0.2.10\n"),
            Some(("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")),
        ),
    ] {
        let mut sandbox = Sandbox::new(&config, KEYS).env("RSUME_STS_TIMEOUT", "2");
        if let Some((name, value)) = env {
            sandbox = sandbox.env(name, value);
        }
        let Some(run) = isolated(&sandbox, &assume(&["--debug"])) else {
            return;
        };
        let stderr = run.failed();
        assert!(stderr.contains("endpoint (AWS default)"), "{stderr}");
        assert!(!stderr.contains("192.0.2.10"), "{stderr}");
        assert!(!stderr.contains("127.0.0.1:9"), "{stderr}");
        assert!(stderr.contains("could not reach STS"), "{stderr}");
    }
}
