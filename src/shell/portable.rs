//! Code for a shell that is only a guess: one text that bash, zsh and fish read the same way,
//! and that PowerShell cannot run anything from. Values are single-quoted, which all three
//! read literally as long as the value holds no quote, backslash (fish escapes `\'` and `\\`
//! inside single quotes) or control character; any other value is refused, never guessed.
//! Unquoted `eval $(rsume …)` in bash and zsh splits words and expands globs, and fish has
//! no `$'…'` to escape them: so values holding a glob character or two spaces in a row are
//! refused too, and every statement ends in `;` (docs/shells.md, "Unquoted eval").
//!
//! - set: `export NAME='value'`, a builtin in bash and zsh and a function in fish
//!   (`set -gx`). PowerShell has no `export` and reads the rest as one literal argument.
//! - unset: bash and zsh have `unset`, fish has `set -e`, and each must never run the
//!   other's: `set -e` in bash would turn on errexit and replace the positional parameters,
//!   `set -gx` in zsh turns on tracing. `$PPID` tells them apart: every POSIX shell sets it
//!   (so it is safe under `set -u`), fish does not. Each line ends with `true;`, so
//!   `eval` and `source` both succeed.

use super::{Dialect, fish, posix};

pub(super) struct Portable;

/// Whether bash, zsh, fish (and PowerShell's single quotes) all read `'value'` as `value`,
/// also when bash or zsh split and glob the output before evaluating it.
pub(super) fn reads_the_same(value: &str) -> bool {
    !value.contains("  ")
        && !value.chars().any(|c| {
            matches!(
                c,
                '\'' | '\\' | '\u{2018}'..='\u{201B}' | '\u{2028}' | '\u{2029}'
            ) || c.is_control()
                || (posix::splits_or_globs(c) && c != ' ')
        })
}

/// True in bash, zsh and every POSIX shell (they set `$PPID`), false in fish.
const IN_POSIX: &str = r#"test -n "$PPID""#;
const IN_FISH: &str = r#"test -z "$PPID""#;

impl Dialect for Portable {
    fn readable(&self, value: &str) -> bool {
        reads_the_same(value)
    }

    fn quote(&self, value: &str) -> String {
        debug_assert!(reads_the_same(value));
        format!("'{value}'")
    }

    fn set(&self, name: &str, quoted: &str) -> String {
        posix::Posix.set(name, quoted)
    }

    fn unset(&self, name: &str) -> String {
        format!(
            "{IN_POSIX} && unset {name}; {IN_FISH} && {}; {IN_FISH} && {}; true;",
            fish::erase_global(name),
            fish::universal_note(name),
        )
    }

    fn print(&self, quoted: &str) -> String {
        posix::Posix.print(quoted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_values_read_the_same() {
        for value in [
            "eu-west-1",
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY+x=",
            "arn:aws:iam::123456789012:role/admin_ro.x",
            "2026-11-28T13:07:00Z",
            "a b",
            " one space each ",
            "",
        ] {
            assert!(reads_the_same(value), "{value}");
        }
    }

    #[test]
    fn values_another_shell_reads_differently_are_not() {
        for value in [
            "it's",
            "a\\b",
            "‘x",
            "x’",
            "‚",
            "‛",
            "a\nb",
            "a\rb",
            "\t",
            "\u{1b}[0m",
            "\u{85}",
            "\u{2028}",
            "a  b",
            "*",
            "x?",
            "[a]",
            "@(x)",
        ] {
            assert!(!reads_the_same(value), "{value:?}");
        }
    }
}
