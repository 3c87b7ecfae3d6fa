//! The walk: from the profile asked for along `source_profile` links down to the profile
//! whose credentials start the chain, the way the AWS SDKs walk it. It reads only the files;
//! `plan` binds what it finds to the environment, and `rsume -l` shows what it finds, so
//! both answer from the same walk.

use super::sources::{SOURCES, SourceRow, Spelling, WEB_IDENTITY_VARIABLES, has_keys};
use super::{Kind, MAX_ROLE_HOPS, ResolveError, unknown_profile};
use crate::config::{Profile, ProfileSet};

/// A setting a run would use, and the profile that sets it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Inherited<'a> {
    pub value: &'a str,
    pub from: &'a str,
}

/// Where the chain starts, as the files say; the environment is read later, by `plan`.
#[derive(Clone, Copy, Debug)]
pub(super) enum Root<'a> {
    /// Keys written in this profile, reached as someone's source (or a role holding the
    /// keys that assume it).
    Keys(&'a Profile),
    /// `web_identity_token_file` with `role_arn`.
    WebIdentity(&'a Profile),
    /// A source of the table ([`SOURCES`]), named in this profile.
    Listed(&'a Profile, &'static SourceRow),
    /// The profile asked for names no source: the web identity variables, else its keys.
    Own(&'a Profile),
}

impl<'a> Root<'a> {
    pub(super) fn profile(self) -> &'a Profile {
        match self {
            Root::Keys(p) | Root::WebIdentity(p) | Root::Listed(p, _) | Root::Own(p) => p,
        }
    }
}

/// A walk that reached its root.
#[derive(Debug)]
pub(super) struct Walk<'a> {
    /// The profiles walked through, from the one asked for to the root's.
    pub profiles: Vec<&'a Profile>,
    /// The profiles that assume a role, with its ARN, from the one asked for down.
    pub roles: Vec<(&'a Profile, &'a str)>,
    pub root: Root<'a>,
}

impl<'a> Walk<'a> {
    /// The profile asked for.
    pub fn target(&self) -> &'a Profile {
        self.profiles[0]
    }

    /// `key` as a run sees it: the nearest profile along the walk that sets it.
    pub fn setting(&self, key: &str) -> Option<Inherited<'a>> {
        nearest(&self.profiles, key)
    }

    /// The word `-l` shows (docs/configuration.md): decided by the root and the roles, and
    /// for keys by the keys themselves (a session token makes them temporary).
    fn kind(&self) -> Kind {
        if !self.roles.is_empty() {
            return Kind::Role;
        }
        match self.root {
            Root::WebIdentity(_) => Kind::WebIdentity,
            Root::Listed(_, row) => Kind::Listed(row.kind),
            Root::Keys(profile) | Root::Own(profile) => {
                if profile.get("aws_access_key_id").is_none() {
                    Kind::Other
                } else if profile
                    .get("aws_session_token")
                    .is_some_and(|t| !t.is_empty())
                {
                    Kind::Session
                } else if self.setting("mfa_serial").is_some() {
                    Kind::Mfa
                } else {
                    Kind::Static
                }
            }
        }
    }
}

impl Walk<'_> {
    /// The variables a run reads for what the files leave open: the keys of
    /// `credential_source = Environment`, or, for the profile asked for when it holds no
    /// credentials of its own, the web identity variables that would make it that root.
    fn variables(&self) -> &'static [&'static str] {
        match self.root {
            Root::Listed(_, row) => row.variables,
            Root::Own(profile) if !has_keys(profile) => WEB_IDENTITY_VARIABLES,
            Root::Keys(_) | Root::WebIdentity(_) | Root::Own(_) => &[],
        }
    }
}

/// What `rsume -l` shows of a profile: the walk's kind and settings, or, for a walk that
/// fails, `other` with the error and the settings of the profiles it got through.
#[derive(Debug)]
pub struct Survey<'a> {
    pub kind: Kind,
    /// The variables its answers depend on (see [`Walk::variables`]); none for a failed walk.
    pub environment: &'static [&'static str],
    pub error: Option<ResolveError>,
    profiles: Vec<&'a Profile>,
}

impl<'a> Survey<'a> {
    /// `key` as a run of the profile would see it (see [`Walk::setting`]).
    pub fn setting(&self, key: &str) -> Option<Inherited<'a>> {
        nearest(&self.profiles, key)
    }

    /// The account a run's credentials belong to, as the files name it: the last role's
    /// (the nearest `role_arn`), else the SSO account; the plan's answer without the
    /// environment (`Plan::destination`).
    pub fn account(&self) -> Option<String> {
        match self.setting("role_arn") {
            Some(role) => super::answers::account_of(role.value),
            None => self.setting("sso_account_id").map(|id| id.value.to_owned()),
        }
    }
}

/// The walk of profile `name`, as `-l` and `mfa_process` read it.
pub fn survey<'a>(set: &'a ProfileSet, name: &str) -> Survey<'a> {
    match walk(set, name) {
        Ok(walk) => Survey {
            kind: walk.kind(),
            environment: walk.variables(),
            error: None,
            profiles: walk.profiles,
        },
        Err(stopped) => Survey {
            kind: Kind::Other,
            environment: &[],
            error: Some(stopped.error),
            profiles: stopped.profiles,
        },
    }
}

