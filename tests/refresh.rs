//! `rsume init <shell> --auto-refresh`: before a prompt, credentials near their expiry are
//! assumed again (from the cache, or asking for a code once); a cancelled refresh leaves the
//! shell as it was. Real interactive bash, zsh and fish on a pseudo-terminal.

mod support;

use rexpect::session::{PtySession, spawn_command};
use support::moto::moto;
use support::sandbox::{SHELLS, Sandbox};

fn sandbox() -> Sandbox {
    Sandbox::new(
        "[profile alice]\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\n\
         [profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = alice\n",
        "[alice]\naws_access_key_id = AKIAALICE\naws_secret_access_key = s\n",
    )
    .endpoint(&moto().endpoint())
}

/// An interactive shell with a plain prompt and rsume loaded with `--auto-refresh`.
fn interactive(sandbox: &Sandbox, shell: &str) -> PtySession {
    let mut command = sandbox.program(shell);
    match shell {
        "bash" => command.args(["--norc", "--noprofile", "-i"]),
        "zsh" => command.args(["-f", "-i"]),
        _ => command.args(["--no-config", "-i"]),
    };
    command.env("TERM", "dumb");
    let mut session = spawn_command(command, Some(30_000)).expect("spawn on a pty");
    let setup = match shell {
        "fish" => {
            "function fish_prompt; echo -n 'READY> '; end; rsume init fish --auto-refresh | source"
        }
        other => &format!("PS1='READY> '; eval \"$(rsume init {other} --auto-refresh)\""),
    };
    session.send_line(setup).unwrap();
    session
}

fn set_var(shell: &str, name: &str, value: &str) -> String {
    match shell {
        "fish" => format!("set -gx {name} {value}"),
        _ => format!("export {name}={value}"),
    }
}

#[test]
fn credentials_near_expiry_are_assumed_again_before_the_prompt() {
    for shell in SHELLS {
        let sandbox = sandbox();
        let mut session = interactive(&sandbox, shell);
        session.send_line("rsume admin --mfa-token 123456").unwrap();
        session.exp_string("admin: new role credentials").unwrap();
        // Due now: the hook runs before the next prompt, from the cache (no code).
        session
            .send_line(&set_var(shell, "RSUME_REFRESH_AT", "1"))
            .unwrap();
        session
            .exp_string("admin: cached role credentials")
            .unwrap();
        session
            .send_line("echo refresh-at=$RSUME_REFRESH_AT")
            .unwrap();
        let (_, at) = session.exp_regex("refresh-at=[0-9]+").unwrap();
        let at: i64 = at.trim_start_matches("refresh-at=").parse().unwrap();
        assert!(at > 1_700_000_000, "{shell}: not refreshed: {at}");
        session.send_line("exit").unwrap();
        session.exp_eof().unwrap();
    }
}

#[test]
fn an_ended_mfa_session_asks_once_and_a_cancel_leaves_the_shell_alone() {
    for shell in SHELLS {
        let sandbox = sandbox();
        let mut session = interactive(&sandbox, shell);
        session
            .send_line("rsume admin --mfa-token 123456; rsume cache clear")
            .unwrap();
        session.exp_string("removed").unwrap();
        session.send_line("echo old=$AWS_ACCESS_KEY_ID").unwrap();
        let (_, old) = session.exp_regex("old=ASIA[A-Z0-9]+").unwrap();
        session
            .send_line(&set_var(shell, "RSUME_REFRESH_AT", "1"))
            .unwrap();
        session.exp_string("MFA code for").unwrap();
        session.send_control('d').unwrap();
        session.exp_string("cancelled").unwrap();
        // Not asked again at the next prompts, and the old keys are still there.
        session.send_line("echo now=$AWS_ACCESS_KEY_ID").unwrap();
        let (before, now) = session.exp_regex("now=ASIA[A-Z0-9]+").unwrap();
        assert_eq!(
            now.trim_start_matches("now="),
            old.trim_start_matches("old="),
            "{shell}"
        );
        session.send_line("echo done").unwrap();
        let (between, _) = session.exp_string("done").map(|s| (s, ())).unwrap();
        assert!(
            !before.contains("MFA code for"),
            "{shell}: asked twice: {before}"
        );
        assert!(
            !between.contains("MFA code for"),
            "{shell}: asked twice: {between}"
        );
        session.send_line("exit").unwrap();
        session.exp_eof().unwrap();
    }
}

