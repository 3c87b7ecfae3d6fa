//! The credentials a chain starts from. Keys written in a profile and web identity shape
//! the walk itself; every other source is one row of [`SOURCES`]: how the files name it,
//! the word `-l` shows, and how it is built once the environment is known. A new source is
//! its provider in `vault`, one row here and its `Source` variant (docs/architecture.md,
//! "Adding a credential source").

use std::time::SystemTime;

use super::{ResolveError, Source, metadata, role_step, sso};
use crate::config::{Profile, ProfileSet};
use crate::credentials::{Credentials, Secret};
use crate::process;
use crate::time;
use crate::vault::{CredentialProcess, Role, StaticKeys, WebIdentityOrigin, default_session_name};

/// How the files name a source.
#[derive(Debug)]
pub(super) enum Spelling {
    /// A profile without keys or `role_arn` that sets any of these keys; the first row that
    /// matches wins, before any `credential_source`.
    Keys(&'static [&'static str]),
    /// `credential_source = VALUE` (any case), bare or under a role.
    CredentialSource(&'static str),
}

/// One credential source.
#[derive(Debug)]
pub(super) struct SourceRow {
    pub spelling: Spelling,
    /// The word `rsume -l` shows for a profile that starts with it (docs/configuration.md).
    pub kind: &'static str,
    /// The variables its credentials come from, when the environment and not the files
    /// hold them: `-l` marks the profiles that start with it.
    pub variables: &'static [&'static str],
    pub build: fn(&Binding<'_>) -> Result<Source, ResolveError>,
}

/// What a source's constructor may read: the files and the environment.
pub(super) struct Binding<'a> {
    pub set: &'a ProfileSet,
    /// The profile that names the source.
    pub profile: &'a Profile,
    /// The profile asked for.
    pub target: &'a Profile,
    pub env: &'a dyn Fn(&str) -> Option<String>,
}

/// Every source but keys in a file and web identity, in the order the walk tries them.
pub(super) const SOURCES: &[SourceRow] = &[
    SourceRow {
        spelling: Spelling::Keys(&["credential_process"]),
        kind: "process",
        variables: &[],
        build: process_source,
    },
    SourceRow {
        spelling: Spelling::Keys(&["sso_session", "sso_start_url"]),
        kind: "sso",
        variables: &[],
        build: |at| sso::sso_source(at.set, at.profile, at.env),
    },
    SourceRow {
        spelling: Spelling::CredentialSource("Environment"),
        kind: "environment",
        variables: &[
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
        ],
        build: environment_source,
    },
    SourceRow {
        spelling: Spelling::CredentialSource("Ec2InstanceMetadata"),
        kind: "instance",
        variables: &[],
        build: |at| metadata::instance_source(at.profile, at.target, at.env).map(Source::Instance),
    },
    SourceRow {
        spelling: Spelling::CredentialSource("EcsContainer"),
        kind: "container",
        variables: &[],
        build: |at| metadata::container_source(at.profile, at.env).map(Source::Container),
    },
];

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
        profile: Some(profile.name().into()),
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

/// The `credential_source` values the table knows, for the error that names them:
/// "Environment, Ec2InstanceMetadata, EcsContainer".
pub(super) fn credential_source_names() -> String {
    let names: Vec<&str> = SOURCES
        .iter()
        .filter_map(|row| match row.spelling {
            Spelling::CredentialSource(name) => Some(name),
            Spelling::Keys(_) => None,
        })
        .collect();
    names.join(", ")
}

/// `credential_source = Environment`: the `AWS_*` key variables, read now.
fn environment_source(at: &Binding<'_>) -> Result<Source, ResolveError> {
    let (profile, env) = (at.profile, at.env);
    let var = |name| env(name).filter(|v: &String| !v.is_empty());
    match (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) {
        (Some(access_key_id), Some(secret)) => Ok(Source::Environment(StaticKeys {
            profile: None,
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
fn process_source(at: &Binding<'_>) -> Result<Source, ResolveError> {
    let (profile, key) = (at.profile, "credential_process");
    let command = profile.get(key).unwrap_or_default();
    let words = process::split(command).map_err(|error| ResolveError::InvalidValue {
        profile: profile.name().into(),
        key,
        location: profile.location(key),
        expected: format!("a command ({error})"),
    })?;
    Ok(Source::Process(CredentialProcess {
        profile: profile.name().into(),
        command: command.into(),
        program: words[0].clone(),
        timeout: process::timeout(at.env),
    }))
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

/// The variables that make a profile without credentials of its own a web identity root.
pub(super) const WEB_IDENTITY_VARIABLES: &[&str] = &[
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
];

/// `AWS_WEB_IDENTITY_TOKEN_FILE` and `AWS_ROLE_ARN` (with `AWS_ROLE_SESSION_NAME`), as the
/// SDKs' default chain uses them after the profile: only for the profile asked for, and only
/// when it holds no credentials of its own.
pub(super) fn web_identity_from_env(
    profile: &Profile,
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<Source> {
    if has_keys(profile) {
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

/// Whether a profile writes keys of its own (even incomplete ones, reported later).
pub(super) fn has_keys(profile: &Profile) -> bool {
    profile.get("aws_access_key_id").is_some() || profile.get("aws_secret_access_key").is_some()
}

#[cfg(test)]
mod tests;
