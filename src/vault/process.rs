//! `credential_process = <command>`: a command that prints credentials as JSON (Version 1,
//! as the AWS CLI reads it). Cached by the decorator like any fetch while its `Expiration`
//! lasts; an answer without one is long-term keys, used as they are and never cached.

use std::time::{Duration, SystemTime};

use super::{Fetch, Root, Run, SESSION_DURATION_RANGE, Spec, VaultError};
use crate::cache::{EntryKind, Key};
use crate::credentials::{Credentials, Secret};
use crate::process::{self, ProcessError};
use crate::time;

/// No temporary credentials STS hands out live longer (GetSessionToken's 36 hours), so no
/// answer is cached for longer, whatever `Expiration` it claims.
const LONGEST_LIFETIME: u32 = SESSION_DURATION_RANGE.1;

pub struct CredentialProcess {
    /// The profile that names the command.
    pub profile: String,
    /// The command as written in the profile.
    pub command: String,
    /// Its first word, the only part shown (the rest may hold a secret).
    pub program: String,
    pub timeout: Duration,
}

/// Shows the program only: the rest of the command may hold a secret.
impl std::fmt::Debug for CredentialProcess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialProcess")
            .field("profile", &self.profile)
            .field("program", &self.program)
            .finish_non_exhaustive()
    }
}

/// Why a command's answer is not credentials. Never includes its output.
#[derive(Debug, thiserror::Error)]
pub enum ProcessOutputError {
    #[error(transparent)]
    Run(#[from] ProcessError),
    #[error(
        "its output is not the JSON a credential_process prints (an object with \"Version\": 1 and AccessKeyId, SecretAccessKey and the rest as strings)"
    )]
    NotJson,
    #[error("its output has no \"Version\": 1 (the only version there is)")]
    Version,
    #[error("its output has no {0}")]
    Missing(&'static str),
    #[error("its Expiration is not an RFC 3339 time such as 2026-11-28T13:07:00Z")]
    Expiration,
    #[error("its credentials expired at {0}; it must print fresh ones")]
    Expired(String),
}

impl Fetch for CredentialProcess {
    /// The command alone defines what it prints: no run is needed to know the key.
    fn key(&self) -> Key {
        Key::derive(&["process", &self.command])
    }

    fn spec(&self) -> Spec<'_> {
        Spec {
            kind: EntryKind::Process,
            profile: &self.profile,
            subject: &self.program,
            lifetime: LONGEST_LIFETIME,
        }
    }

    fn describe(&self) -> String {
        format!(
            "credential_process '{}' of '{}'",
            self.program, self.profile
        )
    }
}

impl Root for CredentialProcess {
    fn fetch(&self, _: &mut Run<'_, '_>) -> Result<Credentials, VaultError> {
        process::run(&self.command, self.timeout)
            .map_err(ProcessOutputError::from)
            .and_then(|stdout| parse(&stdout))
            .map_err(|source| VaultError::Process {
                profile: self.profile.clone(),
                source,
            })
    }
}

/// Version 1 output, as the AWS CLI reads it. Deserialized into this private type, with no
/// `Debug`, and any serde error replaced by a fixed message, so no error can quote a value.
#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Output {
    version: Option<u64>,
    access_key_id: Option<String>,
    secret_access_key: Option<String>,
    session_token: Option<String>,
    expiration: Option<String>,
}

pub fn parse(stdout: &[u8]) -> Result<Credentials, ProcessOutputError> {
    let output: Output = serde_json::from_slice(stdout).map_err(|_| ProcessOutputError::NotJson)?;
    if output.version != Some(1) {
        return Err(ProcessOutputError::Version);
    }
    let required = |value: Option<String>, name| {
        value
            .filter(|value| !value.is_empty())
            .ok_or(ProcessOutputError::Missing(name))
    };
    let expiration = match output.expiration {
        None => None,
        Some(text) => {
            let at = time::parse_rfc3339(&text).ok_or(ProcessOutputError::Expiration)?;
            if at <= SystemTime::now() {
                return Err(ProcessOutputError::Expired(time::rfc3339(at)));
            }
            Some(at)
        }
    };
    Ok(Credentials {
        access_key_id: required(output.access_key_id, "AccessKeyId")?,
        secret_access_key: Secret::new(required(output.secret_access_key, "SecretAccessKey")?),
        session_token: output
            .session_token
            .filter(|token| !token.is_empty())
            .map(Secret::new),
        expiration,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_version_1_and_never_quotes_the_output() {
        let full = br#"{"Version": 1, "AccessKeyId": "ASIAP", "SecretAccessKey": "SECRET",
            "SessionToken": "TOKEN", "Expiration": "2999-01-01T00:00:00Z"}"#;
        let read = parse(full).unwrap();
        assert_eq!(read.access_key_id, "ASIAP");
        assert_eq!(read.session_token.unwrap().expose(), "TOKEN");
        assert!(read.expiration.is_some());
        let long_term = parse(br#"{"Version":1,"AccessKeyId":"AKIA","SecretAccessKey":"S"}"#);
        assert_eq!(long_term.unwrap().expiration, None);
        for (bad, says) in [
            (&b"SECRET"[..], "not the JSON a credential_process prints"),
            (b"[\"SECRET\"]", "not the JSON a credential_process prints"),
            (br#"{"Version":2,"AccessKeyId":"SECRET"}"#, "Version"),
            (br#"{"Version":"1","AccessKeyId":"SECRET"}"#, "\"Version\": 1"),
            (br#"{"Version":1,"SecretAccessKey":"SECRET"}"#, "no AccessKeyId"),
            (br#"{"Version":1,"AccessKeyId":"A","SecretAccessKey":7}"#, "as strings"),
            (br#"{"Version":1,"AccessKeyId":"A","SecretAccessKey":""}"#, "no SecretAccessKey"),
            (
                br#"{"Version":1,"AccessKeyId":"A","SecretAccessKey":"SECRET","Expiration":"SECRET"}"#,
                "not an RFC 3339",
            ),
            (
                br#"{"Version":1,"AccessKeyId":"A","SecretAccessKey":"SECRET","Expiration":"2001-01-01T00:00:00Z"}"#,
                "expired at 2001-01-01T00:00:00Z",
            ),
        ] {
            let error = parse(bad).unwrap_err().to_string();
            assert!(error.contains(says), "{error}");
            assert!(!error.contains("SECRET"), "{error}");
        }
    }
}
