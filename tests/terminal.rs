//! The MFA prompt through a real pseudo-terminal: it appears on the terminal, stdout keeps
//! only shell code, malformed codes are asked again, Ctrl-C restores the terminal.

mod support;

use std::time::Duration;

use rexpect::session::{PtySession, spawn_command};
use support::fake_sts::{FakeCreds, FakeSts, Reply};
use support::moto::moto;
use support::sandbox::{BIN, Sandbox, finish_within};

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

fn sandbox() -> Sandbox {
    Sandbox::new(CONFIG, CREDENTIALS).endpoint(&moto().endpoint())
}

/// Runs `script` in sh on a fresh terminal, with rsume as `$RSUME` and stdout redirected
/// by the script itself where it wants.
/// The terminal starts with echo on, as a user's does (rexpect turns it off).
fn on_terminal(sandbox: &Sandbox, script: &str) -> PtySession {
    let mut shell = sandbox.program("sh");
    shell
        .arg("-c")
        .arg(format!("stty echo; {script}"))
        .env("RSUME", BIN);
    spawn_command(shell, Some(30_000)).expect("spawn on a pty")
}

/// Reads `stty -a`: the `echo` flag is listed as `echo` when on and `-echo` when off.
fn echo_is_on(stty: &str) -> bool {
    let flags: Vec<&str> = stty.split_whitespace().collect();
    assert!(
        flags.contains(&"echo") || flags.contains(&"-echo"),
        "no stty output: {stty}"
    );
    flags.contains(&"echo")
}

#[test]
fn prompt_on_the_terminal_and_only_code_on_stdout() {
    let sandbox = sandbox();
    let mut session = on_terminal(
        &sandbox,
        r#""$RSUME" admin --shell bash > out.sh; echo "exit=$?"; stty -a"#,
    );
    session
        .exp_string("MFA code for arn:aws:iam::123456789012:mfa/alice: ")
        .unwrap();
    session.send_line("12345").unwrap();
    session.exp_string("exactly 6 digits, try again").unwrap();
    session.exp_string("MFA code for").unwrap();
    session.send_line("654321").unwrap();
    session
        .exp_string("admin: new role credentials, valid until")
        .unwrap();
    session.exp_string("exit=0").unwrap();
    let rest = session.exp_eof().unwrap();
    assert!(echo_is_on(&rest), "echo left off: {rest}");
    let code = std::fs::read_to_string(sandbox.path("out.sh")).unwrap();
    assert!(code.contains("export AWS_ACCESS_KEY_ID='ASIA"), "{code}");
    assert!(
        !code.contains("MFA"),
        "the prompt leaked into stdout: {code}"
    );
    assert!(!code.contains("654321"));
    assert!(
        code.lines()
            .all(|l| l.starts_with("export ") || l.starts_with("unset ")),
        "{code}"
    );
}

#[test]
fn three_bad_codes_give_up() {
    let sandbox = sandbox();
    let mut session = on_terminal(
        &sandbox,
        r#""$RSUME" alice --shell bash > out.sh; echo "exit=$?""#,
    );
    for _ in 0..3 {
        session.exp_string("MFA code for").unwrap();
        session.send_line("abc").unwrap();
    }
    session
        .exp_string(
            "no MFA code for arn:aws:iam::123456789012:mfa/alice: 3 tries, none of them 6 digits",
        )
        .unwrap();
    session.exp_string("exit=1").unwrap();
    assert_eq!(std::fs::read_to_string(sandbox.path("out.sh")).unwrap(), "");
}

#[test]
fn ctrl_c_at_the_prompt_restores_the_terminal() {
    let sandbox = sandbox();
    let mut session = on_terminal(
        &sandbox,
        r#""$RSUME" alice --shell bash > out.sh; echo "exit=$?"; stty -a"#,
    );
    session.exp_string("MFA code for").unwrap();
    session.send("12").unwrap();
    session.send_control('c').unwrap();
    session.exp_string("exit=130").unwrap();
    let rest = session.exp_eof().unwrap();
    assert!(echo_is_on(&rest), "echo not restored: {rest}");
    assert_eq!(std::fs::read_to_string(sandbox.path("out.sh")).unwrap(), "");
}

