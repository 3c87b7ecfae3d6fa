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
    // Not eprintln!: it panics when stderr is closed, and a message is never worth a crash.
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "rsume: {kind}{}",
        printable(&message.to_string())
    );
}

/// `text` with control characters (C0 with newlines and escapes, DEL, C1) and the Unicode
/// controls that reorder or hide the direction of text (embeddings, overrides, isolates and
/// marks) shown as escapes like `\u{1b}`, so one message stays one honest line. The only
/// function that makes text fit to show a person: messages, tables and config warnings.
pub fn printable(text: &str) -> Cow<'_, str> {
    // Printable ASCII, nearly every name and value, is passed without a look at each
    // character's Unicode class (`rsume -l` shows 30,000 cells for 5,000 profiles).
    if text.bytes().all(|b| (b' '..=b'~').contains(&b)) || !text.chars().any(hostile) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if hostile(c) {
            shown.extend(c.escape_unicode());
        } else {
            shown.push(c);
        }
    }
    Cow::Owned(shown)
}

fn hostile(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// Unicode's bidirectional formatting characters (UAX #9): they reorder what follows, so
/// `role/admin` followed by U+202E can be shown as something else.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character of each class, and nothing outside them.
    #[test]
    fn every_control_and_bidi_class_is_escaped() {
        let c0 = '\u{0}'..='\u{1f}';
        let del = '\u{7f}'..='\u{7f}';
        let c1 = '\u{80}'..='\u{9f}';
        let embeddings_and_overrides = '\u{202A}'..='\u{202E}';
        let isolates = '\u{2066}'..='\u{2069}';
        let marks = ['\u{200E}', '\u{200F}', '\u{061C}'];
        let hostile: Vec<char> = [c0, del, c1, embeddings_and_overrides, isolates]
            .into_iter()
            .flatten()
            .chain(marks)
            .collect();
        for c in &hostile {
            let text = format!("role/a{c}b");
            let expected = format!("role/a\\u{{{:x}}}b", u32::from(*c));
            assert_eq!(printable(&text), expected, "U+{:04X}", u32::from(*c));
        }
        // Printable neighbours stay as they are, including other Unicode formatting.
        for c in [
            '\u{20}', '~', '\u{a0}', '\u{2029}', '\u{2065}', '\u{206A}', '\u{200D}', 'é',
        ] {
            let text = format!("a{c}b");
            assert_eq!(printable(&text), text, "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn control_characters_are_shown_escaped() {
        assert_eq!(printable("plain: ok"), "plain: ok");
        assert_eq!(
            printable("a\u{1b}]0;owned\u{7}\nb\u{202E}c"),
            "a\\u{1b}]0;owned\\u{7}\\u{a}b\\u{202e}c"
        );
    }
}
