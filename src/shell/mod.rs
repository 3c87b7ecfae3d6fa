//! Shell code out: one model of what should change in the caller's shell, and a small
//! dialect per shell that spells it. Every value goes through the dialect's quoting. When
//! the shell is only a guess, one portable dialect serves them all (docs/shells.md).

mod detect;
mod fish;
mod portable;
mod posix;
mod powershell;

pub use detect::detect;

/// A shell rsume can print code for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    #[value(alias = "pwsh")]
    Powershell,
}

/// One thing the caller's shell should do. Names are compile-time constants, so only the
/// values need quoting. `Debug` hides the values: among them are the secret key and token.
#[derive(Clone, PartialEq, Eq)]
pub enum Change {
    /// Set and export an environment variable.
    Set { name: &'static str, value: String },
    /// Remove an environment variable (no error if it is not set).
    Unset(&'static str),
    /// Write text to the shell's stdout: how the wrappers show `--help` or `-l`, whose
    /// output they evaluate like any other.
    Print(String),
}

/// Linux refuses to start a program whose environment holds a string over 128 KiB
/// (MAX_ARG_STRLEN), so a larger value would break every command typed after it.
pub const MAX_VALUE_BYTES: usize = 64 * 1024;

impl std::fmt::Debug for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Change::Set { name, .. } => write!(f, "Set({name} = <redacted>)"),
            Change::Unset(name) => write!(f, "Unset({name})"),
            Change::Print(text) => write!(f, "Print({} bytes)", text.len()),
        }
    }
}

/// A value that must not reach the shell.
#[derive(Debug, thiserror::Error)]
pub enum BadValue {
    #[error("the value for {0} contains a NUL byte, which no environment variable can hold")]
    Nul(&'static str),
    #[error(
        "the value for {name} is {len} bytes; over {MAX_VALUE_BYTES} bytes it would stop the shell from starting programs"
    )]
    TooLong { name: &'static str, len: usize },
    #[error(
        "the value for {name} would read differently in another shell, and the shell is only a guess (rsume's parent is not a shell it knows); pass --shell bash|zsh|fish|powershell, or use the wrapper from `rsume init <shell>`"
    )]
    Ambiguous { name: &'static str },
}

/// The shell to write for, and whether that is known or only a guess.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Named by `--shell` or the wrapper, or the parent process runs it.
    Known(Shell),
    /// From `$SHELL` (or bash): the code must be safe in whichever shell reads it.
    Guessed(Shell),
}

impl Target {
    /// The shell for hints and messages.
    pub fn shell(self) -> Shell {
        match self {
            Target::Known(shell) | Target::Guessed(shell) => shell,
        }
    }

    /// Known: the shell's own dialect ([`Shell::render`]). Guessed: code that bash, zsh and
    /// fish read the same way and PowerShell cannot run anything from, or
    /// [`BadValue::Ambiguous`] for a value that another shell would read differently.
    pub fn render(self, changes: &[Change]) -> Result<String, BadValue> {
        match self {
            Target::Known(shell) => shell.render(changes),
            Target::Guessed(_) => render_with(&portable::Portable, changes),
        }
    }
}

/// How one shell spells the three changes. Quoting lives here too, because each shell's
/// rules differ (fish treats `\` specially inside single quotes, PowerShell smart quotes).
trait Dialect {
    /// Whether `quote` can write this value at all; only the portable form refuses some.
    fn readable(&self, _value: &str) -> bool {
        true
    }
    /// The value as one word (one expression in PowerShell) that the shell reads back byte
    /// for byte.
    fn quote(&self, value: &str) -> String;
    /// The value as one command argument, for a hint a person copies.
    fn word(&self, value: &str) -> String {
        self.quote(value)
    }
    fn set(&self, name: &str, quoted: &str) -> String;
    fn unset(&self, name: &str) -> String;
    fn print(&self, quoted: &str) -> String;
}

