//! GetSessionToken with an MFA code: one code serves every role of that user while the
//! session lasts.

use super::{Fetch, Hop, Provider, Run, Spec, VaultError};
use crate::cache::{EntryKind, Key};
use crate::credentials::Credentials;
use crate::log;
use crate::mfa::MfaCode;

/// GetSessionToken's default and limits (seconds): one MFA code serves 12 hours.
pub const SESSION_DURATION_DEFAULT: u32 = 12 * 3600;
pub const SESSION_DURATION_RANGE: (u32, u32) = (900, 129_600);

/// What the session is asked for.
#[derive(Clone, Debug)]
pub struct Session {
    /// The profile holding the user's keys (the target's, for keys from the environment).
    pub profile: String,
    pub serial: String,
    pub duration: u32,
}

pub struct SessionToken {
    pub session: Session,
    /// The STS endpoint override, if any: a session from another STS is another session.
    pub endpoint: String,
    pub source: Box<dyn Provider>,
}

impl Fetch for SessionToken {
    /// Not the duration: a session serves every run while it lasts, whatever length each
    /// run asks for (`--refresh-mfa` gets one of another length).
    fn key(&self) -> Key {
        let source = self.source.identity();
        Key::derive(&[
            "mfa-session",
            source.as_str(),
            &self.session.serial,
            &self.endpoint,
        ])
    }

    fn spec(&self) -> Spec<'_> {
        Spec {
            kind: EntryKind::MfaSession,
            profile: &self.session.profile,
            subject: &self.session.serial,
            lifetime: self.session.duration,
        }
    }

    fn describe(&self) -> String {
        format!(
            "MFA session with {} for {} s",
            self.session.serial, self.session.duration
        )
    }
}

impl Hop for SessionToken {
    fn source(&self) -> &dyn Provider {
        self.source.as_ref()
    }

    fn mfa_serial(&self) -> Option<&str> {
        Some(&self.session.serial)
    }

    fn fetch(
        &self,
        run: &mut Run<'_, '_>,
        source: &Credentials,
        code: Option<&MfaCode>,
    ) -> Result<Credentials, VaultError> {
        let Session {
            serial, duration, ..
        } = &self.session;
        let sts = run.sts()?;
        log::debug(format_args!("GetSessionToken for {serial}, {duration} s"));
        let mfa = code.map(|code| (serial.as_str(), code));
        sts.session_token(source, *duration, mfa)
            .map_err(|source| VaultError::MfaSession {
                serial: serial.clone(),
                source,
            })
    }
}
