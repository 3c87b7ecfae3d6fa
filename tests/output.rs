//! Profiles rsume writes: `-o NAME` into the credentials file, `--auto-refresh` into the
//! config file. The AWS CLI (v1, from the venv next to moto) must accept both; edits change
//! only the target section, byte for byte; a profile rsume did not write is left alone; and
//! `rsume clean` removes only rsume's expired profiles.

mod support;

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use support::moto::moto;
use support::sandbox::{SHELLS, Sandbox, with_wrapper};

const CONFIG: &str = "\
[profile alice]
mfa_serial = arn:aws:iam::123456789012:mfa/alice
region = eu-west-1

[profile admin]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = alice
";
const CREDENTIALS: &str = "\
[alice]
aws_access_key_id = AKIAALICEEXAMPLE0001
aws_secret_access_key = alice-secret
";

/// A credentials file as people leave them: comments, odd spacing, CRLF line endings,
/// sub-properties and no final newline.
const UNTIDY: &str = "# my keys\r\n[alice]\r\naws_access_key_id=AKIAALICEEXAMPLE0001\r\n\
    aws_secret_access_key   =   alice-secret  ; inline\r\n\r\n; about mfa\r\n[mfa]\r\n\
    aws_access_key_id = OLD\r\naws_secret_access_key = old\r\nrsume_managed = true\r\n\r\n\
    [tools]\r\ns3 =\r\n  max_concurrent_requests = 4\r\naws_access_key_id = AKIATOOLS\r\n\
    aws_secret_access_key = tools-secret";

fn sandbox(credentials: &str) -> Sandbox {
    Sandbox::new(CONFIG, credentials).endpoint(&moto().endpoint())
}

fn read(sandbox: &Sandbox, file: &str) -> String {
    std::fs::read_to_string(sandbox.path(&format!(".aws/{file}"))).unwrap()
}

/// AWS CLI v1 from the venv moto runs from (scripts/requirements-test.txt).
fn aws_cli() -> PathBuf {
    let aws = moto().program().with_file_name("aws");
    assert!(
        aws.exists(),
        "no AWS CLI at {}; run scripts/setup.sh (it installs scripts/requirements-test.txt)",
        aws.display()
    );
    aws
}

/// `aws sts get-caller-identity --profile PROFILE` against moto; returns the ARN it reports.
fn caller_arn(sandbox: &Sandbox, profile: &str) -> String {
    let mut command: Command = sandbox.program(aws_cli().to_str().unwrap());
    let output = command
        .args(["sts", "get-caller-identity", "--output", "text"])
        .args(["--query", "Arn", "--region", "us-east-1"])
        .args(["--profile", profile, "--endpoint-url", &moto().endpoint()])
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.success(),
        "aws --profile {profile} failed: {}{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout.trim().to_owned()
}

#[test]
fn an_output_profile_works_with_the_aws_cli_and_prints_nothing() {
    let sandbox = sandbox(CREDENTIALS);
    let run = sandbox.run(&["admin", "-o", "mfa", "--mfa-token", "123456"]);
    assert_eq!(run.ok(), "");
    assert!(
        run.stderr.contains("wrote profile mfa into"),
        "{}",
        run.stderr
    );
    let text = read(&sandbox, "credentials");
    assert!(text.starts_with(CREDENTIALS), "{text}");
    for key in [
        "aws_session_token = ",
        "expiration = ",
        "x_security_token_expires = ",
        "rsume_managed = true",
        "aws_account_id = 123456789012",
    ] {
        assert!(text.contains(key), "{key} in {text}");
    }
    assert!(!run.stderr.contains("alice-secret"));
    assert!(caller_arn(&sandbox, "mfa").contains(":assumed-role/admin/"));
    // Keys alone name no account: none is left from the run before.
    sandbox
        .run(&["alice", "-o", "mfa", "--mfa-token", "123456"])
        .ok();
    let text = read(&sandbox, "credentials");
    assert!(!text.contains("aws_account_id"), "{text}");
}

