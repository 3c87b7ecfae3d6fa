//! Which environment variables rsume sets and clears: the product's contract with the
//! shell, in one place for `rsume <profile>` and `rsume --unset`.

use crate::credentials::Credentials;
use crate::shell::Change;
use crate::time;

const ACCESS_KEY_ID: &str = "AWS_ACCESS_KEY_ID";
const SECRET_ACCESS_KEY: &str = "AWS_SECRET_ACCESS_KEY";
const SESSION_TOKEN: &str = "AWS_SESSION_TOKEN";
const EXPIRATION: &str = "AWS_CREDENTIAL_EXPIRATION";
const REGION: &str = "AWS_REGION";
const DEFAULT_REGION: &str = "AWS_DEFAULT_REGION";
const PROFILE_MARKER: &str = "RSUME_PROFILE";
/// Would outrank or confuse the exported keys if left from an earlier session.
const STALE: [&str; 3] = ["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN"];

/// Exports for `creds`; the region variables only when a region is known, so an existing
/// one survives a profile that names none.
pub fn assume(profile: &str, creds: &Credentials, region: Option<&str>) -> Vec<Change> {
    let set = |name, value: &str| Change::Set {
        name,
        value: value.to_owned(),
    };
    let mut changes: Vec<Change> = STALE.into_iter().map(Change::Unset).collect();
    changes.push(set(ACCESS_KEY_ID, &creds.access_key_id));
    changes.push(set(SECRET_ACCESS_KEY, creds.secret_access_key.expose()));
    changes.push(match &creds.session_token {
        Some(token) => set(SESSION_TOKEN, token.expose()),
        None => Change::Unset(SESSION_TOKEN),
    });
    changes.push(match creds.expiration {
        Some(at) => set(EXPIRATION, &time::rfc3339(at)),
        None => Change::Unset(EXPIRATION),
    });
    if let Some(region) = region {
        changes.push(set(REGION, region));
        changes.push(set(DEFAULT_REGION, region));
    }
    changes.push(set(PROFILE_MARKER, profile));
    changes
}

/// Clears everything `assume` may have set.
pub fn unset() -> Vec<Change> {
    [
        ACCESS_KEY_ID,
        SECRET_ACCESS_KEY,
        SESSION_TOKEN,
        EXPIRATION,
        REGION,
        DEFAULT_REGION,
        PROFILE_MARKER,
    ]
    .into_iter()
    .chain(STALE)
    .map(Change::Unset)
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Secret;

    #[test]
    fn unset_covers_everything_assume_touches() {
        let creds = Credentials {
            access_key_id: "AKID".into(),
            secret_access_key: Secret::new("s"),
            session_token: Some(Secret::new("t")),
            expiration: time::parse_rfc3339("2026-11-28T13:07:00.5Z"),
        };
        let cleared: Vec<Change> = unset();
        for change in assume("p", &creds, Some("eu-west-1")) {
            let name = match change {
                Change::Set { name, .. } | Change::Unset(name) => name,
                Change::Print(_) => unreachable!(),
            };
            assert!(cleared.contains(&Change::Unset(name)), "{name}");
        }
    }
}
