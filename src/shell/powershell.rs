//! PowerShell: single-quoted strings have no escapes; a quote is written twice. PowerShell
//! also ends such a string at the typographic quotes U+2018..U+201B; those are not ASCII,
//! so (below) they never appear inside one.
//!
//! `rsume … | Invoke-Expression` hands PowerShell each output line as a statement of its
//! own, so no string may span lines: a CR or LF is written as `"`r"` / `"`n"` and joined to
//! the single-quoted pieces around it with `+` (`'a' + "`n" + 'b'`).
//!
//! PowerShell decodes a program's output with `[Console]::OutputEncoding`, the OEM code
//! page (932, 936, 949, 437, 850, 1252…), not UTF-8: a non-ASCII byte sequence could decode
//! to a quote and end the string. So the code is ASCII only: each non-ASCII character is
//! written `[char]0xNNNN` (one per UTF-16 unit, so two surrogates above U+FFFF: Windows
//! PowerShell 5.1 has no `` `u{} `` escape), joined to the rest with `+`. The expression
//! starts with a string, so `+` concatenates rather than adds character codes.

use super::Dialect;

pub(super) struct PowerShell;

/// The three kinds of piece a value is cut into.
#[derive(PartialEq, Clone, Copy)]
enum Run {
    /// Printable ASCII and tabs: one single-quoted string.
    Plain,
    /// CR and LF: one double-quoted string of escapes.
    LineBreaks,
    /// Other controls and anything outside ASCII: `[char]` casts.
    Cast,
}

fn run_of(c: char) -> Run {
    match c {
        '\r' | '\n' => Run::LineBreaks,
        '\t' | ' '..='~' => Run::Plain,
        _ => Run::Cast,
    }
}

/// A printable ASCII run as one single-quoted string.
fn single_quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A run of line breaks as one double-quoted string of escapes; it holds nothing else, so
/// nothing in it can expand.
fn line_breaks(text: &str) -> String {
    let escapes: String = text
        .chars()
        .map(|c| if c == '\r' { "`r" } else { "`n" })
        .collect();
    format!("\"{escapes}\"")
}

/// A run of other characters as `[char]` casts of their UTF-16 units.
fn casts(text: &str) -> Vec<String> {
    text.encode_utf16()
        .map(|unit| format!("[char]0x{unit:04X}"))
        .collect()
}

impl PowerShell {
    /// The value as string pieces that `+` joins, every one ASCII.
    fn pieces(value: &str) -> Vec<String> {
        let mut pieces = Vec::new();
        let mut rest = value;
        while let Some(first) = rest.chars().next() {
            let kind = run_of(first);
            let end = rest.find(|c| run_of(c) != kind).unwrap_or(rest.len());
            let (run, tail) = rest.split_at(end);
            match kind {
                Run::Plain => pieces.push(single_quoted(run)),
                Run::LineBreaks => pieces.push(line_breaks(run)),
                Run::Cast => {
                    if pieces.is_empty() {
                        pieces.push("''".to_owned());
                    }
                    pieces.extend(casts(run));
                }
            }
            rest = tail;
        }
        if pieces.is_empty() {
            pieces.push("''".to_owned());
        }
        pieces
    }
}

impl Dialect for PowerShell {
    fn quote(&self, value: &str) -> String {
        Self::pieces(value).join(" + ")
    }

    /// In argument mode `'a' + 'b'` is three arguments; parentheses make it one.
    fn word(&self, value: &str) -> String {
        match Self::pieces(value).as_slice() {
            [one] => one.clone(),
            many => format!("({})", many.join(" + ")),
        }
    }

    fn set(&self, name: &str, quoted: &str) -> String {
        format!("$env:{name} = {quoted}")
    }

    fn unset(&self, name: &str) -> String {
        format!("Remove-Item -LiteralPath 'Env:{name}' -ErrorAction SilentlyContinue")
    }

    fn print(&self, quoted: &str) -> String {
        format!("[Console]::Out.Write({quoted})")
    }
}
