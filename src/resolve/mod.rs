//! From a profile name to a chain of providers: which credentials start it and which calls
//! turn them into the credentials the user asked for. Pure: reads the parsed files and the
//! environment, runs nothing. This is the one place that reads a plan; `vault` runs the
//! chain it becomes.

mod adhoc;
mod endpoint;
mod error;
mod inherit;
mod kind;
mod metadata;
mod network;
mod sources;
mod sso;

pub use crate::http::{ALLOW_HTTP_VARIABLE, http_allowed, may_send_to};
pub use adhoc::{AdHoc, adhoc_chain};
pub use error::ResolveError;
pub use inherit::{Inherited, inherited};
pub use kind::{Kind, kind};
use sources::{process_source, static_source, web_identity_from_env, web_identity_source};
use sso::sso_source;

use std::path::PathBuf;
use std::time::Duration;

use crate::config::{Location, Profile, ProfileSet};
use crate::credentials::Credentials;
use crate::http::HttpSettings;
use crate::sts::{DEFAULT_ATTEMPT_TIMEOUT, StsTarget};
use crate::vault::{
    AssumeRole, Cached, Chain, Container, CredentialProcess, Environment, Instance, Provider,
    ROLE_DURATION_RANGE, Role, SESSION_DURATION_DEFAULT, SESSION_DURATION_RANGE, Session,
    SessionToken, Sso, SsoRole, StaticKeys, WebIdentity, WebIdentityOrigin, default_session_name,
};
/// Longer chains are almost surely a mistake, and each hop is a network round trip.
pub const MAX_ROLE_HOPS: usize = 10;

/// Settings from the command line that beat the files.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub region: Option<String>,
    pub session_duration: Option<u32>,
    pub role_duration: Option<u32>,
    /// Seconds per STS attempt.
    pub sts_timeout: Option<u32>,
}

/// Everything needed to produce the credentials for one profile, before it becomes a chain.
#[derive(Debug)]
pub struct Plan {
    /// The profile the user asked for.
    pub profile: String,
    pub source: Source,
    /// Applied in order, each to the credentials the previous one produced.
    pub steps: Vec<Step>,
    /// The region to export, if any profile in the chain (or `--region`) names one.
    pub region: Option<String>,
    pub sts: StsTarget,
}

/// Where the chain starts.
#[derive(Debug)]
pub enum Source {
    /// Keys written in a profile.
    Static(StaticKeys),
    /// `credential_source = Environment`.
    Environment(Environment),
    /// `credential_process`: known only once the command runs.
    Process(CredentialProcess),
    /// An IAM Identity Center role, fetched with the token `aws sso login` cached.
    Sso(SsoRole),
    /// `web_identity_token_file` with `role_arn`, or the `AWS_WEB_IDENTITY_TOKEN_FILE` and
    /// `AWS_ROLE_ARN` variables: AssumeRoleWithWebIdentity.
    WebIdentity {
        role: Role,
        token_file: PathBuf,
        origin: WebIdentityOrigin,
    },
    /// `credential_source = Ec2InstanceMetadata`.
    Instance(Instance),
    /// `credential_source = EcsContainer`.
    Container(Container),
}

impl Source {
    /// The provider that starts the chain; a source that fetches is cached like any step.
    pub fn into_provider(self, sts_endpoint: &str) -> Box<dyn Provider> {
        let endpoint = sts_endpoint;
        match self {
            Source::Static(keys) => Box::new(keys),
            Source::Environment(environment) => Box::new(environment),
            Source::Process(process) => Box::new(Cached(process)),
            Source::Sso(role) => Box::new(Cached(Sso::new(role))),
            Source::WebIdentity {
                role,
                token_file,
                origin,
            } => Box::new(Cached(WebIdentity {
                role,
                token_file,
                origin,
                endpoint: endpoint.to_owned(),
            })),
            Source::Instance(instance) => Box::new(Cached(instance)),
            Source::Container(container) => Box::new(Cached(container)),
        }
    }

    /// The keys, when they are known without running anything.
    pub fn credentials(&self) -> Option<&Credentials> {
        match self {
            Source::Static(StaticKeys { credentials, .. })
            | Source::Environment(Environment { credentials }) => Some(credentials),
            Source::Process(_)
            | Source::Sso(_)
            | Source::WebIdentity { .. }
            | Source::Instance(_)
            | Source::Container(_) => None,
        }
    }

