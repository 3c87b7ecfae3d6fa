//! Which shell rsume writes for without `--shell` or the wrapper: scripts run through their
//! own shebang line (`#!/usr/bin/env fish`), with `$SHELL` naming another shell, evaluate
//! rsume's output. The parent's executable decides; where it cannot (rsume started by a
//! program that is not a shell, here `timeout`), the code must be safe in any shell, and a
//! value another shell would read differently is refused, never run.

mod support;

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;

use support::sandbox::{Run, SHELLS, Sandbox};

/// The issue's value: fish code read by bash, or bash code read by fish, runs `touch`.
const HOSTILE_REGION: &str = r"\'; touch canary; echo x;'";

/// Real-looking keys: letters, digits and `/+=`.
const KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY+a=";

fn sandbox(shell_env: &str) -> Sandbox {
    Sandbox::new(
        &format!(
            "[profile evil]\nregion = {HOSTILE_REGION}\n\n[profile normal]\nregion = eu-west-1\n"
        ),
        &format!(
            "[evil]\naws_access_key_id = AKIAEVIL\naws_secret_access_key = s3cret\n\n\
             [normal]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\n"
        ),
    )
    .env("SHELL", &format!("/usr/bin/{shell_env}"))
    .env("AWS_PROFILE", "stale")
}

/// What a script in `shell` left behind: its run and the environment it ended with.
struct Script {
    run: Run,
    vars: BTreeMap<String, String>,
}

/// The two ways a script names its shell.
#[derive(Clone, Copy, Debug)]
enum Shebang {
    /// `#!/usr/bin/fish`: the process starts as the script, with the script's name.
    Direct,
    /// `#!/usr/bin/env fish`: env starts the shell by its own name.
    Env,
}

/// Where `program` is on PATH.
fn which(program: &str) -> String {
    std::env::var("PATH")
        .unwrap_or_default()
        .split(':')
        .map(|dir| std::path::Path::new(dir).join(program))
        .find(|path| path.is_file())
        .unwrap_or_else(|| panic!("{program} is not installed"))
        .display()
        .to_string()
}

