//! The JSON stored for one cache key. Secrets are plain strings only inside this private
//! type, which has no `Debug`; everything outside sees `Credentials` with `Secret` fields.

use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::credentials::{Credentials, Secret, Unusable};
use crate::time::{parse_rfc3339, rfc3339};

const VERSION: u32 = 1;

/// What an entry holds, for `rsume cache list` and the refresh flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    MfaSession,
    Role,
    /// What a `credential_process` command printed, with an expiry.
    Process,
}

impl EntryKind {
    pub fn name(self) -> &'static str {
        match self {
            EntryKind::MfaSession => "mfa-session",
            EntryKind::Role => "role",
            EntryKind::Process => "process",
        }
    }
}

/// The parts of an entry that are safe to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct About {
    /// The profile whose step produced it (the user for an MFA session).
    pub profile: String,
    pub kind: EntryKind,
    /// The role ARN or MFA device.
    pub subject: String,
    pub expiration: SystemTime,
    /// The lifetime asked for, in seconds (absent in entries of older versions).
    pub requested: Option<u32>,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    version: u32,
    profile: String,
    kind: EntryKind,
    subject: String,
    expiration: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    requested_seconds: Option<u32>,
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
}

pub fn encode(about: &About, credentials: &Credentials) -> Vec<u8> {
    let stored = Stored {
        version: VERSION,
        profile: about.profile.clone(),
        kind: about.kind,
        subject: about.subject.clone(),
        expiration: rfc3339(about.expiration),
        requested_seconds: about.requested,
        access_key_id: credentials.access_key_id.clone(),
        secret_access_key: credentials.secret_access_key.expose().to_owned(),
        session_token: credentials
            .session_token
            .as_ref()
            .map(|t| t.expose().to_owned())
            .unwrap_or_default(),
    };
    let mut bytes = serde_json::to_vec_pretty(&stored).expect("plain strings serialize");
    bytes.push(b'\n');
    bytes
}

/// Why bytes are not an entry. Never includes the bytes.
#[derive(Debug, thiserror::Error)]
pub enum Corrupt {
    #[error("{0}")]
    Format(&'static str),
    #[error("its credentials cannot be used: {0}")]
    Unusable(#[from] Unusable),
}

pub fn decode(bytes: &[u8]) -> Result<(About, Credentials), Corrupt> {
    let stored: Stored =
        serde_json::from_slice(bytes).map_err(|_| Corrupt::Format("not a cache entry"))?;
    if stored.version != VERSION {
        return Err(Corrupt::Format("written by another rsume version"));
    }
    let expiration = parse_rfc3339(&stored.expiration).ok_or(Corrupt::Format("bad expiration"))?;
    let about = About {
        profile: stored.profile,
        kind: stored.kind,
        subject: stored.subject,
        expiration,
        requested: stored.requested_seconds,
    };
    let credentials = Credentials {
        access_key_id: stored.access_key_id,
        secret_access_key: Secret::new(stored.secret_access_key),
        session_token: Some(Secret::new(stored.session_token)),
        expiration: Some(expiration),
    };
    credentials.check()?;
    Ok((about, credentials))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip_about() -> About {
        About {
            profile: "admin".into(),
            kind: EntryKind::Role,
            subject: "arn:aws:iam::1:role/admin".into(),
            expiration: parse_rfc3339("2026-11-28T13:07:00Z").unwrap(),
            requested: Some(3600),
        }
    }

    #[test]
    fn round_trip() {
        let about = round_trip_about();
        let credentials = Credentials {
            access_key_id: "ASIA1".into(),
            secret_access_key: Secret::new("s"),
            session_token: Some(Secret::new("t")),
            expiration: Some(about.expiration),
        };
        let (read_about, read) = decode(&encode(&about, &credentials)).unwrap();
        assert_eq!(read_about, about);
        assert_eq!(read, credentials);
    }

    #[test]
    fn rejects_junk_without_echoing_it() {
        for junk in [&b""[..], b"{", b"{\"version\":1}", b"SECRET-VALUE"] {
            let error = decode(junk).err().unwrap().to_string();
            assert!(!error.contains("SECRET"), "{error}");
        }
        let mut about = round_trip_about();
        about.profile = "p".into();
        let nul = Credentials {
            access_key_id: "ASIA1".into(),
            secret_access_key: Secret::new("SECRET\0"),
            session_token: Some(Secret::new("t")),
            expiration: Some(about.expiration),
        };
        let error = decode(&encode(&about, &nul)).err().unwrap().to_string();
        assert!(error.contains("contains a NUL byte"), "{error}");
        assert!(!error.contains("SECRET"), "{error}");
    }
}
