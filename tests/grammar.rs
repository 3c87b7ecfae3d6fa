//! The command line as people type it: one grammar with and without the wrapper, in real
//! bash, zsh and fish; commands the wrapper must not capture; profiles named like commands;
//! exit codes; messages for the mistakes a new user makes.

mod support;

use rexpect::session::spawn_command;
use support::moto::moto;
use support::sandbox::{BIN, SHELLS, Sandbox, with_wrapper};

const CONFIG: &str = "\
[profile alice]
mfa_serial = arn:aws:iam::123456789012:mfa/alice
region = eu-west-1

[profile admin]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = alice

[profile init]
region = us-west-2
[profile cache]
region = us-west-2
[profile completions]
region = us-west-2
[profile help]
region = us-west-2
";
const CREDENTIALS: &str = "\
[alice]
aws_access_key_id = AKIAALICEEXAMPLE0001
aws_secret_access_key = alice-secret
[init]
aws_access_key_id = AKIAINIT
aws_secret_access_key = init-secret
[cache]
aws_access_key_id = AKIACACHE
aws_secret_access_key = cache-secret
[completions]
aws_access_key_id = AKIACOMPLETIONS
aws_secret_access_key = completions-secret
[help]
aws_access_key_id = AKIAHELP
aws_secret_access_key = help-secret
";

fn sandbox() -> Sandbox {
    Sandbox::new(CONFIG, CREDENTIALS).endpoint(&moto().endpoint())
}

/// What `rsume args` prints without any wrapper, in the same sandbox.
fn plain(sandbox: &Sandbox, args: &[&str]) -> String {
    sandbox.run(args).ok().to_owned()
}

#[test]
fn every_command_shows_the_same_through_the_wrapper() {
    let sandbox = sandbox();
    for words in [
        &["cache", "list"][..],
        &["--debug", "cache", "list"],
        &["cache", "list", "--debug"],
        &["cache", "--help"],
        &["help"],
        &["help", "cache"],
        &["--help"],
        &["--version"],
        &["-l"],
        &["--shell", "fish", "init", "bash"],
        &["completions", "fish"],
    ] {
        let expected = plain(&sandbox, words);
        for shell in SHELLS {
            let result = sandbox.shell(
                shell,
                &with_wrapper(shell, &format!("rsume {}", words.join(" "))),
                &[],
            );
            assert!(
                result.run.status.success(),
                "{shell} {words:?}: {}",
                result.run.stderr
            );
            assert_eq!(result.run.stdout, expected, "{shell} {words:?}");
            assert!(
                !result.run.stderr.contains("error"),
                "{shell} {words:?}: {}",
                result.run.stderr
            );
        }
    }
}

#[test]
fn re_sourcing_the_rc_line_with_the_wrapper_loaded_is_harmless() {
    let sandbox = sandbox();
    for shell in SHELLS {
        let body = with_wrapper(
            shell,
            &with_wrapper(shell, "rsume admin --mfa-token 123456"),
        );
        let result = sandbox.shell(shell, &body, &[]);
        assert!(
            result.run.status.success(),
            "{shell}: {}",
            result.run.stderr
        );
        assert_eq!(result.run.stdout, "", "{shell}");
        assert_eq!(result.vars["RSUME_PROFILE"], "admin", "{shell}");
        assert!(
            !result.run.stderr.contains("cannot be used"),
            "{shell}: {}",
            result.run.stderr
        );
    }
}