impl Shell {
    fn dialect(self) -> &'static dyn Dialect {
        match self {
            Shell::Bash | Shell::Zsh => &posix::Posix,
            Shell::Fish => &fish::Fish,
            Shell::Powershell => &powershell::PowerShell,
        }
    }

    /// The name `--shell` and `rsume init` take.
    pub fn name(self) -> &'static str {
        match self {
            Shell::Bash => "bash",
            Shell::Zsh => "zsh",
            Shell::Fish => "fish",
            Shell::Powershell => "powershell",
        }
    }

    /// The wrapper function that `rsume init <shell>` prints and `shell/` ships.
    /// bash and zsh share one text (`@SHELL@` and `@RC_FILE@` name the shell); `rsume init`
    /// fills in the placeholders.
    pub fn wrapper_script(self) -> &'static str {
        match self {
            Shell::Bash | Shell::Zsh => include_str!("../../shell/rsume.sh"),
            Shell::Fish => include_str!("../../shell/rsume.fish"),
            Shell::Powershell => include_str!("../../shell/rsume.ps1"),
        }
    }

    /// The line a user types to apply rsume's output without the wrapper.
    pub fn eval_hint(self, args: &str) -> String {
        match self {
            Shell::Bash | Shell::Zsh => format!("eval \"$(rsume {args})\""),
            Shell::Fish => format!("rsume {args} | source"),
            Shell::Powershell => format!("rsume {args} | Out-String | Invoke-Expression"),
        }
    }

    /// `value` as one word for this shell, quoted only when it needs to be: for hints that a
    /// person copies.
    pub fn word(self, value: &str) -> String {
        let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:=@+,%".contains(c);
        if !value.is_empty() && value.chars().all(plain) {
            value.to_owned()
        } else if matches!(self, Shell::Bash | Shell::Zsh) {
            posix::single_quoted(value)
        } else {
            self.dialect().word(value)
        }
    }

    /// `value` as one word (in PowerShell one expression) that this shell reads back byte for
    /// byte; in bash and zsh also under the unquoted `eval $(…)`. For values `rsume init`
    /// writes into the wrapper.
    pub fn quote(self, value: &str) -> String {
        self.dialect().quote(value)
    }

    /// bash and zsh: one statement that evaluates `code` exactly as it is written (newlines,
    /// comments, globs and all), also under the unquoted `eval $(…)`.
    pub fn eval_statement(code: &str) -> String {
        format!("eval {};\n", posix::Posix.quote(code))
    }

    /// Shell code for `changes`, one line each (in bash and zsh, each ending in `;`).
    pub fn render(self, changes: &[Change]) -> Result<String, BadValue> {
        render_with(self.dialect(), changes)
    }
}

/// What `Change::Print` is called in a refusal.
const PRINTED_TEXT: &str = "text to print";