/// What a shell's `echo` line printed after `marker=`, up to the end of the line (the line
/// typed must not hold `marker=` itself: the terminal echoes it).
fn echoed(session: &mut PtySession, marker: &str) -> String {
    let (_, line) = session.exp_regex(&format!("{marker}=[^\r\n]*")).unwrap();
    line[marker.len() + 1..].to_owned()
}

#[test]
fn the_hook_repeats_the_flags_that_shaped_the_run() {
    for shell in SHELLS {
        let sandbox = sandbox();
        let mut session = interactive(&sandbox, shell);
        session.send_line("rsume admin --region us-west-2").unwrap();
        session.exp_string("MFA code for").unwrap();
        session.send_line("123456").unwrap();
        session.exp_string("admin: new role credentials").unwrap();
        session
            .send_line(&set_var(shell, "RSUME_REFRESH_AT", "1"))
            .unwrap();
        session
            .exp_regex("admin: (cached|new) role credentials")
            .unwrap();
        session
            .send_line("echo state\"=$AWS_REGION $RSUME_REFRESH_AT\"")
            .unwrap();
        let state = echoed(&mut session, "state");
        let (region, at) = state.split_once(' ').unwrap();
        assert_eq!(region, "us-west-2", "{shell}: the refresh dropped --region");
        let at: i64 = at.parse().unwrap();
        assert!(at > 1_700_000_000, "{shell}: not refreshed: {at}");
        session.send_line("exit").unwrap();
        session.exp_eof().unwrap();
    }
}

#[test]
fn an_adhoc_role_does_not_arm_the_hook_and_says_so() {
    for shell in SHELLS {
        // A real profile named as the ad-hoc role's marker: the hook must never assume it.
        let sandbox = sandbox();
        let config = std::fs::read_to_string(sandbox.path(".aws/config")).unwrap();
        std::fs::write(
            sandbox.path(".aws/config"),
            format!("{config}[profile ops@123456789012]\nregion = eu-north-1\n"),
        )
        .unwrap();
        let mut session = interactive(&sandbox, shell);
        // Armed by a profile first; the ad-hoc role then disarms it.
        session.send_line("rsume admin --mfa-token 123456").unwrap();
        session.exp_string("admin: new role credentials").unwrap();
        session
            .send_line(
                "rsume --role-arn 123456789012:ops --source-profile alice --mfa-token 123456",
            )
            .unwrap();
        session
            .exp_string("does not repeat an ad-hoc role (--role-arn), so it will not renew these")
            .unwrap();
        session
            .send_line("echo state\"=[$RSUME_REFRESH_AT][$RSUME_REFRESH_ARGS] $RSUME_PROFILE $AWS_REGION\"")
            .unwrap();
        assert_eq!(
            echoed(&mut session, "state"),
            "[][] ops@123456789012 us-east-1",
            "{shell}"
        );
        session.send_line("exit").unwrap();
        session.exp_eof().unwrap();
    }
}

#[test]
fn auto_refresh_after_assuming_disarms_the_hook() {
    let sandbox = sandbox();
    for shell in SHELLS {
        let load = match shell {
            "fish" => "rsume init fish --auto-refresh | source",
            other => &format!("eval \"$(rsume init {other} --auto-refresh)\""),
        };
        let script = format!(
            "{load}\nrsume admin --mfa-token 123456\nrsume admin --auto-refresh\n__rsume_refresh\ntrue"
        );
        // The script ends in `true`: fish's hook returns 1 when it has nothing to do.
        let result = sandbox.shell(shell, &script, &[]);
        assert!(
            result.run.stderr.contains("AWS_PROFILE=rsume-admin"),
            "{shell}: {}",
            result.run.stderr
        );
        for name in [
            "RSUME_REFRESH_AT",
            "RSUME_REFRESH_ARGS",
            "AWS_ACCESS_KEY_ID",
        ] {
            assert!(
                !result.vars.contains_key(name),
                "{shell}: {name} survived --auto-refresh"
            );
        }
        assert_eq!(result.vars["AWS_PROFILE"], "rsume-admin", "{shell}");
    }
}

#[test]
fn repeat_says_when_there_is_nothing_to_repeat() {
    let sandbox = sandbox();
    let stderr = sandbox.run(&["--repeat", "-s"]).failed().to_owned();
    assert!(stderr.contains("RSUME_REFRESH_ARGS is not set"), "{stderr}");
    let sandbox = sandbox.env("RSUME_REFRESH_ARGS", "$(touch pwned)");
    let stderr = sandbox.run(&["--repeat", "-s"]).failed().to_owned();
    assert!(stderr.contains("not a run rsume recorded"), "{stderr}");
    assert!(!sandbox.path("pwned").exists());
}
