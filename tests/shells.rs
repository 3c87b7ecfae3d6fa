//! Hostile values through the real binary into real bash, zsh and fish, read back byte for
//! byte; and the wrapper functions that make it just `rsume PROFILE`.

mod support;

use support::moto::moto;
use support::sandbox::{SHELLS, Sandbox, with_wrapper};

const HOSTILE: &[&str] = &[
    "it's",
    "\"double\" and 'single'",
    "$(touch pwned)",
    "`touch pwned`",
    "$HOME ${HOME} $((1+1))",
    "a\\b\\\\c\\",
    "\\'",
    "line1\nline2\n",
    "tab\there\r\nCR",
    "ünïcødé ✓ 日本 🚀",
    "‘smart’ “quotes” ‚low‛",
    "!event !! ^old^new",
    "%PATH% ; touch pwned ; &",
    "' ; touch pwned ; '",
    "\u{1b}[31mred\u{7}",
    "*?[a-z]{1,2}~",
    " leading and trailing ",
];

fn static_sandbox() -> Sandbox {
    Sandbox::new(
        "[profile team/prod@x]\nregion = plain\n",
        "[team/prod@x]\naws_access_key_id = AKIAHOSTILE\naws_secret_access_key = s'e\"c$(r)`e`t\\\n",
    )
}

#[test]
fn hostile_values_come_back_byte_for_byte() {
    let sandbox = static_sandbox();
    for shell in SHELLS {
        for value in HOSTILE {
            let result = sandbox.eval_in(shell, &["team/prod@x", "--region", value]);
            assert_eq!(
                result.vars.get("AWS_REGION").map(String::as_str),
                Some(*value),
                "{shell} mangled {value:?}; stderr: {}",
                result.run.stderr
            );
            assert_eq!(result.vars["AWS_SECRET_ACCESS_KEY"], "s'e\"c$(r)`e`t\\");
            assert_eq!(result.vars["RSUME_PROFILE"], "team/prod@x");
            assert!(
                !sandbox.path("pwned").exists(),
                "{shell} ran code from {value:?}"
            );
        }
    }
}

#[test]
fn a_config_value_spanning_lines_stays_one_value() {
    // A continuation line makes a value with a newline in it.
    let sandbox = Sandbox::new(
        "[profile multi]\nregion = first'\n  $(touch pwned)\n",
        "[multi]\naws_access_key_id = AKIA\naws_secret_access_key = s\n",
    );
    for shell in SHELLS {
        let result = sandbox.eval_in(shell, &["multi"]);
        assert_eq!(
            result.vars["AWS_REGION"], "first'\n$(touch pwned)",
            "{shell}"
        );
        assert!(!sandbox.path("pwned").exists());
    }
}

fn wrapped_sandbox() -> Sandbox {
    Sandbox::new(
        "[profile alice]\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\nregion = eu-west-1\n\
         [profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = alice\n",
        "[alice]\naws_access_key_id = AKIAALICE\naws_secret_access_key = s\n",
    )
    .endpoint(&moto().endpoint())
    .env("AWS_PROFILE", "stale")
}

#[test]
fn wrapper_sets_credentials_with_a_plain_call() {
    let sandbox = wrapped_sandbox();
    for shell in SHELLS {
        let result = sandbox.shell(
            shell,
            &with_wrapper(shell, "rsume admin --mfa-token 123456"),
            &[],
        );
        assert!(
            result.run.status.success(),
            "{shell}: {}",
            result.run.stderr
        );
        assert!(
            result.vars["AWS_ACCESS_KEY_ID"].starts_with("ASIA"),
            "{shell}"
        );
        assert_eq!(result.vars["RSUME_PROFILE"], "admin");
        assert!(!result.vars.contains_key("AWS_PROFILE"));
        assert_eq!(
            result.run.stdout, "",
            "{shell}: the wrapper printed something"
        );
    }
}

#[test]
fn wrapper_changes_nothing_when_rsume_fails() {
    let sandbox = wrapped_sandbox();
    for shell in SHELLS {
        let result = sandbox.shell(shell, &with_wrapper(shell, "rsume nosuch"), &[]);
        assert!(
            !result.run.status.success(),
            "{shell}: failure not passed on"
        );
        assert!(
            result.run.stderr.contains("no profile named 'nosuch'"),
            "{shell}"
        );
        assert_eq!(result.vars["AWS_PROFILE"], "stale", "{shell}");
        assert!(!result.vars.contains_key("RSUME_PROFILE"));
    }
}

#[test]
fn wrapper_still_shows_list_help_and_version() {
    let sandbox = wrapped_sandbox();
    for shell in SHELLS {
        let result = sandbox.shell(shell, &with_wrapper(shell, "rsume -l"), &[]);
        assert!(
            result.run.stdout.starts_with("PROFILE"),
            "{shell}: {}",
            result.run.stdout
        );
        assert!(
            result
                .run
                .stdout
                .contains("arn:aws:iam::123456789012:role/admin")
        );

        let result = sandbox.shell(shell, &with_wrapper(shell, "rsume --help"), &[]);
        assert!(
            result.run.stdout.contains("Usage: rsume"),
            "{shell}: {}",
            result.run.stdout
        );

        let result = sandbox.shell(shell, &with_wrapper(shell, "rsume --version"), &[]);
        assert_eq!(
            result.run.stdout,
            format!(
                "rsume {} ({})\n",
                env!("CARGO_PKG_VERSION"),
                env!("RSUME_COMMIT")
            ),
            "{shell}"
        );
        assert_eq!(result.vars["AWS_PROFILE"], "stale");

        let result = sandbox.shell(shell, &with_wrapper(shell, "rsume --unset"), &[]);
        assert!(!result.vars.contains_key("AWS_PROFILE"), "{shell}");
    }
}

