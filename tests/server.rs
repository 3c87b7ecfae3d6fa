//! `rsume exec --server` and `rsume serve`: real SDK clients (the AWS CLI v1 and boto3 from
//! the venv) get the role's credentials from the local endpoint, renewed before they expire;
//! the endpoint answers only its token, on its path, and closes with the program.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use rexpect::session::spawn_command;
use support::fake_sts::{FakeSts, Reply};
use support::moto::moto;
use support::sandbox::{BIN, Sandbox, finish_within};

/// `[default]` holds keys, as `aws configure` writes them: the SDKs would take those before
/// they ask the endpoint, so every client test runs with them present.
const CONFIG: &str = "\
[default]
region = us-east-1

[profile alice]
mfa_serial = arn:aws:iam::123456789012:mfa/alice
region = eu-west-1

[profile admin]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = alice

[profile plain]
region = us-west-2

[profile anywhere]
role_arn = arn:aws:iam::123456789012:role/anywhere
source_profile = bare
";
const CREDENTIALS: &str = "\
[default]
aws_access_key_id = AKIADEFAULTEXAMPLE01
aws_secret_access_key = default-secret
[alice]
aws_access_key_id = AKIAALICEEXAMPLE0001
aws_secret_access_key = alice-secret
[plain]
aws_access_key_id = AKIAPLAIN
aws_secret_access_key = plain-secret
[bare]
aws_access_key_id = AKIABARE
aws_secret_access_key = bare-secret
";

fn sandbox() -> Sandbox {
    Sandbox::new(CONFIG, CREDENTIALS)
        .endpoint(&moto().endpoint())
        .env("AWS_PROFILE", "stale")
        .env("AWS_ACCESS_KEY_ID", "AKIASTALE")
        .env("AWS_SECRET_ACCESS_KEY", "stale-secret")
        .env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/stale")
}

/// The venv's programs (`aws`, `python`), next to moto_server.
fn venv(program: &str) -> String {
    let bin: PathBuf = moto().program().parent().unwrap().into();
    bin.join(program).display().to_string()
}

/// Prints what the SDK's default chain finds and the caller's identity, as boto3 would
/// for any program.
const BOTO3_IDENTITY: &str = "\
import boto3
session = boto3.Session()
print(session.get_credentials().method)
print(session.client('sts').get_caller_identity()['Arn'])
";