#[test]
fn a_profile_named_like_a_command_is_reached_with_p() {
    let sandbox = sandbox();
    for name in ["init", "cache", "completions", "help"] {
        for shell in SHELLS {
            let result = sandbox.shell(
                shell,
                &with_wrapper(shell, &format!("rsume -p {name}")),
                &[],
            );
            assert!(
                result.run.status.success(),
                "{shell} {name}: {}",
                result.run.stderr
            );
            assert_eq!(result.vars["RSUME_PROFILE"], name, "{shell}");
            assert_eq!(result.vars["AWS_REGION"], "us-west-2", "{shell}");
        }
        let code = sandbox.run(&["--profile", name, "--shell", "bash"]);
        assert!(code.ok().contains(&format!("RSUME_PROFILE='{name}'")));
    }
    let list = plain(&sandbox, &["-l"]);
    for name in ["init", "cache", "completions", "help"] {
        assert!(list.contains(&format!("\n{name}* ")), "{list}");
    }
    assert!(!list.contains("alice*"), "{list}");
    assert!(list.contains("named like a command: assume it with  rsume -p NAME"));
    let json: serde_json::Value =
        serde_json::from_str(&plain(&sandbox, &["-l", "--json"])).unwrap();
    let row = |name: &str| {
        json.as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(row("init")["named_like_command"], true);
    assert_eq!(row("alice")["named_like_command"], false);
}

#[test]
fn a_command_after_the_profile_gets_told_how() {
    let sandbox = sandbox();
    let run = sandbox.run(&["alice", "aws", "s3", "ls", "--mfa-token", "123456"]);
    assert_eq!(run.status.code(), Some(2));
    let stderr = run.failed();
    assert!(stderr.contains("runs no program"), "{stderr}");
    assert!(stderr.contains("rsume exec alice -- aws s3 ls"), "{stderr}");
    assert!(!stderr.contains("123456"), "{stderr}");
    for shell in SHELLS {
        let result = sandbox.shell(shell, &with_wrapper(shell, "rsume alice aws s3 ls"), &[]);
        assert_eq!(result.run.status.code(), Some(2), "{shell}");
        let stderr = &result.run.stderr;
        assert!(stderr.contains("runs no program"), "{shell}: {stderr}");
        // The wrapper is loaded: the hint is what to type here, not the line without it.
        assert!(
            stderr.contains("rsume exec alice -- aws s3 ls"),
            "{shell}: {stderr}"
        );
        assert!(
            stderr.contains("(rsume alice)")
                && !stderr.contains("eval")
                && !stderr.contains("source"),
            "{shell}: {stderr}"
        );
        assert!(!result.vars.contains_key("RSUME_PROFILE"));
    }
}

/// A stand-in `rsume` first on PATH that records its arguments and runs the real one, so a
/// test can see how the wrapper called it.
fn recording_sandbox() -> Sandbox {
    let sandbox = sandbox();
    let bin = sandbox.path("bin");
    std::fs::create_dir(&bin).unwrap();
    let shim = bin.join("rsume");
    std::fs::write(
        &shim,
        format!("#!/bin/sh\nprintf '%s\\n' \"$*\" >> \"$HOME/calls\"\nexec {BIN} \"$@\"\n"),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    sandbox.env("PATH", &path)
}

#[test]
fn the_wrapper_runs_direct_commands_uncaptured_and_passes_their_status() {
    let sandbox = recording_sandbox();
    for shell in SHELLS {
        let _ = std::fs::remove_file(sandbox.path("calls"));
        let body = with_wrapper(
            shell,
            "rsume --debug completions bash > completions.out\nrsume cache list > list.out\nrsume completions nosuch",
        );
        let result = sandbox.shell(shell, &body, &[]);
        assert_eq!(
            result.run.status.code(),
            Some(2),
            "{shell}: {}",
            result.run.stderr
        );
        let calls = std::fs::read_to_string(sandbox.path("calls")).unwrap();
        let calls: Vec<&str> = calls.lines().collect();
        // init, completions, cache list, completions nosuch: each after the wrapper's two
        // flags (its shell and its code file) exactly as typed, for rsume alone to read.
        assert_eq!(calls.len(), 4, "{shell}: {calls:?}");
        let typed = |call: &str| {
            let rest = call
                .strip_prefix(&format!("--wrapper {shell} --code-file /"))
                .unwrap_or_else(|| panic!("{shell}: {call}"));
            rest.split_once(' ').map(|(_, typed)| typed.to_owned())
        };
        assert_eq!(typed(calls[1]).as_deref(), Some("--debug completions bash"));
        assert_eq!(typed(calls[2]).as_deref(), Some("cache list"), "{shell}");
        assert_eq!(typed(calls[3]).as_deref(), Some("completions nosuch"));
        let completions = std::fs::read_to_string(sandbox.path("completions.out")).unwrap();
        assert!(completions.contains("complete"), "{shell}: {completions}");
        let list = std::fs::read_to_string(sandbox.path("list.out")).unwrap();
        assert!(list.starts_with("PROFILE"), "{shell}: {list}");
    }
}

#[test]
fn exit_codes_match_the_docs() {
    let sandbox = sandbox();
    for (args, code) in [
        (&["alice", "--session-duration", "1x"][..], 2),
        (&["alice", "--session-duration", "60"], 2),
        (&["alice", "--mfa-token", "12"], 2),
        (&["alice", "--no-such-flag"], 2),
        (&["-p", "alice", "cache", "list"], 2),
        (&["alice", "extra"], 2),
        (&["nosuch"], 1),
        (&["cache", "clear", "--shell", "nosh"], 2),
    ] {
        let run = sandbox.run(args);
        assert_eq!(run.status.code(), Some(code), "{args:?}: {}", run.stderr);
        run.failed();
        assert!(!run.stderr.trim().is_empty(), "{args:?}");
    }
}

#[test]
fn durations_accept_days() {
    let sandbox = sandbox();
    for shell in SHELLS {
        let result = sandbox.eval_in(
            shell,
            &[
                "alice",
                "--session-duration",
                "1d",
                "--mfa-token",
                "123456",
                "--no-cache",
            ],
        );
        assert!(
            result.run.status.success(),
            "{shell}: {}",
            result.run.stderr
        );
        assert!(
            result.run.stderr.contains("valid until"),
            "{}",
            result.run.stderr
        );
        assert!(
            result.run.stderr.contains("(23 h 59 min)")
                || result.run.stderr.contains("(24 h 0 min)"),
            "{}",
            result.run.stderr
        );
    }
}

#[test]
fn the_profile_name_comes_from_aws_profile_then_aws_default_profile() {
    let sandbox = sandbox().without("AWS_PROFILE");
    let run = sandbox.run(&["--shell", "bash"]);
    let stderr = run.failed();
    assert!(stderr.contains("no profile named 'default'"), "{stderr}");
    assert!(
        stderr.contains("neither AWS_PROFILE nor AWS_DEFAULT_PROFILE is set"),
        "{stderr}"
    );

    let sandbox = sandbox.env("AWS_DEFAULT_PROFILE", "init");
    assert!(
        sandbox
            .run(&["--shell", "bash"])
            .ok()
            .contains("RSUME_PROFILE='init'")
    );
    let sandbox = sandbox.env("AWS_PROFILE", "cache");
    assert!(
        sandbox
            .run(&["--shell", "bash"])
            .ok()
            .contains("RSUME_PROFILE='cache'")
    );
    let sandbox = sandbox.env("AWS_PROFILE", "typo");
    let stderr = sandbox.run(&["--shell", "bash"]).failed().to_owned();
    assert!(
        stderr.contains("the name came from AWS_PROFILE"),
        "{stderr}"
    );
}

#[test]
fn misplaced_sections_and_open_credentials_are_warned_about_and_quiet_silences_them() {
    let sandbox = Sandbox::new(
        "[alice]\nregion = x\n[profile ok]\nregion = y\n",
        "[profile ok]\naws_access_key_id = A\naws_secret_access_key = s\n[ok]\naws_access_key_id = AKIAOK\naws_secret_access_key = s\n",
    );
    let credentials = sandbox.path(".aws/credentials");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&credentials, std::fs::Permissions::from_mode(0o644)).unwrap();
    let run = sandbox.run(&["ok", "--shell", "bash"]);
    run.ok();
    let stderr = &run.stderr;
    assert!(
        stderr.contains("config:1: section [alice] ignored"),
        "{stderr}"
    );
    assert!(
        stderr.contains("credentials:1: section [profile ok] ignored"),
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("other users can read it").count(),
        1,
        "{stderr}"
    );
    assert!(stderr.contains("chmod 600"), "{stderr}");

    let run = sandbox.run(&["ok", "--shell", "bash", "-q"]);
    assert!(run.ok().contains("AKIAOK"));
    assert_eq!(run.stderr, "");
    let run = sandbox.run(&["-q", "nosuch"]);
    assert!(run.failed().contains("no profile named 'nosuch'"));
}

#[test]
fn list_shows_what_a_run_would_use() {
    let list = plain(&sandbox(), &["-l"]);
    let admin = list.lines().find(|l| l.starts_with("admin ")).unwrap();
    assert!(
        admin.contains("arn:aws:iam::123456789012:mfa/alice (from alice)"),
        "{admin}"
    );
    assert!(admin.contains("eu-west-1 (from alice)"), "{admin}");
    let alice = list.lines().find(|l| l.starts_with("alice ")).unwrap();
    assert!(!alice.contains("(from"), "{alice}");
}

#[test]
fn a_terminal_on_stdout_gets_the_users_own_words_back() {
    let sandbox = sandbox();
    let mut shell = sandbox.program("sh");
    shell.arg("-c").arg(format!(
        "{BIN} --region eu-west-2 alice --mfa-token 975310 --shell bash; echo \"exit=$?\"; {BIN} nosuch --shell bash; echo \"exit=$?\""
    ));
    let mut session = spawn_command(shell, Some(30_000)).expect("spawn on a pty");
    session.exp_string("stdout is a terminal").unwrap();
    session
        .exp_string(r#"eval "$(rsume --region eu-west-2 alice --shell bash)""#)
        .unwrap();
    session.exp_string("exit=1").unwrap();
    session.exp_string("no profile named 'nosuch'").unwrap();
    let rest = session.exp_eof().unwrap();
    assert!(rest.contains("exit=1"), "{rest}");
    assert!(!rest.contains("975310"), "{rest}");
    assert!(!rest.contains("stdout is a terminal"), "{rest}");
}

#[test]
fn a_region_never_outlives_its_profile_and_the_users_own_comes_back() {
    let new = || {
        Sandbox::new(
            "[profile hop3]\nregion = ap-southeast-2\n[profile noreg]\n",
            "[hop3]\naws_access_key_id = AKIAHOP\naws_secret_access_key = s\n\
             [noreg]\naws_access_key_id = AKIANOREG\naws_secret_access_key = s\n",
        )
    };
    for shell in SHELLS {
        // No region of the user's: the one hop3 brought goes with it.
        let sandbox = new().without("AWS_REGION");
        let result = sandbox.shell(shell, &with_wrapper(shell, "rsume hop3\nrsume noreg"), &[]);
        assert!(
            result.run.status.success(),
            "{shell}: {}",
            result.run.stderr
        );
        assert_eq!(result.vars["AWS_ACCESS_KEY_ID"], "AKIANOREG");
        assert!(
            !result.vars.contains_key("AWS_REGION"),
            "{shell}: {:?}",
            result.vars
        );
        assert!(!result.vars.contains_key("AWS_DEFAULT_REGION"), "{shell}");

        // The user's own region is put back after a profile with none, and on --unset.
        let sandbox = new().env("AWS_REGION", "us-west-2");
        let result = sandbox.shell(shell, &with_wrapper(shell, "rsume hop3\nrsume noreg"), &[]);
        assert_eq!(result.vars["AWS_REGION"], "us-west-2", "{shell}");
        let result = sandbox.shell(
            shell,
            &with_wrapper(shell, "rsume hop3\nrsume --unset"),
            &[],
        );
        assert_eq!(result.vars["AWS_REGION"], "us-west-2", "{shell}");
        assert!(
            !result.vars.keys().any(|k| k.starts_with("RSUME_")),
            "{shell}: {:?}",
            result.vars
        );
    }
}

#[test]
fn prompt_tools_see_the_profile_and_time_left() {
    let sandbox = sandbox();
    for shell in SHELLS {
        let result = sandbox.shell(
            shell,
            &with_wrapper(shell, "rsume admin --mfa-token 123456"),
            &[],
        );
        assert_eq!(result.vars["AWSUME_PROFILE"], "admin", "{shell}");
        let expiration = &result.vars["AWSUME_EXPIRATION"];
        assert_eq!(expiration, &result.vars["AWS_CREDENTIAL_EXPIRATION"]);
        assert!(
            expiration.ends_with('Z') && expiration.contains('T'),
            "{expiration}"
        );
        let result = sandbox.shell(
            shell,
            &with_wrapper(shell, "rsume admin --mfa-token 123456\nrsume --unset"),
            &[],
        );
        assert!(!result.vars.contains_key("AWSUME_PROFILE"), "{shell}");
        assert!(!result.vars.contains_key("AWSUME_EXPIRATION"), "{shell}");
    }
}

#[test]
fn a_profile_named_status_is_reached_in_a_flag_cluster() {
    // `-qp status`: `-p` takes `status` as its value, so the wrapper must assume the profile
    // and not run the status command uncaptured.
    let sandbox = Sandbox::new(
        "[profile status]\nregion = us-west-2\n",
        "[status]\naws_access_key_id = AKIASTATUS\naws_secret_access_key = s\n",
    );
    for shell in SHELLS {
        for words in [
            "-qp status",
            "-p status",
            "-q -p status",
            "--profile status",
            "--profile=status",
            "-pstatus",
            "-qpstatus",
            "-sqp status",
        ] {
            let result = sandbox.shell(shell, &with_wrapper(shell, &format!("rsume {words}")), &[]);
            assert!(
                result.run.status.success(),
                "{shell} {words}: {}",
                result.run.stderr
            );
            assert_eq!(
                result.vars.get("RSUME_PROFILE").map(String::as_str),
                Some("status"),
                "{shell} {words}: {}",
                result.run.stdout
            );
            assert_eq!(result.run.stdout, "", "{shell} {words}");
        }
        // `-q status` is still the command: run as it is, its report on stdout.
        let result = sandbox.shell(shell, &with_wrapper(shell, "rsume -q status"), &[]);
        assert!(!result.vars.contains_key("RSUME_PROFILE"), "{shell}");
        assert!(
            !result.run.stdout.contains("export"),
            "{shell}: {}",
            result.run.stdout
        );
    }
}
