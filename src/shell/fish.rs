//! fish: inside single quotes `\\` and `\'` are escapes (unlike POSIX), so both are
//! backslash-escaped; everything else, newlines included, stays literal.

use super::Dialect;

pub(super) struct Fish;

impl Dialect for Fish {
    fn quote(&self, value: &str) -> String {
        let mut out = String::with_capacity(value.len() + 2);
        out.push('\'');
        for c in value.chars() {
            if matches!(c, '\\' | '\'') {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('\'');
        out
    }

    fn set(&self, name: &str, quoted: &str) -> String {
        format!("set -gx {name} {quoted}")
    }

    /// `set -e` fails (status 4) when the variable is absent, and a later `set` passes that
    /// status on, so `rsume … | source; and …` would see a failure.
    fn unset(&self, name: &str) -> String {
        format!("set -e {name}; or true")
    }

    fn print(&self, quoted: &str) -> String {
        format!("printf '%s' {quoted}")
    }
}