/// Writes `body` as an executable script whose first line names `shell`, and runs it by its
/// path with the arguments `one two`. Its file name names no shell.
fn run_script(sandbox: &Sandbox, shell: &str, shebang: Shebang, body: &str) -> Script {
    let path = sandbox.path(&format!("login-{shell}"));
    let interpreter = match shebang {
        Shebang::Direct => which(shell),
        Shebang::Env => format!("/usr/bin/env {shell}"),
    };
    let text = format!("#!{interpreter}\n{body}\nenv -0 > env.out\n");
    std::fs::write(&path, text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    let output = sandbox
        .program(path.to_str().unwrap())
        .args(["one", "two"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let run = Run {
        status: output.status,
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    };
    let raw = std::fs::read(sandbox.path("env.out")).unwrap_or_default();
    let _ = std::fs::remove_file(sandbox.path("env.out"));
    let vars = raw
        .split(|b| *b == 0)
        .filter_map(|entry| {
            let text = String::from_utf8(entry.to_vec()).ok()?;
            let (k, v) = text.split_once('=')?;
            Some((k.to_owned(), v.to_owned()))
        })
        .collect();
    Script { run, vars }
}

/// How each shell applies rsume's output, as the README says; `prefix` starts rsume
/// through another program.
fn apply(shell: &str, prefix: &str, profile: &str) -> String {
    match shell {
        "fish" => format!("{prefix}rsume {profile} | source\necho \"status=$status\""),
        _ => format!("eval \"$({prefix}rsume {profile})\"\necho \"status=$?\""),
    }
}

/// After the eval: the script's own arguments and options, as the shell sees them. Tracing
/// (`set -x`) or a changed `$1` would show here.
fn report_state(shell: &str) -> &'static str {
    match shell {
        "fish" => "echo \"args=$argv\"",
        _ => "echo \"args=$* opts=$-\"",
    }
}

/// Stop at the first failure or unset variable, as careful scripts do.
fn strict(shell: &str) -> &'static str {
    match shell {
        "bash" => "set -eu",
        "zsh" => "setopt nounset errexit",
        _ => "",
    }
}

fn others(shell: &str) -> impl Iterator<Item = &'static str> + '_ {
    SHELLS.into_iter().filter(move |other| *other != shell)
}

#[test]
fn a_script_run_through_its_shebang_gets_its_own_shell() {
    for (shell, shebang) in SHELLS
        .into_iter()
        .flat_map(|shell| [(shell, Shebang::Direct), (shell, Shebang::Env)])
    {
        for login in others(shell) {
            let sandbox = sandbox(login);
            let body = format!("{}\n{}", apply(shell, "", "evil"), report_state(shell));
            let script = run_script(&sandbox, shell, shebang, &body);
            let label = format!("{shell} script ({shebang:?} shebang) with SHELL={login}");
            assert!(
                !sandbox.path("canary").exists(),
                "{label} ran code from the region\n{}",
                script.run.stderr
            );
            assert_eq!(
                script.vars.get("AWS_REGION").map(String::as_str),
                Some(HOSTILE_REGION),
                "{label}: {}",
                script.run.stderr
            );
            assert!(script.run.stdout.contains("status=0"), "{shell}");
            assert!(
                script.run.stdout.contains("args=one two"),
                "{shell}: {}",
                script.run.stdout
            );
        }
    }
}

#[test]
fn a_guess_refuses_a_value_another_shell_reads_differently() {
    for shell in SHELLS {
        for login in others(shell) {
            let sandbox = sandbox(login);
            let body = format!(
                "{}\n{}",
                apply(shell, "timeout 20 ", "evil"),
                report_state(shell)
            );
            let script = run_script(&sandbox, shell, Shebang::Direct, &body);
            assert!(
                !sandbox.path("canary").exists(),
                "{shell} script with SHELL={login} ran code from the region\n{}",
                script.run.stderr
            );
            let stderr = &script.run.stderr;
            assert!(
                stderr.contains("AWS_REGION") && stderr.contains("only a guess"),
                "{shell} with SHELL={login}: {stderr}"
            );
            assert!(stderr.contains("--shell") && stderr.contains("rsume init"));
            assert_eq!(script.vars.get("AWS_ACCESS_KEY_ID"), None, "{shell}");
            assert_eq!(script.vars["AWS_PROFILE"], "stale", "nothing was applied");
        }
    }
}

#[test]
fn a_guess_works_for_real_keys_in_every_shell() {
    for shell in SHELLS {
        for login in others(shell) {
            let sandbox = sandbox(login)
                .env("AWS_SESSION_TOKEN", "old-token")
                // A value from the environment must not steer the shell test either.
                .env("FISH_VERSION", "3.6.0");
            let body = format!(
                "{}\n{}\n{}",
                strict(shell),
                apply(shell, "timeout 20 ", "normal"),
                report_state(shell)
            );
            let script = run_script(&sandbox, shell, Shebang::Direct, &body);
            let label = format!("{shell} with SHELL={login}");
            // rsume's own note, and no complaint from the shell.
            let stderr = &script.run.stderr;
            assert!(
                stderr
                    .lines()
                    .all(|line| line.starts_with("rsume: normal:")),
                "{label}: {stderr}"
            );
            assert!(script.run.status.success(), "{label}");
            let out = &script.run.stdout;
            assert!(out.contains("status=0"), "{label}: {out}");
            assert!(out.contains("args=one two"), "{label}: {out}");
            if shell != "fish" {
                let opts = out.split("opts=").nth(1).unwrap_or_default();
                assert!(!opts.contains('x'), "{label} turned on tracing: {out}");
            }
            let vars = &script.vars;
            assert_eq!(vars["AWS_ACCESS_KEY_ID"], KEY_ID, "{label}");
            assert_eq!(vars["AWS_SECRET_ACCESS_KEY"], SECRET, "{label}");
            assert_eq!(vars["AWS_REGION"], "eu-west-1", "{label}");
            assert_eq!(vars["RSUME_PROFILE"], "normal", "{label}");
            for gone in ["AWS_PROFILE", "AWS_SESSION_TOKEN"] {
                assert_eq!(vars.get(gone), None, "{label} left {gone}");
            }
        }
    }
}