/// Files whose names a word of the output would expand to if it held a glob character:
/// `*)` in a case pattern matches `x)`, `$?` matches `$x`, and so on.
const GLOB_BAIT: &[&str] = &["x)", "*", "?", "[", "]", "-x)", "$x", "a", "p", "@(x)"];

fn with_glob_bait(sandbox: Sandbox) -> Sandbox {
    for name in GLOB_BAIT {
        std::fs::write(sandbox.path(name), "").unwrap();
    }
    sandbox
}

/// bash globs each word of an unquoted `$(…)`: with nullglob a word that matches nothing
/// vanishes too, and extglob (which bash-completion turns on) reads `@(…)` as a pattern.
/// zsh splits the output but globs it only under the non-default globsubst.
fn unquoted_eval(shell: &str, body: &str) -> String {
    match shell {
        "bash" => format!("shopt -s extglob nullglob\n{body}"),
        _ => body.to_owned(),
    }
}

#[test]
fn unquoted_eval_sets_the_same_values() {
    let sandbox = with_glob_bait(static_sandbox());
    for shell in ["bash", "zsh"] {
        for value in HOSTILE.iter().chain(&["a  b", "x)", "  "]) {
            let script = unquoted_eval(shell, "eval $(rsume \"$@\")");
            let result = sandbox.shell(shell, &script, &["team/prod@x", "--region", value]);
            assert_eq!(
                result.vars.get("AWS_REGION").map(String::as_str),
                Some(*value),
                "{shell} mangled {value:?}; stderr: {}",
                result.run.stderr
            );
            assert_eq!(result.vars["AWS_SECRET_ACCESS_KEY"], "s'e\"c$(r)`e`t\\");
            assert_eq!(result.vars["RSUME_PROFILE"], "team/prod@x", "{shell}");
            assert!(!sandbox.path("pwned").exists(), "{shell} ran {value:?}");
        }
    }
}

#[test]
fn unquoted_eval_of_init_defines_the_same_wrapper() {
    let sandbox = with_glob_bait(static_sandbox());
    // Every function, the completion and the prompt hooks, as the shell itself prints them.
    let defined = "typeset -f; complete -p rsume 2>/dev/null; \
                   printf '%s\\n' \"${PROMPT_COMMAND-}\" \"${precmd_functions-}\"";
    for shell in ["bash", "zsh"] {
        for flags in ["", " --auto-refresh"] {
            let shown = |eval: &str| {
                let script = unquoted_eval(shell, &format!("{eval}\n{defined}"));
                let result = sandbox.shell(shell, &script, &[]);
                assert!(
                    result.run.status.success(),
                    "{shell}: {}",
                    result.run.stderr
                );
                assert_eq!(result.run.stderr, "", "{shell}{flags}: {eval}");
                result.run.stdout
            };
            let quoted = shown(&format!("eval \"$(rsume init {shell}{flags})\""));
            let unquoted = shown(&format!("eval $(rsume init {shell}{flags})"));
            assert!(quoted.contains("--code-file"), "{shell}: {quoted}");
            assert_eq!(unquoted, quoted, "{shell}{flags}");
        }
        // And the wrapper loaded that way works, also for a value that holds two spaces.
        let script = unquoted_eval(
            shell,
            "eval $(rsume init SHELL)\nrsume team/prod@x --region 'a  b*'"
                .replace("SHELL", shell)
                .as_str(),
        );
        let result = sandbox.shell(shell, &script, &[]);
        assert_eq!(
            result.vars["AWS_REGION"], "a  b*",
            "{shell}: {}",
            result.run.stderr
        );
        assert_eq!(result.vars["RSUME_PROFILE"], "team/prod@x", "{shell}");
    }
}

/// AWS_ACCOUNT_ID is rsume's: set when the plan knows the account (the role's ARN), and
/// never left from the previous profile, in every shell.
#[test]
fn the_account_id_is_exported_when_known_and_never_carried_over() {
    let sandbox = wrapped_sandbox();
    for shell in SHELLS {
        let script = with_wrapper(
            shell,
            "rsume admin --mfa-token 123456\necho \"admin=$AWS_ACCOUNT_ID\"\n\
             rsume alice --mfa-token 123456\necho \"alice=$AWS_ACCOUNT_ID\"\n\
             rsume admin\nrsume --unset",
        );
        let result = sandbox.shell(shell, &script, &[]);
        assert!(
            result.run.status.success(),
            "{shell}: {}",
            result.run.stderr
        );
        assert_eq!(
            result.run.stdout, "admin=123456789012\nalice=\n",
            "{shell}: {}",
            result.run.stderr
        );
        assert!(!result.vars.contains_key("AWS_ACCOUNT_ID"), "{shell}");
        assert!(!result.vars.contains_key("RSUME_PROFILE"), "{shell}");
    }
    // The SDKs read it from a credential_process too; keys alone name no account.
    let run = sandbox.run(&["credential-process", "admin", "--mfa-token", "123456"]);
    let document: serde_json::Value = serde_json::from_str(run.ok()).unwrap();
    assert_eq!(document["AccountId"], "123456789012", "{}", run.stdout);
    let run = sandbox.run(&["credential-process", "alice", "--mfa-token", "123456"]);
    let document: serde_json::Value = serde_json::from_str(run.ok()).unwrap();
    assert!(document.get("AccountId").is_none(), "{}", run.stdout);
}
