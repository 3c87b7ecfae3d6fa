//! The token `aws sso login` caches in `~/.aws/sso/cache/<sha1 hex>.json`, read and renewed
//! by the rules of aws-config 1.13 (`sso/token.rs`, `sso/cache.rs`): the file is named after
//! the `sso_session` (or, in the legacy form, the start URL); a session's token is refreshed
//! through SSO OIDC when it is within 5 minutes of expiry and the file holds a client
//! registration that is still valid; the renewed token is written back, every other field
//! kept.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde_json::{Map, Value};

use crate::credentials::Secret;
use crate::time;

/// A token this close to its expiry is refreshed first, as the AWS SDKs do.
const REFRESH_BUFFER: Duration = Duration::from_secs(5 * 60);

/// What is wrong with the cached token: `Login` when `aws sso login` writes a good one.
#[derive(Debug)]
pub(super) enum Problem {
    Login(String),
    Other(String),
}

/// A token file as read: every field, and the ones rsume uses.
pub(super) struct CachedToken {
    path: PathBuf,
    /// The whole file, written back with the renewed fields.
    fields: Map<String, Value>,
    pub access_token: Secret,
    expires_at: SystemTime,
    refresh: Option<Registration>,
}

/// What a refresh needs, all from the file.
pub(super) struct Registration {
    pub client_id: String,
    pub client_secret: Secret,
    pub refresh_token: Secret,
    registration_expires_at: SystemTime,
}

/// What to do with a token before it is sent.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Next {
    Use,
    Refresh,
    Expired,
}

/// A renewed token as SSO OIDC's CreateToken returned it.
pub(super) struct Renewed {
    pub access_token: Secret,
    pub expires_in: i32,
    pub refresh_token: Option<Secret>,
}

/// `~/.aws/sso/cache/<sha1 hex of identifier>.json`.
pub(super) fn path(home: &Path, identifier: &str) -> PathBuf {
    use sha1::Digest;
    let name = hex::encode(sha1::Sha1::digest(identifier.as_bytes()));
    home.join(".aws/sso/cache").join(format!("{name}.json"))
}

impl CachedToken {
    /// Reads the file through the one bounded reader (a FIFO or a device fails at once).
    pub(super) fn load(path: &Path) -> Result<CachedToken, Problem> {
        let bytes = match crate::fs::read(path, crate::fs::Contents::CacheEntry) {
            Ok(bytes) => bytes,
            Err(error) if error.is_not_found() => {
                return Err(Problem::Login(format!("no token at {}", path.display())));
            }
            Err(error) => return Err(Problem::Other(format!("the cached SSO token: {error}"))),
        };
        parse(path, &bytes).map_err(|what| {
            Problem::Login(format!(
                "the cached token at {} cannot be used: {what}",
                path.display()
            ))
        })
    }

    /// What to do at `now`. Only a session's token is renewed or checked here; the legacy
    /// form's token goes to the portal as it is, which refuses an expired one.
    pub(super) fn next(&self, now: SystemTime, session: bool) -> Next {
        if !session {
            return Next::Use;
        }
        let refreshable = self
            .refresh
            .as_ref()
            .is_some_and(|registration| registration.registration_expires_at > now);
        let expired = self.expires_at <= now;
        let expires_soon = self
            .expires_at
            .checked_sub(REFRESH_BUFFER)
            .is_none_or(|at| at <= now);
        match (refreshable, expired, expires_soon) {
            (false, true, _) => Next::Expired,
            (true, _, true) => Next::Refresh,
            _ => Next::Use,
        }
    }

    pub(super) fn registration(&self) -> Option<&Registration> {
        self.refresh.as_ref()
    }

    /// The token after a refresh at `now`, with the region and start URL it was renewed
    /// for; `None` for an expiry SSO OIDC should not have sent (negative).
    pub(super) fn renewed(
        mut self,
        renewed: Renewed,
        now: SystemTime,
        region: &str,
        start_url: &str,
    ) -> Option<CachedToken> {
        let expires_in = u64::try_from(renewed.expires_in).ok()?;
        self.expires_at = now + Duration::from_secs(expires_in);
        set(
            &mut self.fields,
            "accessToken",
            renewed.access_token.expose(),
        );
        set(
            &mut self.fields,
            "expiresAt",
            &time::rfc3339(self.expires_at),
        );
        if let Some(token) = &renewed.refresh_token {
            set(&mut self.fields, "refreshToken", token.expose());
            if let Some(registration) = &mut self.refresh {
                registration.refresh_token = token.clone();
            }
        }
        set(&mut self.fields, "region", region);
        set(&mut self.fields, "startUrl", start_url);
        self.access_token = renewed.access_token;
        Some(self)
    }

    /// Replaces the file atomically (a temporary file renamed over it), every field it held
    /// kept, readable by its owner alone: it holds the client secret and refresh token.
    pub(super) fn save(&self) -> Result<(), String> {
        let bytes = serde_json::to_vec(&self.fields).expect("a JSON object always serialises");
        // The writer keeps the old file's mode: make that private first.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&self.path, std::fs::Permissions::from_mode(0o600))
                .map_err(|error| format!("cannot make {} private: {error}", self.path.display()))?;
        }
        crate::config::write_atomically(&self.path, &bytes).map_err(|error| error.to_string())
    }
}

/// The token's fields, as aws-config reads them: names in any case, string values only.
fn parse(path: &Path, bytes: &[u8]) -> Result<CachedToken, String> {
    let fields: Map<String, Value> =
        serde_json::from_slice(bytes).map_err(|_| "it is not a JSON object".to_owned())?;
    let text = |name: &'static str| field(&fields, name);
    let date = |name: &'static str| -> Result<Option<SystemTime>, String> {
        text(name)
            .map(|value| time::parse_rfc3339(value).ok_or(format!("its {name} is not a date")))
            .transpose()
    };
    let access_token = text("accessToken").ok_or("it has no accessToken")?;
    let expires_at = date("expiresAt")?.ok_or("it has no expiresAt")?;
    let registration_expires_at = date("registrationExpiresAt")?;
    let refresh = match (
        text("clientId"),
        text("clientSecret"),
        text("refreshToken"),
        registration_expires_at,
    ) {
        (Some(id), Some(secret), Some(refresh), Some(registration_expires_at)) => {
            Some(Registration {
                client_id: id.to_owned(),
                client_secret: Secret::new(secret),
                refresh_token: Secret::new(refresh),
                registration_expires_at,
            })
        }
        _ => None,
    };
    Ok(CachedToken {
        path: path.to_owned(),
        access_token: Secret::new(access_token),
        expires_at,
        refresh,
        fields,
    })
}

/// The string value of `name`, whatever the case of its key.
fn field<'a>(fields: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .and_then(|(_, value)| value.as_str())
}

/// Sets `name` to `value`, in place of the key of any case that held it.
fn set(fields: &mut Map<String, Value>, name: &str, value: &str) {
    fields.retain(|key, _| !key.eq_ignore_ascii_case(name));
    fields.insert(name.to_owned(), Value::String(value.to_owned()));
}

#[cfg(test)]
mod tests;
