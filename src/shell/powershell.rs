//! PowerShell: single-quoted strings have no escapes; a quote is written twice. PowerShell
//! also ends such a string at the typographic quotes U+2018..U+201B, so those are doubled
//! too (its `CodeGeneration.EscapeSingleQuotedStringContent` does the same).

use super::Dialect;

pub(super) struct PowerShell;

/// Every character PowerShell treats as a single quote.
const SINGLE_QUOTES: [char; 5] = ['\'', '\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'];

impl Dialect for PowerShell {
    fn quote(&self, value: &str) -> String {
        let mut out = String::with_capacity(value.len() + 2);
        out.push('\'');
        for c in value.chars() {
            if SINGLE_QUOTES.contains(&c) {
                out.push(c);
            }
            out.push(c);
        }
        out.push('\'');
        out
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
