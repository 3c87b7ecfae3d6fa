//! bash and zsh (and any POSIX shell): single quotes keep everything literal, so the only
//! character to handle is the single quote itself, written as `'\''`.

use super::Dialect;

pub(super) struct Posix;

impl Dialect for Posix {
    fn quote(&self, value: &str) -> String {
        format!("'{}'", value.replace('\'', r"'\''"))
    }

    fn set(&self, name: &str, quoted: &str) -> String {
        format!("export {name}={quoted}")
    }

    fn unset(&self, name: &str) -> String {
        format!("unset {name}")
    }

    fn print(&self, quoted: &str) -> String {
        format!("printf '%s' {quoted}")
    }
}
