//! Everything rsume tells a person goes through here, to stderr: stdout is for shell code.
//! Callers pass only what is safe to show (secrets are `Secret`s, whose `Debug` is redacted),
//! and every line is made printable first: profile files are not trusted, and a value with an
//! escape sequence in it must not drive the terminal it is shown on.

use std::borrow::Cow;
use std::fmt::{Arguments, Display};
use std::sync::atomic::{AtomicBool, Ordering};

static ENABLED: AtomicBool = AtomicBool::new(false);
static QUIET: AtomicBool = AtomicBool::new(false);

pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

/// `-q`: only errors from now on, for scripts.
pub fn quiet() {
    QUIET.store(true, Ordering::Relaxed);
}

fn quieted() -> bool {
    QUIET.load(Ordering::Relaxed)
}

fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// `--debug` detail.
pub fn debug(message: Arguments<'_>) {
    if enabled() {
        line("debug: ", message);
    }
}

/// Something went wrong that rsume can work around.
pub fn warn(message: Arguments<'_>) {
    if !quieted() {
        line("warning: ", message);
    }
}

/// Progress and results the user should see.
pub fn info(message: Arguments<'_>) {
    if !quieted() {
        line("", message);
    }
}

/// A failure that ends the run.
pub fn error(message: impl Display) {
    line("", format_args!("{message}"));
}

fn line(kind: &str, message: Arguments<'_>) {
    eprintln!("rsume: {kind}{}", printable(&message.to_string()));
}

/// `text` with control characters (newlines and escape sequences included) and the Unicode
/// controls that reorder text shown as escapes, so one message stays one honest line.
pub fn printable(text: &str) -> Cow<'_, str> {
    let hostile =
        |c: char| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(hostile) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| {
                if hostile(c) {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_escaped() {
        assert_eq!(printable("plain: ok"), "plain: ok");
        assert_eq!(
            printable("a\u{1b}]0;owned\u{7}\nb\u{202E}c"),
            "a\\u{1b}]0;owned\\u{7}\\u{a}b\\u{202e}c"
        );
    }
}