#[test]
fn eof_at_the_prompt_cancels() {
    let sandbox = sandbox();
    let mut session = on_terminal(
        &sandbox,
        r#""$RSUME" alice --shell bash > out.sh; echo "exit=$?""#,
    );
    session.exp_string("MFA code for").unwrap();
    session.send_control('d').unwrap();
    let before = session.exp_string("the prompt was cancelled").unwrap();
    let line = before.rsplit('\n').next().unwrap();
    assert_eq!(
        line, "rsume: no MFA code for arn:aws:iam::123456789012:mfa/alice: ",
        "the message shares the prompt's line: {before:?}"
    );
    session.exp_string("exit=130").unwrap();
    assert_eq!(std::fs::read_to_string(sandbox.path("out.sh")).unwrap(), "");
}

#[test]
fn a_terminal_on_stdout_gets_advice_not_keys() {
    let sandbox = sandbox();
    let mut session = on_terminal(&sandbox, r#""$RSUME" alice --shell bash; echo "exit=$?""#);
    session.exp_string("stdout is a terminal").unwrap();
    session
        .exp_string(r#"eval "$(rsume alice --shell bash)""#)
        .unwrap();
    let rest = session.exp_eof().unwrap();
    assert!(rest.contains("exit=1"), "{rest}");
    assert!(
        !rest.contains("MFA code"),
        "asked for a code it would not use: {rest}"
    );
    assert!(!rest.contains("AWS_SECRET_ACCESS_KEY"), "{rest}");
}

#[test]
fn without_a_terminal_it_says_to_use_the_flag() {
    let sandbox = sandbox();
    let mut command = sandbox.command(&["alice", "--shell", "bash"]);
    // A new session has no controlling terminal, as in CI or cron.
    unsafe {
        use std::os::unix::process::CommandExt;
        command.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    let output = command.output().unwrap();
    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("pass it with --mfa-token"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn show_commands_prints_code_on_a_terminal() {
    let sandbox = sandbox();
    let mut session = on_terminal(
        &sandbox,
        r#""$RSUME" admin -s --mfa-token 975310 --shell fish; echo "exit=$?""#,
    );
    session
        .exp_string("set -gx AWS_ACCESS_KEY_ID 'ASIA")
        .unwrap();
    session.exp_string("set -gx RSUME_PROFILE 'admin'").unwrap();
    session.exp_string("exit=0").unwrap();
}

#[test]
fn the_wrapper_prompts_on_the_terminal_and_applies_the_result() {
    let sandbox = sandbox();
    let mut shell = sandbox.program("bash");
    shell.args([
        "--noprofile",
        "--norc",
        "-c",
        r#"stty echo; eval "$(rsume init bash)"; rsume admin; echo "status=$? key=$AWS_ACCESS_KEY_ID""#,
    ]);
    let mut session = spawn_command(shell, Some(30_000)).expect("spawn on a pty");
    session.exp_string("MFA code for").unwrap();
    session.send_line("975310").unwrap();
    session.exp_string("admin: new role credentials").unwrap();
    session.exp_string("status=0 key=ASIA").unwrap();
}

fn fake_sandbox(sts: &FakeSts) -> Sandbox {
    Sandbox::new(CONFIG, CREDENTIALS).endpoint(&sts.endpoint())
}

#[test]
fn a_rejected_code_is_asked_again_and_the_clock_is_suspected() {
    let sts = FakeSts::start(vec![
        Reply::mfa_failed(),
        Reply::mfa_failed(),
        Reply::auto(&FakeCreds::new("late", Duration::from_secs(3600))),
    ]);
    let sandbox = fake_sandbox(&sts);
    let mut session = on_terminal(
        &sandbox,
        r#""$RSUME" alice --shell bash > out.sh; echo "exit=$?""#,
    );
    // As authenticator apps show it.
    session.exp_string("MFA code for").unwrap();
    session.send_line("123 456").unwrap();
    session
        .exp_string("AWS rejected the MFA code of MFA device arn:aws:iam::123456789012:mfa/alice, a TOTP device named by ARN (virtual or hardware); wait for the next code")
        .unwrap();
    session.exp_string("MFA code for").unwrap();
    session.send_line("234567").unwrap();
    session.exp_string("clock may be off").unwrap();
    session.exp_string("MFA code for").unwrap();
    session.send_line("345678").unwrap();
    session.exp_string("alice: new MFA session").unwrap();
    session.exp_string("exit=0").unwrap();
    let codes: Vec<String> = sts
        .requests()
        .iter()
        .map(|r| r.field("TokenCode").unwrap().to_owned())
        .collect();
    assert_eq!(codes, ["123456", "234567", "345678"]);
    let code = std::fs::read_to_string(sandbox.path("out.sh")).unwrap();
    assert!(
        code.contains("export AWS_ACCESS_KEY_ID='ASIALATE"),
        "{code}"
    );
}

#[test]
fn three_rejected_codes_fail_and_a_flag_code_is_not_retried() {
    let sts = FakeSts::start(vec![Reply::mfa_failed()]);
    let sandbox = fake_sandbox(&sts);
    let stderr = sandbox
        .run(&["alice", "--mfa-token", "123456", "--shell", "bash"])
        .failed()
        .to_owned();
    assert!(stderr.contains("AWS rejected the MFA code"), "{stderr}");
    assert_eq!(sts.request_count(), 1);
    let mut session = on_terminal(
        &sandbox,
        r#""$RSUME" alice --shell bash > out.sh; echo "exit=$?""#,
    );
    for code in ["111111", "222222", "333333"] {
        session.exp_string("MFA code for").unwrap();
        session.send_line(code).unwrap();
    }
    session.exp_string("exit=1").unwrap();
    assert_eq!(sts.request_count(), 4);
    assert_eq!(std::fs::read_to_string(sandbox.path("out.sh")).unwrap(), "");
    // One line naming the device asked and its kind.
    let expected = "STS refused the code of MFA device arn:aws:iam::123456789012:mfa/alice, a TOTP device named by ARN (virtual or hardware): GetSessionToken with MFA device";
    let last = stderr.trim_end().lines().last().unwrap();
    assert!(last.starts_with(&format!("rsume: {expected}")), "{stderr}");
    let stderr = Sandbox::new(
        "[profile bob]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = alice\nmfa_serial = GAHT12345678\nregion = eu-west-1\n\n[profile alice]\nregion = eu-west-1\n",
        CREDENTIALS,
    )
    .endpoint(&sts.endpoint())
    .run(&["bob", "--mfa-token", "123456", "--shell", "bash"])
    .failed()
    .to_owned();
    assert!(
        stderr.contains("STS refused the code of MFA device GAHT12345678, a hardware TOTP token's serial: GetSessionToken with MFA device GAHT12345678 failed: AWS rejected the MFA code"),
        "{stderr}"
    );
}

#[test]
fn nobody_waits_on_a_person_typing_a_code() {
    let sts = FakeSts::start(vec![Reply::auto(&FakeCreds::new(
        "hour",
        Duration::from_secs(3600),
    ))]);
    let sandbox = fake_sandbox(&sts);
    let mut typing = on_terminal(
        &sandbox,
        r#""$RSUME" admin --shell bash > out.sh; echo "exit=$?""#,
    );
    typing.exp_string("MFA code for").unwrap();
    // Under the 10 s a run waits for a lock: finishing sooner means no lock was held.
    let mut script = sandbox.command(&["admin", "--mfa-token", "975310", "--shell", "bash"]);
    script
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let output = finish_within(
        script.spawn().unwrap(),
        Duration::from_secs(8),
        "a run beside the prompt",
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains("waiting"), "{stderr}");
    // The person's run then finds what the other one fetched.
    typing.send_line("975311").unwrap();
    typing.exp_string("exit=0").unwrap();
    assert_eq!(sts.actions(), ["GetSessionToken", "AssumeRole"]);
}

/// An interactive shell (job control on) on a fresh terminal with the wrapper loaded, at its
/// prompt `READY> ` (spelt so that the echo of the line setting it does not match).
fn interactive_with_wrapper(sandbox: &Sandbox, shell: &str) -> PtySession {
    let mut command = sandbox.program(shell);
    match shell {
        "bash" => command.args(["--norc", "--noprofile", "-i"]),
        "zsh" => command.args(["-f", "-i"]),
        _ => command.args(["--no-config", "-i"]),
    };
    command.env("TERM", "dumb");
    let mut session = spawn_command(command, Some(30_000)).expect("spawn on a pty");
    let setup = match shell {
        "fish" => "function fish_prompt; printf '%s> ' READY; end; rsume init fish | source".into(),
        other => format!("PS1='READY''> '; eval \"$(rsume init {other})\""),
    };
    session.send_line(&setup).unwrap();
    session.exp_string("READY> ").unwrap();
    session
}

#[test]
fn ctrl_z_suspends_a_program_run_through_the_wrapper_and_the_prompt_comes_back() {
    for shell in support::sandbox::SHELLS {
        let sandbox = sandbox();
        let mut session = interactive_with_wrapper(&sandbox, shell);
        // `go-2` shows once the program runs (the echoed line holds `go-$((1+1))`).
        session
            .send_line(
                "rsume exec admin --mfa-token 123456 -- sh -c 'echo go-$((1+1)); exec sleep 30'",
            )
            .unwrap();
        session.exp_string("go-2").unwrap();
        session.send_control('z').unwrap();
        session.exp_string("READY> ").unwrap();
        session.send_line("jobs").unwrap();
        session
            .exp_regex("(?i)(stopped|suspended)")
            .unwrap_or_else(|e| panic!("{shell}: no stopped job: {e}"));
        session.exp_string("READY> ").unwrap();
        // Resumed and interrupted, the shell is at its prompt again and still works.
        session.send_line("fg").unwrap();
        std::thread::sleep(Duration::from_millis(300));
        session.send_control('c').unwrap();
        session.exp_string("READY> ").unwrap();
        let sum = if shell == "fish" {
            "(math 2 + 2)"
        } else {
            "$((2 + 2))"
        };
        session.send_line(&format!("echo alive-{sum}")).unwrap();
        session.exp_string("alive-4").unwrap();
        session.send_line("exit").unwrap();
        session.exp_eof().unwrap();
    }
}

#[test]
fn a_run_suspended_through_the_wrapper_gives_the_prompt_back_and_resumed_applies_nothing() {
    // The wrapper once captured rsume's stdout in a command substitution, where a suspended
    // rsume hung the shell. A credential_process that suspends rsume (as Ctrl-Z would
    // during a slow call) stands in for the person. Resumed, the run applies nothing: the
    // wrapper returned at the stop, and the keys must not wait on disk for a reader.
    let script = "#!/bin/sh\nkill -TSTP $PPID\n\
        printf '%s' '{\"Version\": 1, \"AccessKeyId\": \"AKIASTOPPED\", \"SecretAccessKey\": \"s\"}'\n";
    for shell in support::sandbox::SHELLS {
        let sandbox = sandbox();
        let stopper = sandbox.path("stop.sh");
        std::fs::write(&stopper, script).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&stopper, std::fs::Permissions::from_mode(0o755)).unwrap();
        let config = format!(
            "{CONFIG}\n[profile stopped]\ncredential_process = {}\n",
            stopper.display()
        );
        std::fs::write(sandbox.path(".aws/config"), config).unwrap();
        let mut session = interactive_with_wrapper(&sandbox, shell);
        session.send_line("rsume stopped").unwrap();
        session
            .exp_string("READY> ")
            .unwrap_or_else(|e| panic!("{shell}: the prompt did not come back: {e}"));
        session.send_line("fg").unwrap();
        session
            .exp_string("nothing applied: rsume was suspended")
            .unwrap_or_else(|e| panic!("{shell}: {e}"));
        session.exp_string("READY> ").unwrap();
        session
            .send_line("echo \"key-[$AWS_ACCESS_KEY_ID]\"")
            .unwrap();
        session.exp_string("key-[]").unwrap();
        for file in std::fs::read_dir(sandbox.path(".cache/rsume/wrapper")).unwrap() {
            let file = file.unwrap().path();
            assert_eq!(
                std::fs::read(&file).unwrap(),
                b"",
                "{shell}: code left in {file:?}"
            );
        }
        session.send_line("exit").unwrap();
        session.exp_eof().unwrap();
    }
}

#[test]
fn a_daemonising_grandchild_does_not_hold_the_wrapper() {
    for shell in support::sandbox::SHELLS {
        let sandbox = sandbox();
        let mut session = interactive_with_wrapper(&sandbox, shell);
        let status = if shell == "fish" { "$status" } else { "$?" };
        session
            .send_line(&format!(
                "rsume exec admin --mfa-token 123456 -- sh -c 'sleep 60 & echo $! > grandchild'; echo back-{status}"
            ))
            .unwrap();
        // The session gives up after 30 s, long before the sleep could end.
        let back = session.exp_string("back-0");
        // The sleep holds the terminal (so the shell never sees EOF): end it by its pid.
        let pid = std::fs::read_to_string(sandbox.path("grandchild")).unwrap();
        let _ = std::process::Command::new("kill").arg(pid.trim()).status();
        back.unwrap_or_else(|e| panic!("{shell}: the wrapper waited on the sleep: {e}"));
        session.send_line("exit").unwrap();
        session.exp_eof().unwrap();
    }
}

#[test]
fn a_security_key_serial_is_refused_before_any_prompt_or_call() {
    let sts = FakeSts::start(vec![Reply::auto(&FakeCreds::new(
        "key",
        Duration::from_secs(3600),
    ))]);
    let key = "arn:aws:iam::123456789012:u2f/user/alice/default-ABCDEFGHIJKLMNOP";
    let sandbox = Sandbox::new(
        &CONFIG.replace("arn:aws:iam::123456789012:mfa/alice", key),
        CREDENTIALS,
    )
    .endpoint(&sts.endpoint());
    // The session (keys) and the role (the device placed on a role) alike, for each command.
    for script in [
        r#""$RSUME" alice --shell bash > out.sh; echo "exit=$?""#,
        r#""$RSUME" admin --shell bash > out.sh; echo "exit=$?""#,
        r#""$RSUME" credential-process admin > out.sh; echo "exit=$?""#,
        r#""$RSUME" exec admin -- true > out.sh; echo "exit=$?""#,
    ] {
        let mut session = on_terminal(&sandbox, script);
        let before = session
            .exp_string("names a security key, and STS accepts only TOTP devices")
            .unwrap();
        assert!(!before.contains("MFA code"), "{script}: {before}");
        let after = session.exp_string("exit=1").unwrap();
        assert!(after.contains("rsume mfa setup"), "{script}: {after}");
        assert!(after.contains("IAM Identity Center"), "{script}: {after}");
        assert!(!after.contains("MFA code"), "{script}: {after}");
        assert_eq!(std::fs::read_to_string(sandbox.path("out.sh")).unwrap(), "");
    }
    assert_eq!(sts.request_count(), 0);
}