/// A walk that failed, with the profiles it went through first.
pub(super) struct Stopped<'a> {
    pub profiles: Vec<&'a Profile>,
    pub error: ResolveError,
}

/// Walks from `name` to the root. A profile reached as someone's source that has keys of
/// its own ends the walk, whatever else it says, as in the SDKs.
pub(super) fn walk<'a>(set: &'a ProfileSet, name: &str) -> Result<Walk<'a>, Box<Stopped<'a>>> {
    let mut profiles = Vec::new();
    let mut roles = Vec::new();
    match walk_into(set, name, &mut profiles, &mut roles) {
        Ok(root) => Ok(Walk {
            profiles,
            roles,
            root,
        }),
        Err(error) => Err(Box::new(Stopped { profiles, error })),
    }
}

fn walk_into<'a>(
    set: &'a ProfileSet,
    name: &str,
    visited: &mut Vec<&'a Profile>,
    roles: &mut Vec<(&'a Profile, &'a str)>,
) -> Result<Root<'a>, ResolveError> {
    let mut profile = set
        .profile(name)
        .ok_or_else(|| unknown_profile(set, name))?;
    loop {
        visited.push(profile);
        let is_target = visited.len() == 1;
        let has_keys = profile.get("aws_access_key_id").is_some();
        if !is_target && has_keys {
            return Ok(Root::Keys(profile));
        }
        if profile.get("web_identity_token_file").is_some() {
            if profile.get("role_arn").is_none() {
                return Err(ResolveError::WebIdentityWithoutRole {
                    profile: profile.name().into(),
                    location: profile.location("web_identity_token_file"),
                });
            }
            return Ok(Root::WebIdentity(profile));
        }
        let Some(role_arn) = profile.get("role_arn") else {
            if let Some(row) = (!has_keys).then(|| named_source(profile)).flatten() {
                return row.map(|row| Root::Listed(profile, row));
            }
            if !is_target {
                return Err(ResolveError::SourceWithoutCredentials {
                    profile: profile.name().into(),
                    user: visited[visited.len() - 2].name().into(),
                });
            }
            return Ok(Root::Own(profile));
        };
        if roles.len() == MAX_ROLE_HOPS {
            return Err(ResolveError::TooDeep {
                profile: name.into(),
                limit: MAX_ROLE_HOPS,
            });
        }
        roles.push((profile, role_arn));
        let source_profile = profile.get("source_profile");
        match (source_profile, profile.get("credential_source")) {
            (Some(_), Some(_)) => {
                return Err(ResolveError::TwoSources {
                    profile: profile.name().into(),
                });
            }
            (None, Some(value)) => {
                return credential_source(profile, value).map(|row| Root::Listed(profile, row));
            }
            (None, None) => {
                return Err(ResolveError::RoleWithoutSource {
                    profile: profile.name().into(),
                    location: profile.location("role_arn"),
                });
            }
            // A role profile may hold the keys that assume it.
            (Some(next), None) if next == profile.name() => return Ok(Root::Keys(profile)),
            (Some(next), None) => {
                if let Some(start) = visited.iter().position(|seen| seen.name() == next) {
                    let mut cycle: Vec<String> =
                        visited[start..].iter().map(|p| p.name().into()).collect();
                    cycle.push(next.into());
                    return Err(ResolveError::Cycle { cycle });
                }
                profile = set
                    .profile(next)
                    .ok_or_else(|| ResolveError::MissingSource {
                        profile: profile.name().into(),
                        source_profile: next.into(),
                        location: profile.location("source_profile"),
                    })?;
            }
        }
    }
}

/// The source a profile without keys or role names: the first row of the table whose keys
/// it sets, else its `credential_source`; `None` when it names none.
fn named_source(profile: &Profile) -> Option<Result<&'static SourceRow, ResolveError>> {
    let by_key = SOURCES.iter().find(|row| match row.spelling {
        Spelling::Keys(keys) => keys.iter().any(|key| profile.get(key).is_some()),
        Spelling::CredentialSource(_) => false,
    });
    match by_key {
        Some(row) => Some(Ok(row)),
        None => Some(credential_source(
            profile,
            profile.get("credential_source")?,
        )),
    }
}

/// The row for `credential_source = value` (any case, as aws-config reads it).
fn credential_source(profile: &Profile, value: &str) -> Result<&'static SourceRow, ResolveError> {
    SOURCES
        .iter()
        .find(|row| {
            matches!(row.spelling, Spelling::CredentialSource(name) if name.eq_ignore_ascii_case(value))
        })
        .ok_or_else(|| ResolveError::UnsupportedCredentialSource {
            profile: profile.name().into(),
            value: value.into(),
            location: profile.location("credential_source"),
        })
}

fn nearest<'a>(profiles: &[&'a Profile], key: &str) -> Option<Inherited<'a>> {
    profiles.iter().find_map(|p| {
        p.get(key).map(|value| Inherited {
            value,
            from: p.name(),
        })
    })
}

#[cfg(test)]
mod tests;
