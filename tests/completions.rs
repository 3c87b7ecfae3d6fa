//! TAB completion in real shells: commands, flags and profile names, the profiles read from
//! the user's files at TAB time (a profile added later completes without reloading).

mod support;

use support::sandbox::{BIN, Sandbox};

fn sandbox() -> Sandbox {
    Sandbox::new(
        "[profile admin]\nrole_arn = arn:aws:iam::1:role/admin\nsource_profile = alice\n\
         [profile audit]\nregion = x\n",
        "[alice]\naws_access_key_id = AKIA\naws_secret_access_key = s\n",
    )
}

fn add_profile(sandbox: &Sandbox, name: &str) {
    use std::io::Write;
    let mut config = std::fs::OpenOptions::new()
        .append(true)
        .open(sandbox.path(".aws/config"))
        .unwrap();
    writeln!(config, "[profile {name}]\nregion = y").unwrap();
}

/// Completes `words` (the last one being typed) in bash the way bash calls a completion
/// function, after loading rsume the way the README says.
fn bash_complete(sandbox: &Sandbox, words: &str) -> Vec<String> {
    let script = format!(
        r#"eval "$(rsume init bash)"
COMP_WORDS=({words}); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 )); COMP_TYPE=9
_clap_complete_rsume rsume "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\n' "${{COMPREPLY[@]}}""#
    );
    let result = sandbox.shell("bash", &script, &[]);
    assert!(result.run.status.success(), "{}", result.run.stderr);
    result.run.stdout.lines().map(str::to_owned).collect()
}

fn fish_complete(sandbox: &Sandbox, line: &str) -> Vec<String> {
    let script = format!("rsume init fish | source\ncomplete -C '{line}'");
    let result = sandbox.shell("fish", &script, &[]);
    assert!(result.run.status.success(), "{}", result.run.stderr);
    result
        .run
        .stdout
        .lines()
        .map(|l| l.split('\t').next().unwrap().to_owned())
        .collect()
}

#[test]
fn bash_completes_profiles_commands_and_flags() {
    let sandbox = sandbox();
    let found = bash_complete(&sandbox, "rsume a");
    assert!(found.contains(&"admin".to_owned()), "{found:?}");
    assert!(found.contains(&"audit".to_owned()), "{found:?}");
    let found = bash_complete(&sandbox, "rsume c");
    assert!(found.iter().any(|w| w.starts_with("cache")), "{found:?}");
    assert!(
        found.iter().any(|w| w.starts_with("completions")),
        "{found:?}"
    );
    let found = bash_complete(&sandbox, "rsume --reg");
    assert!(found.iter().any(|w| w.starts_with("--region")), "{found:?}");
    let found = bash_complete(&sandbox, "rsume init f");
    assert!(found.iter().any(|w| w.starts_with("fish")), "{found:?}");

    add_profile(&sandbox, "added-later");
    let found = bash_complete(&sandbox, "rsume add");
    assert!(
        found.iter().any(|w| w.starts_with("added-later")),
        "{found:?}"
    );
    let found = bash_complete(&sandbox, "rsume -p add");
    assert!(
        found.iter().any(|w| w.starts_with("added-later")),
        "{found:?}"
    );
}

#[test]
fn fish_completes_profiles_commands_and_flags() {
    let sandbox = sandbox();
    let found = fish_complete(&sandbox, "rsume a");
    assert!(found.contains(&"admin".to_owned()), "{found:?}");
    assert!(found.contains(&"audit".to_owned()), "{found:?}");
    let found = fish_complete(&sandbox, "rsume ca");
    assert!(found.contains(&"cache".to_owned()), "{found:?}");
    let found = fish_complete(&sandbox, "rsume --no-c");
    assert!(found.contains(&"--no-cache".to_owned()), "{found:?}");
    add_profile(&sandbox, "added-later");
    let found = fish_complete(&sandbox, "rsume add");
    assert!(found.contains(&"added-later".to_owned()), "{found:?}");
}

#[test]
fn zsh_loads_the_completions_with_or_without_compinit() {
    let sandbox = sandbox();
    for setup in ["", "autoload -U compinit && compinit -u\n"] {
        let script = format!(
            "{setup}eval \"$(rsume init zsh)\" || exit 9\nprint -r -- ${{+functions[_clap_dynamic_completer_rsume]}}"
        );
        let result = sandbox.shell("zsh", &script, &[]);
        assert!(
            result.run.status.success(),
            "{setup:?}: {}",
            result.run.stderr
        );
        assert_eq!(result.run.stdout.trim(), "1", "{setup:?}");
        assert_eq!(result.run.stderr, "", "{setup:?}");
    }
    // What the zsh function asks rsume at TAB time, as zsh would ask it.
    let run = sandbox
        .command(&["--", "rsume", "a"])
        .env("RSUME_COMPLETE", "zsh")
        .env("_CLAP_COMPLETE_INDEX", "1")
        .env("_CLAP_IFS", "\n")
        .output()
        .unwrap();
    let out = String::from_utf8(run.stdout).unwrap();
    assert!(out.lines().any(|l| l.starts_with("admin")), "{out}");
}

