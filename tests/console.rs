//! `rsume console`: a sign-in link for a role's credentials from the federation endpoint
//! (a local fake here, through RSUME_FEDERATION_ENDPOINT), opened or printed; refused for an
//! IAM user's credentials before any prompt.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use support::moto::moto;
use support::sandbox::Sandbox;

/// A federation endpoint that answers getSigninToken and records each request line.
fn fake_federation() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/federation", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming().take(8) {
            let mut stream = stream.unwrap();
            let mut line = String::new();
            BufReader::new(&stream).read_line(&mut line).unwrap();
            record.lock().unwrap().push(line);
            let body = r#"{"SigninToken":"SIGNIN-TOKEN-42"}"#;
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, seen)
}

fn sandbox(federation: &str) -> Sandbox {
    Sandbox::new(
        "[profile alice]\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\nregion = eu-west-1\n\
         [profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = alice\n\
         [profile gov]\nrole_arn = arn:aws-us-gov:iam::123456789012:role/g\nsource_profile = alice\n\
         region = us-gov-west-1\n",
        "[alice]\naws_access_key_id = AKIAALICE\naws_secret_access_key = s\n",
    )
    .endpoint(&moto().endpoint())
    .env("RSUME_FEDERATION_ENDPOINT", federation)
}

#[test]
fn print_gives_a_login_link_from_the_role_credentials() {
    let (url, seen) = fake_federation();
    let sandbox = sandbox(&url);
    let run = sandbox.run(&[
        "console",
        "admin",
        "--print",
        "--mfa-token",
        "123456",
        "--service",
        "s3",
    ]);
    let link = run.ok().trim().to_owned();
    assert!(link.starts_with(&format!("{url}?Action=login")), "{link}");
    assert!(link.contains("SigninToken=SIGNIN-TOKEN-42"), "{link}");
    assert!(
        link.contains(
            "Destination=https%3A%2F%2Fconsole.aws.amazon.com%2Fs3%2Fhome%3Fregion%3Deu-west-1"
        ),
        "{link}"
    );
    // The token request carried the role's session, signed with nothing but itself.
    let requests = seen.lock().unwrap().clone();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert!(
        requests[0].contains("Action=getSigninToken"),
        "{requests:?}"
    );
    assert!(requests[0].contains("sessionToken"), "{requests:?}");
    assert!(!run.stderr.contains("SIGNIN-TOKEN-42"), "{}", run.stderr);

    // GovCloud lands on its own console.
    let run = sandbox.run(&["console", "gov", "--print", "--mfa-token", "123456"]);
    assert!(
        run.ok()
            .contains("console.amazonaws-us-gov.com%2Fconsole%2Fhome"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_federation_endpoint_that_fails_is_named() {
    // Port 9 on 127.0.0.1: nothing listens.
    let sandbox = sandbox("http://127.0.0.1:9/federation");
    let run = sandbox.run(&["console", "admin", "--print", "--mfa-token", "123456"]);
    let stderr = run.failed();
    assert!(
        stderr.contains("the federation endpoint http://127.0.0.1:9 did not give a sign-in token"),
        "{stderr}"
    );
}

#[test]
fn without_print_the_browser_gets_the_link() {
    let (url, _) = fake_federation();
    let sandbox = sandbox(&url);
    let browser = sandbox.path("browser");
    std::fs::write(
        &browser,
        "#!/bin/sh\nprintf '%s' \"$1\" > \"$HOME/opened\"\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    let sandbox = sandbox.env("BROWSER", browser.to_str().unwrap());
    let run = sandbox.run(&["console", "admin", "--mfa-token", "123456"]);
    assert_eq!(run.ok(), "");
    let opened = std::fs::read_to_string(sandbox.path("opened")).unwrap();
    assert!(opened.contains("SigninToken=SIGNIN-TOKEN-42"), "{opened}");
}

#[test]
fn an_iam_user_is_told_the_console_needs_a_role_before_any_prompt() {
    let (url, seen) = fake_federation();
    let sandbox = sandbox(&url);
    // No --mfa-token and no terminal: a prompt would fail differently.
    let run = sandbox.run(&["console", "alice", "--print"]);
    let stderr = run.failed();
    assert!(stderr.contains("signs in only with a role's"), "{stderr}");
    assert!(seen.lock().unwrap().is_empty());
}