#[test]
fn an_output_profile_reads_back_as_temporary_keys_until_its_expiration() {
    let sandbox = sandbox(CREDENTIALS);
    sandbox
        .run(&["admin", "-o", "temp-admin", "--mfa-token", "123456"])
        .ok();
    let text = read(&sandbox, "credentials");
    let written = text
        .lines()
        .find_map(|line| line.strip_prefix("expiration = "))
        .unwrap_or_else(|| panic!("no expiration in {text}"))
        .to_owned();

    let shell = sandbox.eval_in("bash", &["-p", "temp-admin"]);
    let stderr = &shell.run.stderr;
    shell.run.ok();
    assert_eq!(shell.vars["AWS_CREDENTIAL_EXPIRATION"], written);
    assert!(shell.vars["AWS_SESSION_TOKEN"].len() > 10);
    assert!(stderr.contains("temporary keys, valid until"), "{stderr}");
    assert!(!stderr.contains("long-term"), "{stderr}");
    // `status` in that shell sees the expiry the section carries.
    let status = sandbox.shell(
        "bash",
        r#"eval "$(rsume "$@")"; rsume status --json"#,
        &["-p", "temp-admin"],
    );
    let json: serde_json::Value = serde_json::from_str(status.run.ok()).unwrap();
    assert_eq!(json["expiration"], written.as_str());

    let list = sandbox.run(&["-l", "--json"]);
    let rows: serde_json::Value = serde_json::from_str(list.ok()).unwrap();
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "temp-admin")
        .unwrap();
    assert_eq!(row["kind"], "session");

    // Once the written expiration has passed, the keys are refused with how to renew them.
    let past = text.replace(&written, "2001-01-01T00:00:00Z");
    std::fs::write(sandbox.path(".aws/credentials"), past).unwrap();
    let run = sandbox.run(&["-p", "temp-admin", "--shell", "bash"]);
    let error = run.failed();
    assert!(
        error.contains("'temp-admin' expired at 2001-01-01T00:00:00Z")
            && error.contains("-o temp-admin"),
        "{error}"
    );
}

#[test]
fn only_the_target_section_changes_byte_for_byte() {
    let sandbox = sandbox(UNTIDY);
    sandbox
        .run(&["admin", "-o", "mfa", "--mfa-token", "123456"])
        .ok();
    let text = read(&sandbox, "credentials");
    let start = UNTIDY.find("[mfa]").unwrap();
    let end = UNTIDY.find("[tools]").unwrap();
    assert_eq!(text[..start], UNTIDY[..start]);
    assert!(text.ends_with(&UNTIDY[end..]), "{text:?}");
    let section = &text[start..text.len() - (UNTIDY.len() - end)];
    assert!(!section.contains("OLD"), "{section:?}");
    assert!(section.contains("aws_session_token = "), "{section:?}");
    assert!(
        section
            .split_inclusive('\n')
            .all(|line| line.ends_with("\r\n")),
        "CRLF kept: {section:?}"
    );

    // A new profile is added after everything else, in the file's own line endings.
    sandbox
        .run(&["admin", "-o", "second", "--mfa-token", "123456"])
        .ok();
    let again = read(&sandbox, "credentials");
    assert!(again.starts_with(&text), "{again:?}");
    assert!(
        again[text.len()..].starts_with("\r\n\r\n[second]\r\n"),
        "{again:?}"
    );
    assert!(caller_arn(&sandbox, "second").contains(":assumed-role/admin/"));
}

#[test]
fn a_profile_rsume_did_not_write_is_refused_without_force() {
    let sandbox = sandbox(UNTIDY);
    let stderr = sandbox
        .run(&["admin", "-o", "tools", "--mfa-token", "123456"])
        .failed()
        .to_owned();
    assert!(stderr.contains("was not written by rsume"), "{stderr}");
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(read(&sandbox, "credentials"), UNTIDY);
    // Refused before any STS call: the MFA session was never cached.
    assert!(sandbox.cache_entries().is_empty());

    sandbox
        .run(&["admin", "-o", "tools", "--force", "--mfa-token", "123456"])
        .ok();
    let text = read(&sandbox, "credentials");
    assert!(text.contains("max_concurrent_requests = 4"), "{text:?}");
    assert!(caller_arn(&sandbox, "tools").contains(":assumed-role/admin/"));
}

