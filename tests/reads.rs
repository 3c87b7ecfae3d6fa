//! Every file rsume is pointed at is read through one bounded reader (src/fs.rs): a FIFO
//! never blocks a run, a device such as /dev/zero never fills its memory, and each is
//! refused at once with a message naming the file, stdout empty. The timeouts below only
//! keep a regression from hanging the suite; nothing here measures time.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use support::sandbox::{Sandbox, finish_within};
use support::source::rust_files;

const ROLE_CONFIG: &str = "\
[profile ops]
role_arn = arn:aws:iam::123456789012:role/ops
source_profile = base
";
const KEYS: &str = "\
[base]
aws_access_key_id = AKIABASEEXAMPLE00001
aws_secret_access_key = base-secret
";

/// Runs rsume in `sandbox` and returns its stderr, asserting it failed quickly enough not to
/// hang the suite, printed nothing on stdout and named `file`.
fn refused(sandbox: &Sandbox, args: &[&str], file: &Path) -> String {
    let mut command = sandbox.command(args);
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let output = finish_within(
        command.spawn().unwrap(),
        Duration::from_secs(60),
        &format!("rsume {args:?} reading {}", file.display()),
    );
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!output.status.success(), "{stderr}");
    assert!(output.stdout.is_empty(), "stdout must stay empty: {stderr}");
    assert!(
        stderr.contains(&file.display().to_string()),
        "the message names {}: {stderr}",
        file.display()
    );
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    stderr
}

fn fifo(sandbox: &Sandbox, name: &str) -> PathBuf {
    let path = sandbox.path(name);
    let status = Command::new("mkfifo").arg(&path).status().unwrap();
    assert!(status.success());
    path
}

fn says_what(stderr: &str, file: &Path) {
    let fifo = "it is a FIFO (named pipe), not a regular file";
    let device = "it is a character device, not a regular file";
    let expected = if file == Path::new("/dev/zero") {
        device
    } else {
        fifo
    };
    assert!(stderr.contains(expected), "{stderr}");
}

#[test]
fn a_web_identity_token_file_that_is_a_fifo_or_a_device_is_refused() {
    let base = Sandbox::new("", "");
    let fifo = fifo(&base, "token");
    for file in [fifo, PathBuf::from("/dev/zero")] {
        let config = format!(
            "[profile ci]\nrole_arn = arn:aws:iam::123456789012:role/ci\nweb_identity_token_file = {}\n",
            file.display()
        );
        std::fs::write(base.path(".aws/config"), config).unwrap();
        let stderr = refused(&base, &["ci", "--shell", "bash"], &file);
        assert!(stderr.contains("web_identity_token_file"), "{stderr}");
        says_what(&stderr, &file);

        // The same file from the environment, for a profile without credentials.
        let sandbox = Sandbox::new("[profile settings]\nregion = eu-west-1\n", "")
            .env("AWS_WEB_IDENTITY_TOKEN_FILE", &file.display().to_string())
            .env("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/ci");
        let stderr = refused(&sandbox, &["settings", "--shell", "bash"], &file);
        assert!(stderr.contains("AWS_WEB_IDENTITY_TOKEN_FILE"), "{stderr}");
        says_what(&stderr, &file);
    }
}

#[test]
fn aws_files_that_are_fifos_or_devices_are_refused() {
    let base = Sandbox::new(ROLE_CONFIG, KEYS);
    let fifo = fifo(&base, "credentials-fifo");
    for (variable, file) in [
        ("AWS_CONFIG_FILE", fifo.clone()),
        ("AWS_CONFIG_FILE", PathBuf::from("/dev/zero")),
        ("AWS_SHARED_CREDENTIALS_FILE", fifo.clone()),
        ("AWS_SHARED_CREDENTIALS_FILE", PathBuf::from("/dev/zero")),
    ] {
        let sandbox = Sandbox::new(ROLE_CONFIG, KEYS).env(variable, &file.display().to_string());
        for args in [&["ops", "--shell", "bash"][..], &["-l"]] {
            let stderr = refused(&sandbox, args, &file);
            says_what(&stderr, &file);
        }
    }
}

