//! Where an MFA code comes from. Each source is one function of the same type, so a provider
//! asks for a code without knowing whether a flag or the terminal supplies it.

mod flag;
mod process;
mod serial;
mod terminal;

pub use flag::from_flag;
pub use process::from_process;
pub use serial::{MalformedSerial, Serial, SerialKind, describe_device};
pub use terminal::{from_terminal, open as open_terminal};

use crate::credentials::Secret;

/// A six-digit one-time code, checked before it is ever sent.
#[derive(Clone, Debug)]
pub struct MfaCode(Secret);

impl MfaCode {
    /// Takes the code as authenticator apps show it, too: `123 456`.
    pub fn parse(text: &str) -> Result<Self, MfaError> {
        let digits: String = text
            .chars()
            .filter(|c| !matches!(c, ' ' | '\t' | '\r' | '\n'))
            .collect();
        if digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(Secret::new(digits)))
        } else {
            Err(MfaError::Malformed)
        }
    }

    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

/// Asks for the code of one MFA device (its serial or ARN is the argument). A TOTP code
/// cannot be used twice, so it is asked again only after AWS rejected the last one, and only
/// where a person can type a new one.
pub struct CodeSource<'a> {
    ask: Ask<'a>,
    can_ask_again: bool,
}

type Ask<'a> = Box<dyn FnMut(&str) -> Result<MfaCode, MfaError> + 'a>;

impl<'a> CodeSource<'a> {
    pub(crate) fn new(
        ask: impl FnMut(&str) -> Result<MfaCode, MfaError> + 'a,
        can_ask_again: bool,
    ) -> Self {
        Self {
            ask: Box::new(ask),
            can_ask_again,
        }
    }

    pub fn code(&mut self, serial: &str) -> Result<MfaCode, MfaError> {
        (self.ask)(serial)
    }

    /// Whether a rejected code is worth replacing: a person at the terminal can wait for
    /// the next one; a code from `--mfa-token` stays the same.
    pub fn can_ask_again(&self) -> bool {
        self.can_ask_again
    }
}

/// Why there is no code. Shown after "no MFA code for <device>", so each says only what
/// went wrong.
#[derive(Debug, thiserror::Error)]
pub enum MfaError {
    #[error("an MFA code is exactly 6 digits")]
    Malformed,
    #[error("{0} tries, none of them 6 digits")]
    TooManyTries(u32),
    #[error("there is no terminal to ask on; pass it with --mfa-token")]
    NoTerminal,
    #[error("the prompt was cancelled")]
    Cancelled,
    #[error("mfa_process: {0}")]
    Process(crate::process::ProcessError),
    #[error("mfa_process printed something other than a 6-digit code")]
    ProcessOutput,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_exactly_six_digits() {
        assert_eq!(MfaCode::parse("123456").unwrap().expose(), "123456");
        assert_eq!(MfaCode::parse(" 012345\n").unwrap().expose(), "012345");
        assert_eq!(MfaCode::parse("123 456").unwrap().expose(), "123456");
        assert_eq!(MfaCode::parse(" 12 34 56 ").unwrap().expose(), "123456");
        for bad in [
            "",
            "12345",
            "1234567",
            "12a456",
            "１２３４５６",
            "123-456",
            "123 4567",
        ] {
            assert!(MfaCode::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn debug_hides_the_code() {
        let code = MfaCode::parse("987654").unwrap();
        assert!(!format!("{code:?}").contains("987654"));
    }
}
