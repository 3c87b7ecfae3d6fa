//! bash and zsh: code that means the same under `eval "$(rsume …)"` and under the unquoted
//! `eval $(rsume …)`, which splits the output into words, expands globs in each and joins
//! them with single spaces (docs/shells.md, "Unquoted eval"). So every statement ends in `;`,
//! and a value is written in plain single quotes (`'` as `'\''`) only when it holds no
//! whitespace, control or glob character; otherwise as `$'…'` with each of those, `\` and
//! `'` escaped, so the word holds none of them.

use super::Dialect;

pub(super) struct Posix;

/// Characters that word splitting or globbing would change in an output word: ASCII
/// whitespace and controls, the glob characters and `(`, which opens bash's extended
/// patterns (`@(…)`, `+(…)`, `!(…)` under `shopt -s extglob`).
pub(super) fn splits_or_globs(c: char) -> bool {
    c == ' ' || c.is_ascii_control() || matches!(c, '*' | '?' | '[' | '(')
}

/// `value` in POSIX single quotes: literal in every POSIX shell, but only one word when
/// evaluated as it is (for hints a person copies).
pub(super) fn single_quoted(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// `value` as `$'…'` (bash, zsh, ksh): `\` and `'` backslash-escaped, newline and tab as
/// `\n` and `\t`, every other character that [`splits_or_globs`] as `\xHH`.
fn ansi_c_quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 3);
    out.push_str("$'");
    for c in value.chars() {
        match c {
            '\\' | '\'' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str(r"\n"),
            '\t' => out.push_str(r"\t"),
            c if splits_or_globs(c) => out.push_str(&format!(r"\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

impl Dialect for Posix {
    fn quote(&self, value: &str) -> String {
        if value.chars().any(splits_or_globs) {
            ansi_c_quoted(value)
        } else {
            single_quoted(value)
        }
    }

    fn set(&self, name: &str, quoted: &str) -> String {
        format!("export {name}={quoted};")
    }

    fn unset(&self, name: &str) -> String {
        format!("unset {name};")
    }

    fn print(&self, quoted: &str) -> String {
        format!("printf '%s' {quoted};")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_values_keep_single_quotes() {
        assert_eq!(Posix.quote("eu-west-1"), "'eu-west-1'");
        assert_eq!(Posix.quote("it's"), r"'it'\''s'");
        assert_eq!(Posix.quote(r"a\b$x`y`"), r"'a\b$x`y`'");
        assert_eq!(Posix.quote(""), "''");
    }

    #[test]
    fn words_that_would_split_or_glob_are_escaped() {
        assert_eq!(Posix.quote("a  b"), r"$'a\x20\x20b'");
        assert_eq!(Posix.quote("x)*?[a]"), r"$'x)\x2a\x3f\x5ba]'");
        assert_eq!(Posix.quote("it's\\\n\t@(x)"), r"$'it\'s\\\n\t@\x28x)'");
        assert_eq!(Posix.quote("\r\u{1b}\u{7f}ü"), r"$'\x0d\x1b\x7fü'");
    }
}
