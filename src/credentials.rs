//! Credentials and the one type that keeps their secret parts out of sight.

use std::fmt;
use std::time::SystemTime;

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

#[cfg(test)]
mod tests {
    use super::*;

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
