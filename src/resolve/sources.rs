//! The credentials a chain starts from: keys in a profile, a `credential_source`, or a
//! `credential_process`.

use std::time::SystemTime;

use super::{ResolveError, Source, role_step};
use crate::config::Profile;
use crate::credentials::{Credentials, Secret};
use crate::process;
use crate::time;
use crate::vault::{
    CredentialProcess, Environment, Role, StaticKeys, WebIdentityOrigin, default_session_name,
};

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
    let session_token = profile
        .get("aws_session_token")
        .filter(|t| !t.is_empty())
        .map(Secret::new);
    // Only temporary keys expire; long-term ones have no expiry to honour.
    let expiration = match session_token {
        Some(_) => written_expiry(profile)?,
        None => None,
    };
    Ok(Source::Static(StaticKeys {
        profile: profile.name().into(),
        credentials: Credentials {
            access_key_id: key("aws_access_key_id")?.into(),
            secret_access_key: Secret::new(key("aws_secret_access_key")?),
            session_token,
            expiration,
        },
    }))
}

/// The expiry other tools write beside temporary keys: `expiration` (rsume, starship), else
/// `x_security_token_expires` (saml2aws), in RFC 3339, or as aws-mfa writes it
/// (`2026-01-02 03:04:05`, UTC).
fn written_expiry(profile: &Profile) -> Result<Option<SystemTime>, ResolveError> {
    let Some(key) = ["expiration", "x_security_token_expires"]
        .into_iter()
        .find(|key| profile.get(key).is_some_and(|v| !v.trim().is_empty()))
    else {
        return Ok(None);
    };
    let text = profile.get(key).unwrap_or_default().trim();
    let aws_mfa = || time::parse_rfc3339(&format!("{}Z", text.replacen(' ', "T", 1)));
    match time::parse_rfc3339(text).or_else(aws_mfa) {
        Some(at) => Ok(Some(at)),
        None => Err(ResolveError::InvalidValue {
            profile: profile.name().into(),
            key,
            location: profile.location(key),
            expected: "a time such as 2026-01-02T03:04:05Z".into(),
        }),
    }
}

/// `credential_source`: the variables, the instance's role or the container's role.
pub(super) fn credential_source(
    profile: &Profile,
    target: &Profile,
    value: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Source, ResolveError> {
    if value.eq_ignore_ascii_case("Ec2InstanceMetadata") {
        super::metadata::instance_source(profile, target, env).map(Source::Instance)
    } else if value.eq_ignore_ascii_case("EcsContainer") {
        super::metadata::container_source(profile, env).map(Source::Container)
    } else {
        environment_source(profile, value, env)
    }
}

fn environment_source(
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

/// `web_identity_token_file` with `role_arn` in the profile: the role is assumed with the
/// token, so it is the root, not a step. Its `role_session_name` and `duration_seconds` apply.
pub(super) fn web_identity_source(profile: &Profile) -> Result<Source, ResolveError> {
    let Some(role_arn) = profile.get("role_arn") else {
        return Err(ResolveError::WebIdentityWithoutRole {
            profile: profile.name().into(),
            location: profile.location("web_identity_token_file"),
        });
    };
    let token_file = profile.get("web_identity_token_file").unwrap_or_default();
    Ok(Source::WebIdentity {
        role: role_step(profile, role_arn)?,
        token_file: token_file.into(),
        origin: WebIdentityOrigin::Profile,
    })
}

/// `AWS_WEB_IDENTITY_TOKEN_FILE` and `AWS_ROLE_ARN` (with `AWS_ROLE_SESSION_NAME`), as the
/// SDKs' default chain uses them after the profile: only for the profile asked for, and only
/// when it holds no credentials of its own.
pub(super) fn web_identity_from_env(
    profile: &Profile,
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<Source> {
    if profile.get("aws_access_key_id").is_some() || profile.get("aws_secret_access_key").is_some()
    {
        return None;
    }
    let var = |name| env(name).filter(|v: &String| !v.is_empty());
    let token_file = var("AWS_WEB_IDENTITY_TOKEN_FILE")?;
    let role_arn = var("AWS_ROLE_ARN")?;
    Some(Source::WebIdentity {
        role: Role {
            profile: profile.name().into(),
            role_arn,
            external_id: None,
            session_name: var("AWS_ROLE_SESSION_NAME")
                .unwrap_or_else(|| default_session_name(profile.name())),
            duration: None,
            mfa_serial: None,
            scope: Default::default(),
        },
        token_file: token_file.into(),
        origin: WebIdentityOrigin::Environment,
    })
}
