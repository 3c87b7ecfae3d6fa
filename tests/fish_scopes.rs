//! fish's universal variables (`set -Ux`) are the user's own, shared by every fish session
//! and kept on disk. rsume sets and erases only this session's globals, and says so when a
//! universal of the same name still applies. Run in real fish with a private config
//! directory, so the universals live in the sandbox.

mod support;

use support::sandbox::{Run, Sandbox};

/// AWS_PROFILE: a variable rsume erases and never restores (a region the user had is put
/// back, see tests/grammar.rs), so the universal shows through after `set -e -g`.
const NOTE: &str =
    "rsume: a universal AWS_PROFILE (set -U) still applies; erase it with set -e -U AWS_PROFILE";

fn sandbox() -> Sandbox {
    let sandbox = Sandbox::new(
        "[profile dev]\nregion = eu-west-1\n",
        "[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = s3cret\n",
    );
    let config = sandbox.path(".config").display().to_string();
    let data = sandbox.path(".local/share").display().to_string();
    sandbox
        .env("XDG_CONFIG_HOME", &config)
        .env("XDG_DATA_HOME", &data)
        .without("AWS_REGION")
}

/// A fish session (with its config, so universals are read and kept) running `script`.
fn fish(sandbox: &Sandbox, script: &str) -> Run {
    let output = sandbox
        .program("fish")
        .args(["-c", script])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("start fish");
    Run {
        status: output.status,
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

fn universal_profile(sandbox: &Sandbox) -> String {
    fish(
        sandbox,
        "set -q -U AWS_PROFILE; and echo $AWS_PROFILE; or echo none",
    )
    .ok()
    .trim()
    .to_owned()
}

#[test]
fn unset_leaves_a_universal_variable_alone_and_says_it_still_applies() {
    let sandbox = sandbox();
    fish(&sandbox, "set -Ux AWS_PROFILE somebody").ok();
    assert_eq!(universal_profile(&sandbox), "somebody");

    for how in ["--shell fish", "--wrapper fish"] {
        let run = fish(
            &sandbox,
            &format!(
                "rsume dev {how} | source; and echo \"assumed $AWS_DEFAULT_REGION\"\n\
                 rsume --unset {how} | source; and echo \"unset $AWS_PROFILE\"\n\
                 rsume --unset {how} | source; and echo \"again $AWS_PROFILE\""
            ),
        );
        let out = run.ok();
        assert!(out.contains("assumed eu-west-1"), "{how}: {out}");
        assert!(out.contains("unset somebody"), "{how}: {out}");
        assert!(out.contains("again somebody"), "{how}: {out}");
        assert!(run.stderr.contains(NOTE), "{how}: {}", run.stderr);
        assert_eq!(universal_profile(&sandbox), "somebody", "{how}");
    }
}

#[test]
fn a_guess_leaves_a_universal_variable_alone_too() {
    let sandbox = sandbox().env("SHELL", "/bin/bash");
    fish(&sandbox, "set -Ux AWS_PROFILE somebody").ok();
    // rsume's parent is `timeout`, not fish: the shell is only a guess.
    let run = fish(
        &sandbox,
        "timeout 20 rsume dev | source; and echo \"assumed $AWS_DEFAULT_REGION\"\n\
         timeout 20 rsume --unset | source; and echo \"unset $AWS_PROFILE\"",
    );
    let out = run.ok();
    assert!(out.contains("assumed eu-west-1"), "{out}");
    assert!(out.contains("unset somebody"), "{out}");
    assert!(run.stderr.contains(NOTE), "{}", run.stderr);
    assert_eq!(universal_profile(&sandbox), "somebody");
}

#[test]
fn without_a_universal_unset_is_quiet() {
    let sandbox = sandbox();
    let run = fish(
        &sandbox,
        "rsume dev --shell fish | source\n\
         rsume --unset --shell fish | source; and echo \"unset [$AWS_DEFAULT_REGION]\"",
    );
    assert!(run.ok().contains("unset []"), "{}", run.stdout);
    assert!(!run.stderr.contains("universal"), "{}", run.stderr);
}
