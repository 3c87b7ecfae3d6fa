//! `rsume console`: a sign-in link for a role's credentials from the federation endpoint
//! (a local fake here, through RSUME_FEDERATION_ENDPOINT), opened or printed; refused for an
//! IAM user's credentials before any prompt.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
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

/// A stand-in browser: records its argv, its /proc cmdline, and the page it was given (the
/// last argument): its text and the modes of it and its directory.
fn fake_browser(dir: &Path, name: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let browser = dir.join(name);
    std::fs::write(
        &browser,
        "#!/bin/sh\n\
         printf '%s\\n' \"$@\" > \"$HOME/argv\"\n\
         tr '\\0' '\\n' < /proc/$$/cmdline > \"$HOME/cmdline\"\n\
         for page; do :; done\n\
         cat \"$page\" > \"$HOME/page\"\n\
         stat -c '%a' \"$page\" \"$(dirname \"$page\")\" > \"$HOME/modes\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    browser
}

/// What the stand-in browser saw: its arguments, its cmdline, the page and the modes.
fn seen_by_browser(sandbox: &Sandbox) -> (Vec<String>, String, String, String) {
    let read = |name| std::fs::read_to_string(sandbox.path(name)).unwrap();
    let argv = read("argv").lines().map(str::to_owned).collect();
    (argv, read("cmdline"), read("page"), read("modes"))
}

#[test]
fn the_browser_gets_a_private_page_not_the_link() {
    let (url, _) = fake_federation();
    let sandbox = sandbox(&url);
    let browser = fake_browser(&sandbox.path("bin"), "browser");
    let runtime = sandbox.path("run");
    std::fs::create_dir(&runtime).unwrap();
    std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
    // sensible-browser's form: a list tried in turn, words, and %s for the page.
    let list = format!("no-such-browser %s:{} --new-window %s", browser.display());
    let sandbox = sandbox
        .env("BROWSER", &list)
        .env("XDG_RUNTIME_DIR", runtime.to_str().unwrap());
    let run = sandbox.run(&["console", "admin", "--mfa-token", "123456"]);
    assert_eq!(run.ok(), "");
    let (argv, cmdline, page, modes) = seen_by_browser(&sandbox);
    assert_eq!(argv.len(), 2, "{argv:?}");
    assert_eq!(argv[0], "--new-window");
    let path = Path::new(&argv[1]);
    assert_eq!(path.file_name().unwrap(), "signin.html");
    assert_eq!(path.parent().unwrap().parent().unwrap(), runtime);
    for shown in [argv.join(" "), cmdline, run.stderr.clone()] {
        assert!(!shown.contains("SIGNIN-TOKEN-42"), "{shown}");
    }
    assert!(
        page.contains("http-equiv=\"refresh\"") && page.contains("SigninToken=SIGNIN-TOKEN-42"),
        "{page}"
    );
    assert!(page.contains("Action=login&amp;Issuer=rsume"), "{page}");
    assert_eq!(modes, "600\n700\n", "the page and its directory");
    assert!(run.stderr.contains(&argv[1]), "{}", run.stderr);
}

#[test]
fn without_browser_the_opener_gets_the_page_and_expired_pages_go() {
    let (url, _) = fake_federation();
    let sandbox = sandbox(&url);
    let bin = sandbox.path("bin");
    fake_browser(&bin, "xdg-open");
    let tmp = sandbox.path("tmp");
    std::fs::create_dir(&tmp).unwrap();
    // An earlier run's page whose link expired, a recent one, and something else.
    let page_dir = |name: &str| {
        let dir = tmp.join(name);
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("signin.html"), "old").unwrap();
        dir
    };
    let expired = page_dir("rsume-console-1-1-0");
    let recent = page_dir("rsume-console-2-2-0");
    let other = page_dir("unrelated");
    for dir in [&expired, &other] {
        let touched = std::process::Command::new("touch")
            .args(["-d", "20 minutes ago"])
            .arg(dir)
            .status()
            .unwrap();
        assert!(touched.success());
    }
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let sandbox = sandbox
        .env("PATH", &path)
        .env("TMPDIR", tmp.to_str().unwrap())
        .without("BROWSER");
    let run = sandbox.run(&["console", "admin", "--mfa-token", "123456"]);
    assert_eq!(run.ok(), "");
    let (argv, cmdline, page, modes) = seen_by_browser(&sandbox);
    assert_eq!(argv.len(), 1, "{argv:?}");
    assert!(argv[0].starts_with(tmp.to_str().unwrap()), "{argv:?}");
    assert!(!cmdline.contains("SIGNIN-TOKEN-42"), "{cmdline}");
    assert!(page.contains("SigninToken=SIGNIN-TOKEN-42"), "{page}");
    assert_eq!(modes, "600\n700\n", "the page and its directory");
    assert!(!expired.exists(), "the expired page was left");
    assert!(recent.join("signin.html").exists());
    assert!(other.join("signin.html").exists());
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
