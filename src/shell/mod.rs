//! Shell code out: one model of what should change in the caller's shell, and a small
//! dialect per shell that spells it. Every value goes through the dialect's quoting.

mod detect;
mod fish;
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
}

/// How one shell spells the three changes. Quoting lives here too, because each shell's
/// rules differ (fish treats `\` specially inside single quotes, PowerShell smart quotes).
trait Dialect {
    /// The value as a single literal word that the shell reads back byte for byte.
    fn quote(&self, value: &str) -> String;
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
    pub fn wrapper_script(self) -> &'static str {
        match self {
            Shell::Bash => include_str!("../../shell/rsume.bash"),
            Shell::Zsh => include_str!("../../shell/rsume.zsh"),
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
        } else {
            self.dialect().quote(value)
        }
    }

    /// Shell code for `changes`, one line each (a quoted value may span lines).
    pub fn render(self, changes: &[Change]) -> Result<String, BadValue> {
        let dialect = self.dialect();
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
                    dialect.set(name, &dialect.quote(value))
                }
                Change::Unset(name) => dialect.unset(name),
                Change::Print(text) => dialect.print(&dialect.quote(&text.replace('\0', ""))),
            };
            out.push_str(&line);
            out.push('\n');
        }
        Ok(out)
    }
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
            "export AWS_REGION='eu-west-1'\nunset AWS_PROFILE\nprintf '%s' 'hi\n'\n"
        );
        assert_eq!(
            Shell::Fish.render(&sample()).unwrap(),
            "set -gx AWS_REGION 'eu-west-1'\nset -e AWS_PROFILE; or true\nprintf '%s' 'hi\n'\n"
        );
        assert_eq!(
            Shell::Powershell.render(&sample()).unwrap(),
            "$env:AWS_REGION = 'eu-west-1'\n\
             Remove-Item -LiteralPath 'Env:AWS_PROFILE' -ErrorAction SilentlyContinue\n\
             [Console]::Out.Write('hi\n')\n"
        );
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
        assert_eq!(quote(Shell::Zsh, r"a\b$(x)"), r"'a\b$(x)'");
        assert_eq!(quote(Shell::Fish, r"it's a\"), r"'it\'s a\\'");
        assert_eq!(
            quote(Shell::Powershell, "it's ‘x’ ‚y‛"),
            "'it''s ‘‘x’’ ‚‚y‛‛'"
        );
    }
}