#[test]
fn a_ca_bundle_that_is_a_fifo_or_a_device_is_refused() {
    let base = Sandbox::new(ROLE_CONFIG, KEYS);
    let fifo = fifo(&base, "bundle.pem");
    for file in [fifo, PathBuf::from("/dev/zero")] {
        let sandbox = Sandbox::new(ROLE_CONFIG, KEYS)
            .env("AWS_CA_BUNDLE", &file.display().to_string())
            .endpoint("https://127.0.0.1:9");
        let stderr = refused(&sandbox, &["ops", "--shell", "bash"], &file);
        assert!(stderr.contains("CA bundle"), "{stderr}");
        says_what(&stderr, &file);
    }
}

#[test]
fn a_session_policy_file_that_is_a_fifo_or_a_device_is_refused() {
    let sandbox = Sandbox::new("", KEYS);
    let fifo = fifo(&sandbox, "policy.json");
    for file in [fifo, PathBuf::from("/dev/zero")] {
        let policy = format!("@{}", file.display());
        let args = [
            "--role-arn",
            "123456789012:ops",
            "--source-profile",
            "base",
            "--session-policy",
            &policy,
            "--shell",
            "bash",
        ];
        let stderr = refused(&sandbox, &args, &file);
        assert!(stderr.contains("--session-policy"), "{stderr}");
        says_what(&stderr, &file);
    }
}

#[test]
fn an_sso_token_cache_file_that_is_a_fifo_is_refused() {
    let config = "\
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[profile dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Developer
";
    let sandbox = Sandbox::new(config, "")
        .env("AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:9")
        .env("AWS_ENDPOINT_URL_SSO_OIDC", "http://127.0.0.1:9");
    // `aws sso login` names the file after the SHA-1 of the session's name.
    let digest = Command::new("sh")
        .args(["-c", "printf %s corp | sha1sum"])
        .output()
        .unwrap();
    let digest = String::from_utf8(digest.stdout).unwrap();
    let dir = sandbox.path(".aws/sso/cache");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!(
        "{}.json",
        digest.split_whitespace().next().unwrap()
    ));
    let status = Command::new("mkfifo").arg(&file).status().unwrap();
    assert!(status.success());
    let stderr = refused(&sandbox, &["dev", "--shell", "bash"], &file);
    says_what(&stderr, &file);
}

/// Every read of a file in src/ goes through src/fs.rs: no other module opens a file for
/// reading or reads one whole (unit tests, which read what they wrote, aside).
#[test]
fn no_file_is_read_outside_the_one_bounded_reader() {
    let forbidden = [
        "fs::read(",
        "fs::read_to_string(",
        "read_to_string(",
        "read_to_end(",
        "File::open(",
        ".read(true)",
    ];
    // Opens that read no file's content: each with its reason.
    let allowed = [
        // The directory is opened only to sync a rename to disk.
        ("src/config/write.rs", "File::open(dir)"),
        // The wrapper's code directory, opened as a directory handle (O_DIRECTORY) for
        // openat/unlinkat: no file's content is read through it.
        ("src/cmd/code_file.rs", ".read(true)"),
        // The controlling terminal, opened to ask and answer.
        ("src/mfa/terminal.rs", ".read(true)"),
    ];
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut offenders = Vec::new();
    for file in rust_files(&root.join("src")) {
        let relative = file.strip_prefix(root).unwrap();
        // Unit-test modules (`tests.rs`, `root_tests.rs`, ...) read what they wrote.
        let test_module = file.to_str().unwrap().ends_with("tests.rs");
        if relative == Path::new("src/fs.rs") || test_module {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        // Unit tests sit at the end of a file, in `mod tests`.
        let code = match text.find("\nmod tests {") {
            Some(at) => &text[..at],
            None => &text,
        };
        for (number, line) in code.lines().enumerate() {
            let line = line.replace("crate::fs::", "");
            let offending = forbidden.iter().any(|call| line.contains(call))
                && !allowed
                    .iter()
                    .any(|(path, what)| relative == Path::new(path) && line.contains(what));
            if offending {
                offenders.push(format!(
                    "{}:{}: {}",
                    relative.display(),
                    number + 1,
                    line.trim()
                ));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "read through rsume::fs instead:\n{}",
        offenders.join("\n")
    );
}
