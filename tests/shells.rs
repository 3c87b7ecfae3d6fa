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
