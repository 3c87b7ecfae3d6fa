//! Networks as users have them: STS behind a TLS endpoint signed by a private CA (trusted
//! through `AWS_CA_BUNDLE` or the profile's `ca_bundle`), reached through a CONNECT proxy
//! (`HTTPS_PROXY`/`https_proxy`) or around it (`NO_PROXY`). Everything on 127.0.0.1: moto
//! behind a local TLS front, and a local proxy that records where it tunnels.

mod support;

use support::moto::moto;
use support::proxy::ConnectProxy;
use support::sandbox::{Run, Sandbox};
use support::tls::{TestCa, TlsFront};

const CREDENTIALS: &str = "[alice]\naws_access_key_id = AKIAALICE\naws_secret_access_key = s\n";
const CODE: &str = "975310";

/// `admin` assumes a role over alice's MFA session; `extra` goes into `admin`.
fn config(extra: &str) -> String {
    format!(
        "[profile alice]\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\n\n\
         [profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\n\
         source_profile = alice\n{extra}"
    )
}

/// A private CA, moto behind a TLS endpoint it signed, and a sandbox pointed at it.
fn setup(extra: &str) -> (TestCa, TlsFront, Sandbox) {
    let ca = TestCa::new();
    let front = TlsFront::start(&ca, moto().port());
    let sandbox = Sandbox::new(&config(extra), CREDENTIALS).endpoint(&front.url());
    (ca, front, sandbox)
}

fn assume(sandbox: &Sandbox) -> Run {
    sandbox.run(&["admin", "--mfa-token", CODE, "--shell", "bash"])
}

fn bundle(ca: &TestCa) -> String {
    ca.bundle().display().to_string()
}

#[test]
fn a_private_ca_is_trusted_only_through_aws_ca_bundle() {
    let (ca, front, sandbox) = setup("");
    let refused = assume(&sandbox);
    let error = refused.failed();
    assert_eq!(
        front.connections(),
        1,
        "a distrusted certificate is tried once"
    );
    assert!(error.contains("certificate"), "{error}");
    assert!(error.contains("AWS_CA_BUNDLE"), "{error}");
    let lines: Vec<&str> = error
        .lines()
        .filter(|line| !line.starts_with("rsume: STS "))
        .collect();
    // Besides the notices naming the endpoint (and, on a busy machine, a slow answer).
    assert_eq!(lines.len(), 1, "one line: {error}");
    assert!(
        sandbox.cache_entries().is_empty(),
        "no cache entry on failure"
    );

    let sandbox = sandbox.env("AWS_CA_BUNDLE", &bundle(&ca));
    let out = assume(&sandbox).ok().to_owned();
    assert!(out.contains("AWS_SESSION_TOKEN"), "{out}");
}

#[test]
fn the_profile_ca_bundle_is_trusted_and_the_variable_wins_over_it() {
    let ca = TestCa::new();
    let (_, front, sandbox) = setup(&format!("ca_bundle = {}\n", bundle(&ca)));
    // `setup` made a second CA for the front: trust that one through the profile.
    drop(front);
    let front = TlsFront::start(&ca, moto().port());
    let sandbox = sandbox.endpoint(&front.url());
    assume(&sandbox).ok();

    // AWS_CA_BUNDLE beats ca_bundle, as in the AWS CLI: another CA does not sign this one.
    let other = TestCa::new();
    let sandbox = Sandbox::new(
        &config(&format!("ca_bundle = {}\n", bundle(&ca))),
        CREDENTIALS,
    )
    .endpoint(&front.url())
    .env("AWS_CA_BUNDLE", &bundle(&other));
    let error = assume(&sandbox).failed().to_owned();
    assert!(error.contains("not trusted"), "{error}");
}

#[test]
fn https_proxy_carries_the_call_as_a_connect_tunnel() {
    let (ca, front, sandbox) = setup("");
    for variable in ["HTTPS_PROXY", "https_proxy"] {
        let proxy = ConnectProxy::start();
        let sandbox = Sandbox::new(&config(""), CREDENTIALS)
            .endpoint(&front.url())
            .env("AWS_CA_BUNDLE", &bundle(&ca))
            .env(variable, &proxy.url());
        assume(&sandbox).ok();
        let requests = proxy.requests();
        assert!(!requests.is_empty(), "{variable}: the proxy saw nothing");
        let expected = format!("CONNECT localhost:{} HTTP/1.1", front.port());
        assert!(
            requests.iter().all(|line| *line == expected),
            "{variable}: {requests:?}"
        );
    }
    drop(sandbox);
}

#[test]
fn no_proxy_reaches_the_endpoint_directly() {
    let (ca, front, sandbox) = setup("");
    let proxy = ConnectProxy::start();
    for (variable, hosts) in [
        ("NO_PROXY", "localhost"),
        ("no_proxy", "example.com,localhost"),
    ] {
        let sandbox = Sandbox::new(&config(""), CREDENTIALS)
            .endpoint(&front.url())
            .env("AWS_CA_BUNDLE", &bundle(&ca))
            .env("HTTPS_PROXY", &proxy.url())
            .env(variable, hosts);
        let before = front.connections();
        assume(&sandbox).ok();
        assert!(front.connections() > before, "{variable}: never reached");
        assert_eq!(proxy.requests(), Vec::<String>::new(), "{variable}");
    }
    drop(sandbox);
}