    /// Whether GetSessionToken can be called with its credentials: only with long-term keys,
    /// as the keys themselves say ([`Credentials::is_long_term`]), whatever the source.
    /// Other roots send an MFA code with the AssumeRole above them instead.
    fn can_hold_mfa_session(&self) -> bool {
        self.credentials().is_some_and(Credentials::is_long_term)
    }
}

/// One call on the way from the source to the credentials asked for.
#[derive(Debug)]
pub enum Step {
    /// GetSessionToken with an MFA code, so one code serves every role of that user.
    MfaSession(Session),
    AssumeRole(Role),
}

/// The proxies and CA roots for a call that is not part of a chain (IAM for `rsume mfa`):
/// the environment's, and `ca_bundle` of `profile`.
pub fn network_settings(
    profile: Option<&Profile>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<HttpSettings, ResolveError> {
    network::http_settings(profile, env)
}

/// Builds the chain for profile `name`: the source, then each step wrapping the one before
/// in the cache decorator.
pub fn chain(
    set: &ProfileSet,
    name: &str,
    overrides: &Overrides,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Chain, ResolveError> {
    Ok(build(plan(set, name, overrides, env)?))
}

/// The chain a plan becomes: the source, then each step wrapping the one before in the
/// cache decorator.
fn build(plan: Plan) -> Chain {
    let Plan {
        profile,
        source,
        steps,
        region,
        sts,
    } = plan;
    let endpoint = sts.endpoint.as_deref().unwrap_or("").to_owned();
    let root_keys = match &source {
        Source::Static(keys) => Some(keys.profile.clone()),
        _ => None,
    };
    let mut provider = source.into_provider(&endpoint);
    for step in steps {
        let endpoint = endpoint.clone();
        provider = match step {
            Step::MfaSession(session) => Box::new(Cached(SessionToken {
                session,
                endpoint,
                source: provider,
            })),
            Step::AssumeRole(role) => Box::new(Cached(AssumeRole {
                role,
                endpoint,
                source: provider,
            })),
        };
    }
    Chain {
        profile,
        provider,
        region,
        sts,
        root_keys,
    }
}

/// Walks `source_profile` links from `name` down to the credentials that start the chain,
/// the way the AWS SDKs do, and adds the MFA session rsume puts in front of the roles.
pub fn plan(
    set: &ProfileSet,
    name: &str,
    overrides: &Overrides,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Plan, ResolveError> {
    let target = set
        .profile(name)
        .ok_or_else(|| unknown_profile(set, name))?;

    let mut roles: Vec<Role> = Vec::new();
    let mut visited: Vec<&str> = Vec::new();
    let mut mfa_serial: Option<&str> = None;
    // The profile that set `mfa_serial`, for a root that cannot have an MFA session.
    let mut mfa_profile: Option<&str> = None;
    let mut region = overrides.region.as_deref();
    let mut root_user: Option<&Profile> = None;
    let mut profile = target;

    let source = loop {
        visited.push(profile.name());
        if mfa_serial.is_none() {
            mfa_serial = profile.get("mfa_serial");
            mfa_profile = mfa_serial.map(|_| profile.name());
        }
        region = region.or(profile.get("region"));

        // A profile reached as someone's source that has keys of its own ends the walk.
        let is_target = visited.len() == 1;
        if inherit::holds_keys_as_source(profile, is_target) {
            root_user = Some(profile);
            break static_source(profile)?;
        }
        if profile.get("web_identity_token_file").is_some() {
            break web_identity_source(profile)?;
        }
        let Some(role_arn) = profile.get("role_arn") else {
            if let Some(source) = process_source(profile, env)? {
                break source;
            }
            if profile.get("aws_access_key_id").is_none()
                && let Some(source) = sso_source(set, profile, env)?
            {
                break source;
            }
            // `credential_source` alone names the root, as aws-config 1.13 reads it.
            if profile.get("aws_access_key_id").is_none()
                && let Some(value) = profile.get("credential_source")
            {
                break sources::credential_source(profile, target, value, env)?;
            }
            if !is_target {
                return Err(ResolveError::SourceWithoutCredentials {
                    profile: profile.name().into(),
                    user: visited[visited.len() - 2].into(),
                });
            }
            if let Some(source) = web_identity_from_env(profile, env) {
                break source;
            }
            root_user = Some(profile);
            break static_source(profile)?;
        };
        if roles.len() == MAX_ROLE_HOPS {
            return Err(ResolveError::TooDeep {
                profile: name.into(),
                limit: MAX_ROLE_HOPS,
            });
        }
        roles.push(role_step(profile, role_arn)?);

        // The link `inherited` follows too, so `-l` shows what this walk uses.
        if let Some(next) = inherit::next_source(profile, is_target) {
            if let Some(start) = visited.iter().position(|seen| *seen == next) {
                let mut cycle: Vec<String> =
                    visited[start..].iter().map(|s| s.to_string()).collect();
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
            continue;
        }
        let source_profile = profile.get("source_profile");
        let credential_source = profile.get("credential_source");
        match (source_profile, credential_source) {
            (Some(_), Some(_)) => {
                return Err(ResolveError::TwoSources {
                    profile: profile.name().into(),
                });
            }
            (None, Some(value)) => {
                break sources::credential_source(profile, target, value, env)?;
            }
            (None, None) => {
                return Err(ResolveError::RoleWithoutSource {
                    profile: profile.name().into(),
                    location: profile.location("role_arn"),
                });
            }
            (Some(_), None) => {
                // A role profile may hold the keys that assume it (the only link
                // `next_source` does not follow).
                root_user = Some(profile);
                break static_source(profile)?;
            }
        }
    };

    roles.reverse();
    if let (Some(role), Some(seconds)) = (roles.last_mut(), overrides.role_duration) {
        role.duration = Some(check_duration(
            seconds,
            ROLE_DURATION_RANGE,
            "--role-duration",
            None,
        )?);
    }
    let mut steps = Vec::with_capacity(roles.len() + 1);
    if let (false, Some(serial)) = (source.can_hold_mfa_session(), mfa_serial) {
        // These credentials cannot call GetSessionToken: the code goes to the role of the
        // profile that names the device, else the first role above the root (none when the
        // root stands alone).
        let at = roles
            .iter()
            .position(|r| Some(r.profile.as_str()) == mfa_profile)
            .unwrap_or(0);
        if let Some(role) = roles.get_mut(at) {
            role.mfa_serial = Some(serial.into());
        }
    } else if let Some(serial) = mfa_serial {
        let duration = session_duration(overrides, root_user)?;
        steps.push(Step::MfaSession(Session {
            profile: root_user.map_or(name, |user| user.name()).into(),
            serial: serial.into(),
            duration,
        }));
    }
    steps.extend(roles.into_iter().map(Step::AssumeRole));

    let endpoint = endpoint::sts_endpoint(set, Some(target), env);
    let calls_sts = !steps.is_empty() || source.credentials().is_none();
    if let Some(endpoint) = endpoint.as_ref().filter(|_| calls_sts) {
        endpoint::check(endpoint, name, http_allowed(env))?;
    }
    // Only a chain that calls out needs them; a root that calls an endpoint itself (SSO,
    // IMDS, ECS, web identity) counts as calling out too, and takes a copy from here.
    let http = if !calls_sts {
        HttpSettings::default()
    } else {
        network::http_settings(Some(target), env)?
    };
    let region = region.map(str::to_owned);
    let sts = sts_target(region.as_deref(), endpoint, http, overrides, env);
    if calls_sts {
        check_region(set, &visited, overrides, &sts.region, env)?;
    }
    // The SSO portal is reached through the same proxies and CA roots as STS.
    let source = match source {
        Source::Sso(role) => Source::Sso(SsoRole {
            http: sts.http.clone(),
            ..role
        }),
        other => other,
    };
    Ok(Plan {
        profile: name.into(),
        source,
        steps,
        region,
        sts,
    })
}

/// Checks the form of the region STS is called in, naming where it was set: `--region`, the
/// first profile of the walk that names one, else the variable.
fn check_region(
    set: &ProfileSet,
    walked: &[&str],
    overrides: &Overrides,
    region: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(), ResolveError> {
    let origin = if overrides.region.is_some() {
        "from --region".to_owned()
    } else if let Some(profile) = walked
        .iter()
        .filter_map(|name| set.profile(name))
        .find(|profile| profile.get("region").is_some())
    {
        match profile.location("region") {
            Some(location) => format!("region at {location}"),
            None => format!("region of profile '{}'", profile.name()),
        }
    } else if let Some((_, variable)) = crate::region::from_env(env) {
        format!("from {variable}")
    } else {
        return Ok(());
    };
    Ok(crate::region::check(region, &origin)?)
}

/// Where to call STS: the chain's region, else the environment's, else us-east-1.
fn sts_target(
    region: Option<&str>,
    endpoint: Option<crate::sts::Endpoint>,
    http: HttpSettings,
    overrides: &Overrides,
    env: &dyn Fn(&str) -> Option<String>,
) -> StsTarget {
    StsTarget {
        region: region
            .map(str::to_owned)
            .or_else(|| crate::region::from_env(env).map(|(region, _)| region))
            .unwrap_or_else(|| "us-east-1".into()),
        endpoint,
        attempt_timeout: overrides.sts_timeout.map_or(DEFAULT_ATTEMPT_TIMEOUT, |s| {
            Duration::from_secs(s.max(1).into())
        }),
        http,
    }
}

pub(super) fn role_step(profile: &Profile, role_arn: &str) -> Result<Role, ResolveError> {
    let duration = profile
        .get("duration_seconds")
        .map(|text| {
            let seconds = parse_seconds(text, profile, "duration_seconds")?;
            check_duration(
                seconds,
                ROLE_DURATION_RANGE,
                "duration_seconds",
                Some(profile),
            )
        })
        .transpose()?;
    Ok(Role {
        profile: profile.name().into(),
        role_arn: role_arn.into(),
        external_id: profile.get("external_id").map(str::to_owned),
        session_name: profile
            .get("role_session_name")
            .map(str::to_owned)
            .unwrap_or_else(|| default_session_name(profile.name())),
        duration,
        mfa_serial: None,
        scope: Default::default(),
    })
}

/// The MFA session's length: `--session-duration`, else the `duration_seconds` of the user
/// profile that holds the keys (the one making the call), else 12 hours.
fn session_duration(overrides: &Overrides, user: Option<&Profile>) -> Result<u32, ResolveError> {
    if let Some(seconds) = overrides.session_duration {
        return check_duration(seconds, SESSION_DURATION_RANGE, "--session-duration", None);
    }
    let Some(user) = user.filter(|u| u.get("role_arn").is_none()) else {
        return Ok(SESSION_DURATION_DEFAULT);
    };
    match user.get("duration_seconds") {
        Some(text) => {
            let seconds = parse_seconds(text, user, "duration_seconds")?;
            check_duration(
                seconds,
                SESSION_DURATION_RANGE,
                "duration_seconds",
                Some(user),
            )
        }
        None => Ok(SESSION_DURATION_DEFAULT),
    }
}

fn parse_seconds(text: &str, profile: &Profile, key: &'static str) -> Result<u32, ResolveError> {
    text.parse().map_err(|_| ResolveError::InvalidValue {
        profile: profile.name().into(),
        key,
        location: profile.location(key),
        expected: "a whole number of seconds".into(),
    })
}

fn check_duration(
    seconds: u32,
    (min, max): (u32, u32),
    key: &'static str,
    profile: Option<&Profile>,
) -> Result<u32, ResolveError> {
    if (min..=max).contains(&seconds) {
        return Ok(seconds);
    }
    let expected = format!("between {min} and {max} seconds");
    Err(match profile {
        Some(profile) => ResolveError::InvalidValue {
            profile: profile.name().into(),
            key,
            location: profile.location(key),
            expected,
        },
        None => ResolveError::InvalidFlag {
            flag: key,
            expected,
        },
    })
}

fn unknown_profile(set: &ProfileSet, name: &str) -> ResolveError {
    let mut scored: Vec<(f64, &str)> = set
        .profiles()
        .map(|p| (strsim::jaro_winkler(name, p.name()), p.name()))
        .filter(|(score, _)| *score > 0.8)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    ResolveError::UnknownProfile {
        name: name.into(),
        suggestions: scored.into_iter().take(3).map(|(_, n)| n.into()).collect(),
    }
}

/// Where a key was set, for messages; empty when unknown.
pub(crate) fn at(location: &Option<Location>) -> String {
    location
        .as_ref()
        .map(|l| format!(" ({l})"))
        .unwrap_or_default()
}

#[cfg(test)]
mod root_tests;
#[cfg(test)]
mod tests;
