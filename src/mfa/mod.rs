//! Where an MFA code comes from. Each source is one function of the same type, so the fetch
//! step asks for a code without knowing whether a flag or the terminal supplies it.

mod flag;
mod terminal;

pub use flag::from_flag;
pub use terminal::from_terminal;

use crate::credentials::Secret;

/// A six-digit one-time code, checked before it is ever sent.
#[derive(Clone, Debug)]
pub struct MfaCode(Secret);

impl MfaCode {
    pub fn parse(text: &str) -> Result<Self, MfaError> {
        let text = text.trim();
        if text.len() == 6 && text.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(Secret::new(text)))
        } else {
            Err(MfaError::Malformed)
        }
    }

    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

/// Asks for the code of one MFA device (its serial or ARN is the argument). Called at most
/// once per run: a TOTP code cannot be used twice.
pub type CodeSource<'a> = Box<dyn FnMut(&str) -> Result<MfaCode, MfaError> + 'a>;

#[derive(Debug, thiserror::Error)]
pub enum MfaError {
    #[error("an MFA code is exactly 6 digits")]
    Malformed,
    #[error("no valid MFA code after {0} tries")]
    TooManyTries(u32),
    #[error(
        "an MFA code is needed for {serial} but there is no terminal to ask on; pass it with --mfa-token"
    )]
    NoTerminal { serial: String },
    #[error("MFA prompt cancelled")]
    Cancelled,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_exactly_six_digits() {
        assert_eq!(MfaCode::parse("123456").unwrap().expose(), "123456");
        assert_eq!(MfaCode::parse(" 012345\n").unwrap().expose(), "012345");
        for bad in ["", "12345", "1234567", "12a456", "１２３４５６", "123 456"] {
            assert!(MfaCode::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn debug_hides_the_code() {
        let code = MfaCode::parse("987654").unwrap();
        assert!(!format!("{code:?}").contains("987654"));
    }
}
