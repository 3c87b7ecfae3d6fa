//! PowerShell: single-quoted strings have no escapes; a quote is written twice. PowerShell
//! also ends such a string at the typographic quotes U+2018..U+201B, so those are doubled
//! too (its `CodeGeneration.EscapeSingleQuotedStringContent` does the same).
//!
//! `rsume … | Invoke-Expression` hands PowerShell each output line as a statement of its
//! own, so no string may span lines: a CR or LF is written as `"`r"` / `"`n"` and joined to
//! the single-quoted pieces around it with `+` (`'a' + "`n" + 'b'`).

use super::Dialect;

pub(super) struct PowerShell;

/// Every character PowerShell treats as a single quote.
const SINGLE_QUOTES: [char; 5] = ['\'', '\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'];

fn is_line_break(c: char) -> bool {
    matches!(c, '\r' | '\n')
}

/// A run without line breaks as one single-quoted string.
fn single_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        if SINGLE_QUOTES.contains(&c) {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
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

impl Dialect for PowerShell {
    fn quote(&self, value: &str) -> String {
        let mut pieces = Vec::new();
        let mut rest = value;
        while !rest.is_empty() {
            let breaks = rest.starts_with(is_line_break);
            let end = rest
                .find(|c| is_line_break(c) != breaks)
                .unwrap_or(rest.len());
            let (run, tail) = rest.split_at(end);
            pieces.push(if breaks {
                line_breaks(run)
            } else {
                single_quoted(run)
            });
            rest = tail;
        }
        if pieces.is_empty() {
            return "''".to_owned();
        }
        pieces.join(" + ")
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