fn render_with(dialect: &dyn Dialect, changes: &[Change]) -> Result<String, BadValue> {
    let mut out = String::new();
    for change in changes {
        let line = match change {
            Change::Set { name, value } => {
                if value.contains('\0') {
                    return Err(BadValue::Nul(name));
                }
                if value.len() > MAX_VALUE_BYTES {
                    return Err(BadValue::TooLong {
                        name,
                        len: value.len(),
                    });
                }
                if !dialect.readable(value) {
                    return Err(BadValue::Ambiguous { name });
                }
                dialect.set(name, &dialect.quote(value))
            }
            Change::Unset(name) => dialect.unset(name),
            Change::Print(text) => {
                let text = text.replace('\0', "");
                if !dialect.readable(&text) {
                    return Err(BadValue::Ambiguous { name: PRINTED_TEXT });
                }
                dialect.print(&dialect.quote(&text))
            }
        };
        out.push_str(&line);
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quote(shell: Shell, value: &str) -> String {
        shell.dialect().quote(value)
    }

    fn sample() -> Vec<Change> {
        vec![
            Change::Set {
                name: "AWS_REGION",
                value: "eu-west-1".into(),
            },
            Change::Unset("AWS_PROFILE"),
            Change::Print("hi\n".into()),
        ]
    }

    #[test]
    fn renders_each_shell() {
        assert_eq!(
            Shell::Bash.render(&sample()).unwrap(),
            "export AWS_REGION='eu-west-1';\nunset AWS_PROFILE;\nprintf '%s' $'hi\\n';\n"
        );
        assert_eq!(
            Shell::Fish.render(&sample()).unwrap(),
            "set -gx AWS_REGION 'eu-west-1'\n\
             set -e -g AWS_PROFILE; set -q -U AWS_PROFILE && printf '%s\\n' 'rsume: a universal AWS_PROFILE (set -U) still applies; erase it with set -e -U AWS_PROFILE' >&2; true\n\
             printf '%s' 'hi\n'\n"
        );
        assert_eq!(
            Shell::Powershell.render(&sample()).unwrap(),
            "$env:AWS_REGION = 'eu-west-1'\n\
             Remove-Item -LiteralPath 'Env:AWS_PROFILE' -ErrorAction SilentlyContinue\n\
             [Console]::Out.Write('hi' + \"`n\")\n"
        );
        assert_eq!(
            Target::Guessed(Shell::Fish).render(&sample()[..2]).unwrap(),
            "export AWS_REGION='eu-west-1';\n\
             test -n \"$PPID\" && unset AWS_PROFILE; \
             test -z \"$PPID\" && set -e -g AWS_PROFILE; \
             test -z \"$PPID\" && set -q -U AWS_PROFILE && printf '%s\\n' 'rsume: a universal AWS_PROFILE (set -U) still applies; erase it with set -e -U AWS_PROFILE' >&2; \
             true;\n"
        );
        assert!(matches!(
            Target::Guessed(Shell::Bash).render(&sample()),
            Err(BadValue::Ambiguous { name: PRINTED_TEXT })
        ));
    }

    #[test]
    fn powershell_keeps_every_value_on_one_line() {
        assert_eq!(
            quote(Shell::Powershell, "a\r\nb’\n"),
            "'a' + \"`r`n\" + 'b' + [char]0x2019 + \"`n\""
        );
        assert_eq!(quote(Shell::Powershell, "\n"), "\"`n\"");
        assert_eq!(quote(Shell::Powershell, ""), "''");
    }

    #[test]
    fn refuses_values_no_environment_can_hold() {
        let set = |value: String| {
            [Change::Set {
                name: "AWS_REGION",
                value,
            }]
        };
        for shell in [Shell::Bash, Shell::Fish, Shell::Powershell] {
            assert!(matches!(
                shell.render(&set("a\0b".into())),
                Err(BadValue::Nul(_))
            ));
            let long = "x".repeat(MAX_VALUE_BYTES + 1);
            assert!(matches!(
                shell.render(&set(long)),
                Err(BadValue::TooLong { .. })
            ));
            assert!(shell.render(&set("x".repeat(MAX_VALUE_BYTES))).is_ok());
        }
    }

    #[test]
    fn debug_hides_values() {
        let change = Change::Set {
            name: "AWS_SECRET_ACCESS_KEY",
            value: "very-secret".into(),
        };
        assert_eq!(
            format!("{change:?}"),
            "Set(AWS_SECRET_ACCESS_KEY = <redacted>)"
        );
    }

    #[test]
    fn quoting_per_shell() {
        assert_eq!(quote(Shell::Bash, "it's"), r"'it'\''s'");
        assert_eq!(quote(Shell::Zsh, r"a\b$(x)"), r"$'a\\b$\x28x)'");
        assert_eq!(quote(Shell::Fish, r"it's a\"), r"'it\'s a\\'");
        assert_eq!(
            quote(Shell::Powershell, "it's ‘x’"),
            "'it''s ' + [char]0x2018 + 'x' + [char]0x2019"
        );
    }

    #[test]
    fn powershell_is_ascii_only() {
        assert_eq!(
            quote(Shell::Powershell, "ā\u{82}😀\u{1b}"),
            "'' + [char]0x0101 + [char]0x0082 + [char]0xD83D + [char]0xDE00 + [char]0x001B"
        );
        assert_eq!(Shell::Powershell.word("ā"), "('' + [char]0x0101)");
        assert_eq!(Shell::Powershell.word("a b"), "'a b'");
    }
}