#[test]
fn candidates_are_never_run_as_code() {
    // A profile named like a program on PATH: if a shell evaluated the candidates (as the
    // wrapper function evaluates rsume's output), completing would run that program.
    let sandbox = Sandbox::new("[profile canary-program]\nregion = x\n", "");
    let bin = sandbox.path("bin");
    std::fs::create_dir(&bin).unwrap();
    let program = bin.join("canary-program");
    std::fs::write(&program, "#!/bin/sh\ntouch \"$HOME/ran\"\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
    let rsume_dir = std::path::Path::new(BIN).parent().unwrap();
    let path = format!("{}:{}:/usr/bin:/bin", bin.display(), rsume_dir.display());
    let sandbox = sandbox.env("PATH", &path);

    let bash = bash_complete(&sandbox, "rsume canary");
    assert_eq!(bash, ["canary-program"]);
    let fish = fish_complete(&sandbox, "rsume canary");
    assert_eq!(fish, ["canary-program"]);
    assert!(
        !sandbox.path("ran").exists(),
        "a candidate ran as a command"
    );

    // A completion request that reaches the wrapper's evaluated path is refused.
    let run = sandbox
        .command(&["--wrapper", "bash", "--", "rsume", "canary"])
        .env("RSUME_COMPLETE", "bash")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(run.stdout.is_empty());
}

#[test]
fn zsh_registers_the_completion_once_compinit_runs_later() {
    // A fresh ~/.zshrc loads rsume first and runs compinit after it (or the user adds it
    // later): the prompt after compinit registers the completion, and the hook goes away.
    let sandbox = sandbox();
    for eval in ["eval \"$(rsume init zsh)\"", "eval $(rsume init zsh)"] {
        let script = format!(
            "{eval} || exit 9\n\
             print -r -- \"before: ${{_comps[rsume]-}}\"\n\
             for f in $precmd_functions; do $f; done\n\
             autoload -Uz compinit && compinit -u -D\n\
             for f in $precmd_functions; do $f; done\n\
             print -r -- \"after: ${{_comps[rsume]-}}\"\n\
             print -r -- \"hooks: $precmd_functions\""
        );
        let result = sandbox.shell("zsh", &script, &[]);
        assert!(result.run.status.success(), "{eval}: {}", result.run.stderr);
        assert_eq!(result.run.stderr, "", "{eval}");
        let out = result.run.stdout;
        assert!(out.contains("before: \n"), "{eval}: {out}");
        assert!(
            out.contains("after: _clap_dynamic_completer_rsume\n"),
            "{eval}: {out}"
        );
        assert!(!out.contains("__rsume_compdef"), "{eval}: {out}");
    }
    // compinit first: registered at once, no hook left behind.
    let script = "autoload -Uz compinit && compinit -u -D\neval \"$(rsume init zsh)\"\n\
                  print -r -- \"now: ${_comps[rsume]-} hooks: ${precmd_functions-}\"";
    let result = sandbox.shell("zsh", script, &[]);
    assert_eq!(
        result.run.stdout.trim_end(),
        "now: _clap_dynamic_completer_rsume hooks:",
        "{}",
        result.run.stderr
    );
}

#[test]
fn a_profile_named_like_a_flag_completes_as_a_profile_flag() {
    let sandbox = Sandbox::new(
        "[profile -dash]\nregion = x\n[profile --long]\nregion = x\n[profile dev]\nregion = x\n",
        "",
    );
    let first = bash_complete(&sandbox, "rsume -");
    assert!(first.contains(&"--profile=-dash".to_owned()), "{first:?}");
    assert!(first.contains(&"--profile=--long".to_owned()), "{first:?}");
    assert!(!first.contains(&"-dash".to_owned()), "{first:?}");
    let fish = fish_complete(&sandbox, "rsume --profile=-");
    assert!(fish.iter().any(|c| c.ends_with("-dash")), "{fish:?}");
    // A value for -p cannot start with `-` as a word of its own: not offered there.
    let value = bash_complete(&sandbox, "rsume -p ''");
    assert!(value.contains(&"dev".to_owned()), "{value:?}");
    assert!(!value.iter().any(|c| c.contains("dash")), "{value:?}");
    // What is offered works.
    let run = sandbox.run(&["--profile=-dash", "--shell", "bash"]);
    assert!(
        !run.stderr.contains("unexpected argument"),
        "{}",
        run.stderr
    );
}
