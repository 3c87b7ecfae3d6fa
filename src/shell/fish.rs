//! fish: inside single quotes `\\` and `\'` are escapes (unlike POSIX), so both are
//! backslash-escaped; everything else, newlines included, stays literal.
//!
//! Scopes: rsume sets global variables (`set -gx`), which shadow a universal one of the
//! same name for this session only. Erasing must stay in that scope too: a plain `set -e`
//! would erase a universal variable (`set -Ux`) for every fish session, permanently.

use super::Dialect;

pub(super) struct Fish;

/// Erases this session's variable only. Fails (status 4) when there is none.
pub(super) fn erase_global(name: &str) -> String {
    format!("set -e -g {name}")
}

/// Says on stderr when a universal variable of that name still applies once the global one
/// is gone, and how to remove it: rsume leaves the user's own variables alone.
pub(super) fn universal_note(name: &str) -> String {
    format!(
        "set -q -U {name} && printf '%s\\n' 'rsume: a universal {name} (set -U) still applies; erase it with set -e -U {name}' >&2"
    )
}

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

    /// Ends with `true`: `set -e` and `set -q` fail when there is nothing to erase or tell,
    /// and `rsume … | source; and …` must see success.
    fn unset(&self, name: &str) -> String {
        format!("{}; {}; true", erase_global(name), universal_note(name))
    }

    fn print(&self, quoted: &str) -> String {
        format!("printf '%s' {quoted}")
    }
}