#[test]
fn clean_removes_only_expired_profiles_rsume_wrote() {
    let credentials = "\
[alice]
aws_access_key_id = AKIAALICEEXAMPLE0001
aws_secret_access_key = alice-secret

[old]
aws_access_key_id = ASIAOLD
expiration = 2001-01-01T00:00:00Z
rsume_managed = true

# the user's own, expired or not
[theirs]
aws_access_key_id = ASIATHEIRS
expiration = 2001-01-01T00:00:00Z

[fresh]
aws_access_key_id = ASIAFRESH
expiration = 2999-01-01T00:00:00Z
rsume_managed = true
";
    let sandbox = sandbox(credentials);
    let run = sandbox.run(&["clean"]);
    assert_eq!(run.ok(), "");
    assert!(run.stderr.contains("removed profile old"), "{}", run.stderr);
    let expected = credentials.replace(
        "[old]\naws_access_key_id = ASIAOLD\nexpiration = 2001-01-01T00:00:00Z\nrsume_managed = true\n\n",
        "",
    );
    assert_eq!(read(&sandbox, "credentials"), expected);

    sandbox.run(&["clean", "--all"]).ok();
    let text = read(&sandbox, "credentials");
    assert!(!text.contains("[fresh]"), "{text}");
    assert!(text.contains("[theirs]"), "{text}");
    assert!(text.contains("[alice]"), "{text}");
}