#[test]
fn plain_http_goes_direct_whatever_the_proxy_variables_say() {
    use std::time::Duration;
    use support::fake_sts::{FakeCreds, FakeSts, Reply};
    // The only plain-HTTP endpoint allowed is a loopback one; a proxy would read the MFA
    // code and the signed request in clear, so it must see nothing, however it is set.
    let proxy = ConnectProxy::start();
    let cases: [&[(&str, &str)]; 4] = [
        &[("HTTP_PROXY", &proxy.url())],
        &[("http_proxy", &proxy.url())],
        &[("HTTP_PROXY", &proxy.url()), ("HTTPS_PROXY", &proxy.url())],
        &[("HTTP_PROXY", &proxy.url()), ("NO_PROXY", "example.com")],
    ];
    for vars in cases {
        let creds = FakeCreds::new("direct", Duration::from_secs(3600));
        let sts = FakeSts::start(vec![Reply::auto(&creds)]);
        let mut sandbox = Sandbox::new(&config(""), CREDENTIALS).endpoint(&sts.endpoint());
        for (name, value) in vars {
            sandbox = sandbox.env(name, value);
        }
        let out = assume(&sandbox).ok().to_owned();
        assert!(out.contains(&creds.access_key_id), "{vars:?}: {out}");
        assert_eq!(sts.actions(), ["GetSessionToken", "AssumeRole"], "{vars:?}");
        assert_eq!(proxy.requests(), Vec::<String>::new(), "{vars:?}");
    }
}

#[test]
fn a_cached_run_builds_no_client_and_opens_no_connection() {
    let (ca, front, sandbox) = setup("");
    let proxy = ConnectProxy::start();
    let sandbox = sandbox
        .env("AWS_CA_BUNDLE", &bundle(&ca))
        .env("HTTPS_PROXY", &proxy.url());
    assume(&sandbox).ok();
    let (connections, tunnels) = (front.connections(), proxy.requests().len());
    assert!(tunnels > 0);

    // A bundle that cannot be read would fail any client built: a cache hit builds none.
    let sandbox = sandbox.env("AWS_CA_BUNDLE", "/nonexistent/ca.pem");
    let cached = assume(&sandbox);
    cached.ok();
    assert!(cached.stderr.contains("cached"), "{}", cached.stderr);
    assert_eq!(front.connections(), connections);
    assert_eq!(proxy.requests().len(), tunnels);
}

#[test]
fn an_unreadable_bundle_or_a_broken_proxy_url_is_one_clear_line() {
    let (_ca, front, sandbox) = setup("");
    let missing = sandbox.env("AWS_CA_BUNDLE", "/nonexistent/ca.pem");
    let error = assume(&missing).failed().to_owned();
    assert!(
        error.contains("cannot read the CA bundle /nonexistent/ca.pem (from AWS_CA_BUNDLE)"),
        "{error}"
    );
    assert!(missing.cache_entries().is_empty());

    let sandbox = Sandbox::new(&config(""), CREDENTIALS)
        .endpoint(&front.url())
        .env("HTTPS_PROXY", "http://alice:s3cret@pro xy:3128");
    let error = assume(&sandbox).failed().to_owned();
    assert!(error.contains("profile 'admin'"), "{error}");
    assert!(error.contains("from HTTPS_PROXY"), "{error}");
    assert!(
        !error.contains("s3cret"),
        "the proxy password leaked: {error}"
    );
    assert_eq!(error.trim().lines().count(), 1, "one line: {error}");
    assert_eq!(
        front.connections(),
        0,
        "nothing is sent with a broken proxy"
    );
}

#[test]
fn a_proxy_password_is_sent_to_the_proxy_and_never_shown() {
    let (ca, _front, sandbox) = setup("");
    let proxy = ConnectProxy::start();
    let address = proxy.url().replace("http://", "http://alice:s3cret@");
    let sandbox = sandbox
        .env("AWS_CA_BUNDLE", &bundle(&ca))
        .env("HTTPS_PROXY", &address);
    let run = sandbox.run(&["admin", "--mfa-token", CODE, "--shell", "bash", "--debug"]);
    run.ok();
    assert!(
        run.stderr.contains("HTTPS proxy http://***@127.0.0.1"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("s3cret"), "{}", run.stderr);
    assert!(!proxy.requests().is_empty());
    // The user and password in the URL reach the proxy, and only the proxy.
    assert!(
        proxy
            .authorizations()
            .iter()
            .all(|value| value == "Basic YWxpY2U6czNjcmV0"),
        "{:?}",
        proxy.authorizations()
    );
    assert!(!proxy.authorizations().is_empty());
}

#[test]
fn iam_goes_through_the_same_proxy_and_ca_bundle() {
    use support::moto_iam;
    let moto_url = moto().endpoint();
    let (key_id, secret) = moto_iam::user_with_keys(&moto_url, "net-dana");
    let ca = TestCa::new();
    let front = TlsFront::start(&ca, moto().port());
    let proxy = ConnectProxy::start();
    let sandbox = Sandbox::new(
        "[profile user]\nregion = eu-west-1\n",
        &format!("[user]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n"),
    )
    .env("AWS_ENDPOINT_URL_IAM", &front.url())
    .env("HTTPS_PROXY", &proxy.url());
    // Without the CA the certificate is refused, once: another attempt meets the same one.
    let error = sandbox.run(&["mfa", "list", "user"]).failed().to_owned();
    assert!(error.contains("certificate"), "{error}");
    assert_eq!(front.connections(), 1, "tried again: {error}");
    // With it, IAM answers through the proxy.
    let sandbox = sandbox.env("AWS_CA_BUNDLE", &bundle(&ca));
    let listed = sandbox.run(&["mfa", "list", "user"]);
    listed.ok();
    assert!(
        proxy
            .requests()
            .iter()
            .any(|r| r.contains(&format!(":{}", front.port()))),
        "{:?}",
        proxy.requests()
    );
}
