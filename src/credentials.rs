//! Credentials and the one type that keeps their secret parts out of sight.

use std::fmt;
use std::time::SystemTime;

use crate::shell::MAX_VALUE_BYTES;

/// A value that must never be shown: it has no `Display`, and `Debug` prints a placeholder,
/// so a stray `{:?}` in a log line or a panic message cannot leak it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The raw value, for the few places that must hand it on (STS, the shell output).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A set of AWS credentials, long-term or temporary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    /// Not a secret by AWS's rules, and useful in messages, so it stays visible.
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: Option<Secret>,
    /// `None` for long-term keys.
    pub expiration: Option<SystemTime>,
}

/// Why credentials cannot be handed on: what the shell renderer would refuse, or a part
/// missing. Names the part and its size, never its bytes.
#[derive(Debug, thiserror::Error)]
pub enum Unusable {
    #[error("the {0} is empty")]
    Empty(&'static str),
    #[error("the {0} contains a NUL byte, which no environment variable can hold")]
    Nul(&'static str),
    #[error("the {part} is {len} bytes, over the {MAX_VALUE_BYTES} a shell variable may hold")]
    TooLong { part: &'static str, len: usize },
}

impl Credentials {
    /// Whether these are an IAM user's long-term keys, decided from the keys alone: a
    /// session token makes them temporary, whatever produced them. Only long-term keys may
    /// call GetSessionToken, and only temporary ones can expire.
    pub fn is_long_term(&self) -> bool {
        self.session_token.is_none()
    }

    /// Checked once, before credentials are cached or printed, so a value the shell would
    /// refuse is never stored to fail every later run.
    pub fn check(&self) -> Result<(), Unusable> {
        let mut parts = vec![
            ("access key id", self.access_key_id.as_str()),
            ("secret access key", self.secret_access_key.expose()),
        ];
        if let Some(token) = &self.session_token {
            parts.push(("session token", token.expose()));
        }
        for (part, value) in parts {
            if value.is_empty() {
                return Err(Unusable::Empty(part));
            }
            if value.contains('\0') {
                return Err(Unusable::Nul(part));
            }
            if value.len() > MAX_VALUE_BYTES {
                return Err(Unusable::TooLong {
                    part,
                    len: value.len(),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temporary(secret: &str, token: &str) -> Credentials {
        Credentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: Secret::new(secret),
            session_token: Some(Secret::new(token)),
            expiration: None,
        }
    }

    #[test]
    fn check_refuses_what_a_shell_cannot_take_without_showing_it() {
        assert!(temporary("s", "t").check().is_ok());
        assert!(temporary("s", &"t".repeat(MAX_VALUE_BYTES)).check().is_ok());
        let too_long = "SECRET".repeat(MAX_VALUE_BYTES / 6 + 1);
        for (creds, says) in [
            (temporary("", "t"), "secret access key is empty"),
            (temporary("s", ""), "session token is empty"),
            (
                temporary("SECRET\0x", "t"),
                "secret access key contains a NUL",
            ),
            (temporary("s", &too_long), "session token is 65538 bytes"),
        ] {
            let error = creds.check().unwrap_err().to_string();
            assert!(error.contains(says), "{error}");
            assert!(!error.contains("SECRET"), "{error}");
        }
    }

    #[test]
    fn debug_never_shows_secret_parts() {
        let creds = Credentials {
            access_key_id: "AKIDVISIBLE".into(),
            secret_access_key: Secret::new("very-secret-key"),
            session_token: Some(Secret::new("very-secret-token")),
            expiration: None,
        };
        let shown = format!("{creds:?} {creds:#?}");
        assert!(shown.contains("AKIDVISIBLE"));
        assert!(!shown.contains("very-secret"), "{shown}");
    }
}