#[test]
fn auto_refresh_exports_a_profile_the_aws_cli_refreshes_through() {
    let sandbox = sandbox(CREDENTIALS);
    let script = r#"export AWS_ACCESS_KEY_ID=AKIASTALE; eval "$(rsume "$@")""#;
    let args = ["admin", "--auto-refresh", "--mfa-token", "123456"];
    let shell = sandbox.shell("bash", script, &args);
    shell.run.ok();
    assert_eq!(shell.vars["AWS_PROFILE"], "rsume-admin");
    assert_eq!(shell.vars["AWS_REGION"], "eu-west-1");
    assert!(
        !shell.vars.contains_key("AWS_ACCESS_KEY_ID"),
        "{:?}",
        shell.vars
    );
    assert!(!shell.vars.contains_key("AWS_SESSION_TOKEN"));

    let config = read(&sandbox, "config");
    assert!(config.starts_with(CONFIG), "{config}");
    let added = &config[CONFIG.len()..];
    assert!(added.contains("[profile rsume-admin]"), "{added}");
    assert!(added.contains(" credential-process admin\n"), "{added}");
    assert!(added.contains("region = eu-west-1"), "{added}");
    assert!(added.contains("rsume_managed = true"), "{added}");

    // The AWS CLI runs `rsume credential-process admin`, which uses the cached MFA session.
    assert!(caller_arn(&sandbox, "rsume-admin").contains(":assumed-role/admin/"));

    let unset = Sandbox::new("", "").env("AWS_PROFILE", "rsume-admin");
    let shell = unset.shell("bash", r#"eval "$(rsume --unset)""#, &[]);
    shell.run.ok();
    assert!(!shell.vars.contains_key("AWS_PROFILE"), "{:?}", shell.vars);
}

#[test]
fn auto_refresh_leaves_a_profile_of_the_users_alone() {
    let config = format!("{CONFIG}\n[profile rsume-admin]\nregion = us-west-2\n");
    let sandbox = Sandbox::new(&config, CREDENTIALS).endpoint(&moto().endpoint());
    let stderr = sandbox
        .run(&["admin", "--auto-refresh", "-s", "--mfa-token", "123456"])
        .failed()
        .to_owned();
    assert!(stderr.contains("rsume-admin"), "{stderr}");
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(read(&sandbox, "config"), config);
}

#[test]
fn through_the_wrapper_in_every_shell() {
    for shell in SHELLS {
        let sandbox = sandbox(CREDENTIALS);
        let body = "rsume admin -o mfa --mfa-token 123456 || exit 9\n\
                    rsume admin --auto-refresh";
        let run = sandbox.shell(shell, &with_wrapper(shell, body), &[]);
        run.run.ok();
        assert_eq!(run.run.stdout, "", "{shell}");
        assert!(
            run.run.stderr.contains("wrote profile mfa"),
            "{shell}: {}",
            run.run.stderr
        );
        assert_eq!(run.vars["AWS_PROFILE"], "rsume-admin", "{shell}");
        assert!(!run.vars.contains_key("AWS_ACCESS_KEY_ID"), "{shell}");
        assert!(caller_arn(&sandbox, "mfa").contains(":assumed-role/admin/"));
    }
}

#[test]
fn parallel_output_runs_lose_none_of_each_others_sections() {
    let sandbox = sandbox(CREDENTIALS);
    // One run first, so the others share its cached MFA session and only race on the file.
    sandbox
        .run(&["admin", "-o", "par0", "--mfa-token", "123456"])
        .ok();
    let children: Vec<_> = (1..=8)
        .map(|n| {
            let name = format!("par{n}");
            let mut command = sandbox.command(&["admin", "-o", &name, "--mfa-token", "123456"]);
            command.stdout(Stdio::piped()).stderr(Stdio::piped());
            (name, command.spawn().unwrap())
        })
        .collect();
    for (name, child) in children {
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{name}: {stderr}");
        assert!(
            stderr.contains(&format!("wrote profile {name}")),
            "{stderr}"
        );
    }
    let text = read(&sandbox, "credentials");
    assert!(text.starts_with(CREDENTIALS), "{text}");
    for n in 0..=8 {
        let header = format!("[par{n}]\n");
        assert_eq!(text.matches(&header).count(), 1, "{header} in {text}");
    }
    assert!(caller_arn(&sandbox, "par8").contains(":assumed-role/admin/"));
}

#[test]
fn an_edit_waits_for_the_lock_another_run_holds_and_says_so() {
    let sandbox = sandbox(CREDENTIALS);
    let lock = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(sandbox.path(".aws/credentials.rsume-lock"))
        .unwrap();
    lock.lock().unwrap();
    let mut child = sandbox
        .command(&["admin", "-o", "late", "--mfa-token", "123456"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    let mut line = String::new();
    // Read until rsume says it waits (or it ends without waiting, which fails below).
    while stderr.read_line(&mut line).unwrap() > 0 {
        seen.push_str(&line);
        if line.contains("waiting for another rsume run") {
            break;
        }
        line.clear();
    }
    assert!(seen.contains("waiting for another rsume run"), "{seen}");
    assert!(seen.contains("credentials.rsume-lock"), "{seen}");
    // Nothing is written while the lock is held.
    assert!(!read(&sandbox, "credentials").contains("[late]"));
    drop(lock);
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    assert!(child.wait().unwrap().success(), "{seen}{rest}");
    assert!(rest.contains("wrote profile late"), "{rest}");
    assert!(read(&sandbox, "credentials").contains("[late]"));
}

/// `[work]` twice: the user's keys first, then a section rsume wrote.
const DUPLICATED: &str = "\
[alice]
aws_access_key_id = AKIAALICEEXAMPLE0001
aws_secret_access_key = alice-secret

[work]
aws_access_key_id = AKIAWORKEXAMPLE00001
aws_secret_access_key = work-secret

[work]
aws_session_token = old-token
expiration = 2001-01-01T00:00:00Z
rsume_managed = true
";

#[test]
fn a_duplicated_section_name_is_judged_section_by_section() {
    for args in [&["clean"][..], &["clean", "--all"]] {
        let sandbox = sandbox(DUPLICATED);
        let run = sandbox.run(args);
        run.ok();
        let text = read(&sandbox, "credentials");
        let kept = DUPLICATED.replace(
            "[work]\naws_session_token = old-token\nexpiration = 2001-01-01T00:00:00Z\nrsume_managed = true\n",
            "",
        );
        assert_eq!(text, kept, "{args:?}: the user's [work] stays whole");
    }

    // -o onto the name would rewrite the user's keys in the first [work]: refused.
    let sandbox = sandbox(DUPLICATED);
    let stderr = sandbox
        .run(&["admin", "-o", "work", "--mfa-token", "123456"])
        .failed()
        .to_owned();
    assert!(stderr.contains("was not written by rsume"), "{stderr}");
    assert_eq!(read(&sandbox, "credentials"), DUPLICATED);
}

#[test]
fn the_keys_a_chain_starts_from_are_never_written_over() {
    for force in [false, true] {
        let sandbox = sandbox(CREDENTIALS);
        let mut args = vec!["admin", "-o", "alice", "--mfa-token", "123456"];
        if force {
            args.push("--force");
        }
        let stderr = sandbox.run(&args).failed().to_owned();
        assert!(stderr.contains("long-term keys"), "{stderr}");
        assert!(stderr.contains("even with --force"), "{stderr}");
        assert_eq!(read(&sandbox, "credentials"), CREDENTIALS);
        assert!(
            sandbox.cache_entries().is_empty(),
            "refused before any call"
        );
    }
    // The user's own MFA session onto its own keys, too.
    let sandbox = sandbox(CREDENTIALS);
    let args = ["alice", "-o", "alice", "--force", "--mfa-token", "123456"];
    let stderr = sandbox.run(&args).failed().to_owned();
    assert!(stderr.contains("long-term keys"), "{stderr}");
    assert_eq!(read(&sandbox, "credentials"), CREDENTIALS);
}

#[test]
fn a_profile_that_is_a_credential_source_is_refused_without_force() {
    let config = format!(
        "{CONFIG}\n[profile tool]\ncredential_process = /bin/false\n\n[profile portal]\nsso_session = corp\n"
    );
    for (name, key) in [
        ("admin", "role_arn"),
        ("tool", "credential_process"),
        ("portal", "sso_session"),
    ] {
        let sandbox = Sandbox::new(&config, CREDENTIALS).endpoint(&moto().endpoint());
        let stderr = sandbox
            .run(&["admin", "-o", name, "--mfa-token", "123456"])
            .failed()
            .to_owned();
        assert!(
            stderr.contains(&format!("has {key} in the config")),
            "{stderr}"
        );
        assert!(stderr.contains("--force"), "{stderr}");
        assert_eq!(read(&sandbox, "credentials"), CREDENTIALS);
    }
    let sandbox = Sandbox::new(&config, CREDENTIALS).endpoint(&moto().endpoint());
    let args = ["admin", "-o", "tool", "--force", "--mfa-token", "123456"];
    sandbox.run(&args).ok();
    assert!(read(&sandbox, "credentials").contains("[tool]"));
}

#[test]
fn a_name_that_is_a_command_is_written_with_a_warning() {
    let sandbox = sandbox(CREDENTIALS);
    let run = sandbox.run(&["admin", "-o", "mfa", "--mfa-token", "123456"]);
    run.ok();
    assert!(
        run.stderr.contains("mfa is also a command"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("rsume -p mfa"), "{}", run.stderr);
    let run = sandbox.run(&["admin", "-o", "admin-mfa", "--mfa-token", "123456"]);
    run.ok();
    assert!(!run.stderr.contains("also a command"), "{}", run.stderr);
}

#[test]
fn an_output_profile_carries_the_region_the_run_used() {
    // admin has no region of its own: it uses alice's eu-west-1.
    let sandbox = sandbox(CREDENTIALS);
    sandbox
        .run(&["admin", "-o", "admin-mfa", "--mfa-token", "123456"])
        .ok();
    let text = read(&sandbox, "credentials");
    let section = &text[text.find("[admin-mfa]").unwrap()..];
    assert!(section.contains("region = eu-west-1\n"), "{section}");

    // The AWS CLI with no region anywhere but the profile.
    let mut command = sandbox.program(aws_cli().to_str().unwrap());
    let output = command
        .env_remove("AWS_REGION")
        .args([
            "sts",
            "get-caller-identity",
            "--output",
            "text",
            "--query",
            "Arn",
        ])
        .args([
            "--profile",
            "admin-mfa",
            "--endpoint-url",
            &moto().endpoint(),
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(String::from_utf8_lossy(&output.stdout).contains(":assumed-role/admin/"));

    // --region wins, and is what the profile gets.
    sandbox
        .run(&[
            "admin",
            "-o",
            "admin-mfa",
            "--region",
            "ap-south-1",
            "--mfa-token",
            "123456",
        ])
        .ok();
    let text = read(&sandbox, "credentials");
    assert!(text.contains("region = ap-south-1\n"), "{text}");
    assert!(!text.contains("eu-west-1"), "{text}");
}