#[test]
fn the_aws_cli_and_boto3_get_the_roles_identity_from_the_server() {
    let sandbox = sandbox();
    let aws = venv("aws");
    let run = sandbox.run(&[
        "exec",
        "--server",
        "admin",
        "--mfa-token",
        "123456",
        "--",
        &aws,
        "sts",
        "get-caller-identity",
        "--query",
        "Arn",
        "--output",
        "text",
    ]);
    assert!(
        run.ok().trim().ends_with(":assumed-role/admin/rsume-admin")
            || run.ok().contains("assumed-role/admin"),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    assert!(
        run.stderr.contains("[default] holds credentials"),
        "{}",
        run.stderr
    );

    let python = venv("python");
    let run = sandbox.run(&[
        "exec",
        "--server",
        "admin",
        "--",
        &python,
        "-c",
        BOTO3_IDENTITY,
    ]);
    let lines: Vec<&str> = run.ok().lines().collect();
    assert_eq!(lines[0], "container-role", "{}", run.stderr);
    assert!(lines[1].contains(":assumed-role/admin/"), "{lines:?}");
    // From the cache: the second run asked for no code and called no STS.
    assert!(!run.stderr.contains("MFA code"), "{}", run.stderr);
}

/// The environment a program sees under `rsume exec --server ARGS -- env -0`.
fn served_env(sandbox: &Sandbox, args: &[&str]) -> std::collections::BTreeMap<String, String> {
    let mut words = vec!["exec", "--server"];
    words.extend_from_slice(args);
    words.extend_from_slice(&["--", "env", "-0"]);
    env_of(sandbox.run(&words).ok())
}

fn env_of(stdout: &str) -> std::collections::BTreeMap<String, String> {
    stdout
        .split('\0')
        .filter_map(|entry| entry.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

#[test]
fn the_program_sees_the_endpoint_and_no_keys() {
    let sandbox = sandbox();
    let vars = served_env(&sandbox, &["admin", "--mfa-token", "123456"]);
    let uri = &vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"];
    assert!(uri.starts_with("http://127.0.0.1:"), "{uri}");
    assert_eq!(vars["AWS_CONTAINER_AUTHORIZATION_TOKEN"].len(), 64);
    for gone in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    ] {
        assert!(!vars.contains_key(gone), "{gone}: {vars:?}");
    }
    assert_eq!(vars["AWS_REGION"], "eu-west-1");
    assert_eq!(vars["RSUME_PROFILE"], "admin");
    // [default] holds keys: the program's AWS files are empty ones, gone with the server.
    for file in ["AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"] {
        let path = PathBuf::from(&vars[file]);
        assert!(!path.starts_with(sandbox.home()), "{file}: {path:?}");
        assert!(!path.exists(), "{file} left behind: {path:?}");
    }
    // Nothing else names a region: [default]'s still reaches the program.
    let sandbox = sandbox.without("AWS_REGION");
    let vars = served_env(&sandbox, &["anywhere"]);
    assert_eq!(vars["AWS_DEFAULT_REGION"], "us-east-1", "{vars:?}");

    // Without credentials in [default], the program keeps the user's files.
    let sandbox = Sandbox::new(CONFIG, &CREDENTIALS.replacen("[default]", "[other]", 1))
        .endpoint(&moto().endpoint());
    let vars = served_env(&sandbox, &["admin", "--mfa-token", "123456"]);
    assert!(!vars.contains_key("AWS_CONFIG_FILE"), "{vars:?}");
    assert!(
        !vars.contains_key("AWS_SHARED_CREDENTIALS_FILE"),
        "{vars:?}"
    );
}

#[test]
fn the_status_comes_back_and_long_term_keys_or_no_cache_are_refused() {
    let sandbox = sandbox();
    let run = sandbox.run(&[
        "exec",
        "--server",
        "admin",
        "--mfa-token",
        "123456",
        "--",
        "sh",
        "-c",
        "exit 7",
    ]);
    assert_eq!(run.status.code(), Some(7), "{}", run.stderr);
    let run = sandbox.run(&["exec", "--server", "plain", "--", "true"]);
    assert!(run.failed().contains("long-term keys"), "{}", run.stderr);
    let run = sandbox.run(&["exec", "--server", "--no-cache", "admin", "--", "true"]);
    assert!(run.failed().contains("--no-cache"), "{}", run.stderr);
}

/// Asks the endpoint at `uri` with `method`, `path` (None: the URI's own) and an
/// `Authorization` header (None: none); returns the status and the body.
fn ask(uri: &str, method: &str, path: Option<&str>, token: Option<&str>) -> (u16, String) {
    let rest = uri.strip_prefix("http://").unwrap();
    let (host, own_path) = rest.split_at(rest.find('/').unwrap());
    let mut stream = TcpStream::connect(host).unwrap();
    let authorization = token.map_or(String::new(), |t| format!("Authorization: {t}\r\n"));
    write!(
        stream,
        "{method} {} HTTP/1.1\r\nHost: {host}\r\n{authorization}\r\n",
        path.unwrap_or(own_path)
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer[9..12].parse().unwrap();
    let body = answer.split_once("\r\n\r\n").unwrap().1.to_owned();
    (status, body)
}

/// `rsume serve` for `profile`, its two variables read from its stdout.
struct Serving {
    child: std::process::Child,
    uri: String,
    token: String,
}

fn serve(sandbox: &Sandbox, args: &[&str]) -> Serving {
    let mut child = sandbox
        .command(&[&["serve", "admin", "--mfa-token", "123456"], args].concat())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut value = |name: &str| {
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let prefix = format!("{name}=");
        assert!(line.starts_with(&prefix), "{line:?}");
        line[prefix.len()..].trim_end().to_owned()
    };
    let uri = value("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    let token = value("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    Serving { child, uri, token }
}

fn terminate(serving: Serving) -> std::process::Output {
    // SAFETY: signals the rsume this test started, by its own pid.
    unsafe { libc::kill(serving.child.id() as i32, libc::SIGTERM) };
    finish_within(serving.child, Duration::from_secs(10), "rsume serve")
}

#[test]
fn only_the_token_on_the_one_path_with_get_is_served() {
    let sandbox = sandbox();
    let serving = serve(&sandbox, &["--debug"]);
    let (uri, token) = (serving.uri.clone(), serving.token.clone());
    for wrong in [
        None,
        Some("wrong"),
        Some(&token[..token.len() - 1]),
        Some(""),
    ] {
        assert_eq!(
            ask(&uri, "GET", None, wrong),
            (401, String::new()),
            "{wrong:?}"
        );
    }
    // Without the token even another path or method says nothing more than 401.
    assert_eq!(ask(&uri, "POST", Some("/other"), None).0, 401);
    assert_eq!(ask(&uri, "GET", Some("/other"), Some(&token)).0, 404);
    assert_eq!(ask(&uri, "POST", None, Some(&token)).0, 405);
    let (status, body) = ask(&uri, "GET", None, Some(&token));
    assert_eq!(status, 200, "{body}");
    let document: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(
        document["AccessKeyId"]
            .as_str()
            .unwrap()
            .starts_with("ASIA")
    );
    for field in ["SecretAccessKey", "Token", "Expiration"] {
        assert!(
            !document[field].as_str().unwrap().is_empty(),
            "{field}: {body}"
        );
    }
    let secret = document["SecretAccessKey"].as_str().unwrap().to_owned();

    let output = terminate(serving);
    assert_eq!(output.status.code(), Some(0), "SIGTERM stops it cleanly");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("GET 401"), "{stderr}");
    assert!(stderr.contains("GET 200"), "{stderr}");
    for hidden in [
        token.as_str(),
        secret.as_str(),
        uri.rsplit('/').next().unwrap(),
    ] {
        assert!(!stderr.contains(hidden), "--debug shows a secret: {stderr}");
    }
    assert!(TcpStream::connect(uri[7..].split('/').next().unwrap()).is_err());
}

#[test]
fn serve_prints_shell_code_for_the_shell_asked() {
    let sandbox = sandbox();
    let mut child = sandbox
        .command(&["serve", "admin", "--mfa-token", "123456", "--shell", "fish"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut code = String::new();
    for _ in 0..2 {
        stdout.read_line(&mut code).unwrap();
    }
    let shown = sandbox
        .program("fish")
        .args([
            "--no-config",
            "-c",
            &format!("{code}\necho $AWS_CONTAINER_CREDENTIALS_FULL_URI"),
        ])
        .output()
        .unwrap();
    let uri = String::from_utf8_lossy(&shown.stdout).trim().to_owned();
    let token = code.split('\'').nth(3).unwrap_or_default().to_owned();
    assert!(uri.starts_with("http://127.0.0.1:"), "{code}");
    assert_eq!(ask(&uri, "GET", None, Some(&token)).0, 200, "{code}");
    let serving = Serving { child, uri, token };
    assert_eq!(terminate(serving).status.code(), Some(0));
}

#[test]
fn the_port_closes_with_the_program_and_two_servers_are_two_endpoints() {
    let sandbox = sandbox();
    sandbox.run(&["admin", "--mfa-token", "123456", "-s"]).ok();
    // Each program records its variables, then the first waits for the second to start, so
    // both servers are up at once.
    let script = "printf '%s %s' \"$AWS_CONTAINER_CREDENTIALS_FULL_URI\" \
                  \"$AWS_CONTAINER_AUTHORIZATION_TOKEN\" > \"$1.tmp\" && mv \"$1.tmp\" \"$1\"; \
                  i=0; while [ ! -e \"$2\" ] && [ $i -lt 500 ]; do sleep 0.02; i=$((i+1)); done";
    let (first, second) = (sandbox.path("first"), sandbox.path("second"));
    let start = |mine: &PathBuf, other: &PathBuf| {
        sandbox
            .command(&[
                "exec",
                "--server",
                "admin",
                "--",
                "sh",
                "-c",
                script,
                "sh",
                mine.to_str().unwrap(),
                other.to_str().unwrap(),
            ])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let one = start(&first, &second);
    let two = start(&second, &first);
    let one = finish_within(one, Duration::from_secs(20), "first exec --server");
    let two = finish_within(two, Duration::from_secs(20), "second exec --server");
    assert!(
        one.status.success(),
        "{}",
        String::from_utf8_lossy(&one.stderr)
    );
    assert!(
        two.status.success(),
        "{}",
        String::from_utf8_lossy(&two.stderr)
    );
    let read = |path: &PathBuf| {
        let text = std::fs::read_to_string(path).unwrap();
        let (uri, token) = text.split_once(' ').unwrap();
        (uri.to_owned(), token.to_owned())
    };
    let ((uri1, token1), (uri2, token2)) = (read(&first), read(&second));
    assert_ne!(uri1, uri2);
    assert_ne!(token1, token2);
    let port = |uri: &str| uri[7..].split('/').next().unwrap().to_owned();
    assert_ne!(port(&uri1), port(&uri2));
    for uri in [uri1, uri2] {
        assert!(TcpStream::connect(port(&uri)).is_err(), "{uri} still open");
    }
}

/// A loop of STS calls through boto3 for `seconds`, each signed with what the endpoint
/// gave; prints the access keys used.
const BOTO3_LOOP: &str = "\
import sys, time, boto3
sts = boto3.Session().client('sts')
end = time.time() + float(sys.argv[1])
while time.time() < end:
    sts.get_caller_identity()
    time.sleep(0.25)
print('done')
";

#[test]
fn short_credentials_are_renewed_and_the_client_never_signs_with_an_expired_key() {
    const VALID: u64 = 8;
    const MARGIN: u64 = 3;
    let (minting, mint) = Reply::minting(Duration::from_secs(VALID));
    let sts = FakeSts::start(vec![minting]);
    let sandbox = Sandbox::new(
        "[profile short]\nrole_arn = arn:aws:iam::123456789012:role/short\nsource_profile = base\n\
         region = us-east-1\n",
        "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = d\n\
         [base]\naws_access_key_id = AKIABASE\naws_secret_access_key = b\n",
    )
    .endpoint(&sts.endpoint())
    .env("RSUME_REFRESH_MARGIN", &MARGIN.to_string());
    let python = venv("python");
    let started = Instant::now();
    let run = sandbox.run(&[
        "exec", "--server", "short", "--", &python, "-c", BOTO3_LOOP, "14",
    ]);
    let elapsed = started.elapsed().as_secs_f64();
    assert_eq!(run.ok().trim(), "done", "{}", run.stderr);

    let calls = sts.requests();
    let signed: Vec<&str> = calls
        .iter()
        .filter(|r| r.action == "GetCallerIdentity")
        .filter_map(|r| r.access_key_id())
        .collect();
    let issued = mint.issued();
    // Every call was signed with minted keys (none with [default]'s) and the fake, which
    // answers ExpiredToken for an expired one, let the whole loop through.
    assert!(signed.len() > 20, "{signed:?}");
    assert!(
        signed
            .iter()
            .all(|key| issued.iter().any(|c| c.access_key_id == *key)),
        "{signed:?}"
    );
    let mut distinct: Vec<&str> = signed.clone();
    distinct.dedup();
    assert!(distinct.len() >= 3, "several renewals: {distinct:?}");
    // One AssumeRole per renewal: keys live VALID s (less up to 1 s of rounding) and are
    // used until MARGIN s are left.
    let assumed = calls.iter().filter(|r| r.action == "AssumeRole").count();
    let needed = (elapsed / (VALID - MARGIN - 1) as f64).ceil() as usize + 1;
    assert!(
        assumed <= needed,
        "{assumed} AssumeRole calls in {elapsed:.1} s"
    );
    assert_eq!(assumed, issued.len());
}

#[test]
fn a_renewal_asks_on_rsumes_terminal_and_a_cancelled_prompt_answers_503() {
    let sandbox = sandbox();
    let mut command = sandbox.program(BIN);
    // The flag's code is spent on the first session: a renewal asks on the terminal.
    command.args(["serve", "admin", "--mfa-token", "123456"]);
    let mut session = spawn_command(command, Some(30_000)).expect("spawn on a pty");
    let (_, uri) = session
        .exp_regex("http://127\\.0\\.0\\.1:[0-9]+/rsume/[0-9a-f]+")
        .unwrap();
    let (_, token) = session.exp_regex("[0-9a-f]{64}").unwrap();
    session.exp_string("until Ctrl-C").unwrap();
    // The MFA session ends (the cache loses it): the next request needs a code.
    sandbox.run(&["cache", "clear"]).ok();
    let request = |uri: &str, token: &str| {
        let (uri, token) = (uri.to_owned(), token.to_owned());
        std::thread::spawn(move || ask(&uri, "GET", None, Some(&token)))
    };
    let asking = request(&uri, &token);
    session
        .exp_string("the MFA session for 'admin' has ended")
        .unwrap();
    session.exp_string("MFA code for").unwrap();
    session.send_control('c').unwrap();
    let (status, body) = asking.join().unwrap();
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("cancelled"), "{body}");
    // Asked again, a code renews them.
    let asking = request(&uri, &token);
    session.exp_string("MFA code for").unwrap();
    session.send_line("123456").unwrap();
    let (status, body) = asking.join().unwrap();
    assert_eq!(status, 200, "{body}");
    // Ctrl-C with no prompt stops the server.
    session.send_control('c').unwrap();
    session.exp_string("stopped serving 'admin'").unwrap();
    session.exp_eof().unwrap();
}
