//! The credentials a chain starts from: keys in a profile, a `credential_source`, or a
//! `credential_process`.

use super::{ResolveError, Source};
use crate::config::Profile;
use crate::credentials::{Credentials, Secret};
use crate::process;
use crate::vault::{CredentialProcess, Environment, StaticKeys};

pub(super) fn static_source(profile: &Profile) -> Result<Source, ResolveError> {
    let key = |name: &'static str| {
        profile
            .get(name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| ResolveError::MissingKey {
                profile: profile.name().into(),
                key: name,
            })
    };
    if profile.get("aws_access_key_id").is_none() && profile.get("aws_secret_access_key").is_none()
    {
        return Err(ResolveError::NoCredentials {
            profile: profile.name().into(),
        });
    }
    Ok(Source::Static(StaticKeys {
        profile: profile.name().into(),
        credentials: Credentials {
            access_key_id: key("aws_access_key_id")?.into(),
            secret_access_key: Secret::new(key("aws_secret_access_key")?),
            session_token: profile
                .get("aws_session_token")
                .filter(|t| !t.is_empty())
                .map(Secret::new),
            expiration: None,
        },
    }))
}

pub(super) fn environment_source(
    profile: &Profile,
    value: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Source, ResolveError> {
    if !value.eq_ignore_ascii_case("Environment") {
        return Err(ResolveError::UnsupportedCredentialSource {
            profile: profile.name().into(),
            value: value.into(),
            location: profile.location("credential_source"),
        });
    }
    let var = |name| env(name).filter(|v: &String| !v.is_empty());
    match (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) {
        (Some(access_key_id), Some(secret)) => Ok(Source::Environment(Environment {
            credentials: Credentials {
                access_key_id,
                secret_access_key: Secret::new(secret),
                session_token: var("AWS_SESSION_TOKEN").map(Secret::new),
                expiration: None,
            },
        })),
        _ => Err(ResolveError::EnvironmentEmpty {
            profile: profile.name().into(),
        }),
    }
}

/// `credential_process`, in a profile without keys (keys win, as in the AWS CLI). The
/// command is split now, so a broken one is reported with its line before anything runs.
pub(super) fn process_source(
    profile: &Profile,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Source>, ResolveError> {
    let key = "credential_process";
    let Some(command) = profile
        .get(key)
        .filter(|_| profile.get("aws_access_key_id").is_none())
    else {
        return Ok(None);
    };
    let words = process::split(command).map_err(|error| ResolveError::InvalidValue {
        profile: profile.name().into(),
        key,
        location: profile.location(key),
        expected: format!("a command ({error})"),
    })?;
    Ok(Some(Source::Process(CredentialProcess {
        profile: profile.name().into(),
        command: command.into(),
        program: words[0].clone(),
        timeout: process::timeout(env),
    })))
}

/// Profiles whose credentials come from a mechanism rsume does not speak yet get a clear
/// "not supported" instead of a misleading "no credentials".
pub(super) fn unsupported(profile: &Profile) -> Result<(), ResolveError> {
    if profile.get("aws_access_key_id").is_some() {
        return Ok(());
    }
    let feature = ["web_identity_token_file"]
        .into_iter()
        .find(|key| profile.get(key).is_some());
    match feature {
        Some(key) => Err(ResolveError::Unsupported {
            profile: profile.name().into(),
            key,
        }),
        None => Ok(()),
    }
}
