//! From a profile name to a chain of providers: which credentials start it and which calls
//! turn them into the credentials the user asked for. Pure: reads the parsed files and the
//! environment, runs nothing. The walk (walk.rs) reads the files alone; [`plan`] binds what
//! it found to the environment. Only this module matches on a plan's [`Source`] and
//! [`Step`]: commands ask the [`Plan`] (answers.rs) and `-l` asks the walk ([`survey`]), so
//! every answer comes from the one walk a run takes; `vault` runs the chain a plan becomes.

mod adhoc;
mod answers;
mod duration;
mod endpoint;
mod error;
mod kind;
mod metadata;
mod network;
mod sources;
mod sso;
mod walk;

pub use crate::http::{ALLOW_HTTP_VARIABLE, http_allowed, may_send_to};
pub use adhoc::{AdHoc, adhoc_chain};
pub use answers::{Destination, MfaDevice, RootKeys};
use duration::{check_duration, session_duration};
pub use error::ResolveError;
pub use kind::Kind;
use sources::{static_source, web_identity_from_env, web_identity_source};
use walk::Root;
pub use walk::{Inherited, Survey, survey};

use std::path::PathBuf;
use std::time::Duration;

use crate::config::{Location, Profile, ProfileSet};
use crate::credentials::Credentials;
use crate::http::HttpSettings;
use crate::sts::{DEFAULT_ATTEMPT_TIMEOUT, StsTarget};
use crate::vault::{
    AssumeRole, Cached, Chain, Container, CredentialProcess, Instance, Provider,
    ROLE_DURATION_RANGE, Role, Session, SessionToken, Sso, SsoRole, StaticKeys, WebIdentity,
    WebIdentityOrigin, default_session_name,
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
/// Commands ask it questions (answers.rs); its source and steps are read only here.
#[derive(Debug)]
pub struct Plan {
    /// The profile the user asked for.
    pub profile: String,
    source: Source,
    /// Applied in order, each to the credentials the previous one produced.
    steps: Vec<Step>,
    /// The profile whose `mfa_serial` names the chain's device.
    mfa_from: Option<String>,
    /// The region to export, if any profile in the chain (or `--region`) names one.
    pub region: Option<String>,
    pub sts: StsTarget,
}

/// Where the chain starts.
#[derive(Debug)]
pub enum Source {
    /// Keys written in a profile.
    Static(StaticKeys),
    /// `credential_source = Environment`: the same provider, keys from the variables.
    Environment(StaticKeys),
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
            Source::Static(keys) | Source::Environment(keys) => Box::new(keys),
            Source::Process(process) => Box::new(Cached::root(Box::new(process))),
            Source::Sso(role) => Box::new(Cached::root(Box::new(Sso::new(role)))),
            Source::WebIdentity {
                role,
                token_file,
                origin,
            } => Box::new(Cached::root(Box::new(WebIdentity {
                role,
                token_file,
                origin,
                endpoint: endpoint.to_owned(),
            }))),
            Source::Instance(instance) => Box::new(Cached::root(Box::new(instance))),
            Source::Container(container) => Box::new(Cached::root(Box::new(container))),
        }
    }

    /// The keys, when they are known without running anything.
    pub fn credentials(&self) -> Option<&Credentials> {
        match self {
            Source::Static(StaticKeys { credentials, .. })
            | Source::Environment(StaticKeys { credentials, .. }) => Some(credentials),
            Source::Process(_)
            | Source::Sso(_)
            | Source::WebIdentity { .. }
            | Source::Instance(_)
            | Source::Container(_) => None,
        }
    }

    /// Whether GetSessionToken can be called with its credentials: only with long-term keys,
    /// as the keys themselves say ([`Credentials::is_long_term`]: no session token),
    /// whatever the source. Other roots send an MFA code with the AssumeRole above them.
    fn holds_long_term_keys(&self) -> bool {
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
    let account = plan.destination().account;
    let Plan {
        profile,
        source,
        steps,
        region,
        sts,
        ..
    } = plan;
    let endpoint = sts.endpoint.as_deref().unwrap_or("").to_owned();
    let root_keys = match &source {
        Source::Static(keys) => keys.profile.clone(),
        _ => None,
    };
    let mut provider = source.into_provider(&endpoint);
    for step in steps {
        let endpoint = endpoint.clone();
        provider = match step {
            Step::MfaSession(session) => Box::new(Cached::hop(SessionToken {
                session,
                endpoint,
                source: provider,
            })),
            Step::AssumeRole(role) => Box::new(Cached::hop(AssumeRole {
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
        account,
    }
}

/// The plan for profile `name`: the walk (files only), its root and roles bound to the
/// environment, the MFA session rsume puts in front of the roles, then where to call STS.
pub fn plan(
    set: &ProfileSet,
    name: &str,
    overrides: &Overrides,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Plan, ResolveError> {
    let walk = walk::walk(set, name).map_err(|stopped| stopped.error)?;
    let mut roles = walk
        .roles
        .iter()
        .map(|(profile, role_arn)| role_step(profile, role_arn))
        .collect::<Result<Vec<_>, _>>()?;
    roles.reverse();
    if let (Some(role), Some(seconds)) = (roles.last_mut(), overrides.role_duration) {
        role.duration = Some(check_duration(
            seconds,
            ROLE_DURATION_RANGE,
            "--role-duration",
            None,
        )?);
    }
    let source = bind_root(set, &walk, env)?;
    let mfa_from = walk.setting("mfa_serial").map(|mfa| mfa.from.to_owned());
    let steps = place_mfa(&walk, &source, roles, overrides)?;
    let region = overrides
        .region
        .clone()
        .or_else(|| walk.setting("region").map(|region| region.value.to_owned()));
    let (source, sts) = bind_network(
        set,
        &walk,
        source,
        &steps,
        region.as_deref(),
        overrides,
        env,
    )?;
    Ok(Plan {
        profile: name.into(),
        source,
        steps,
        mfa_from,
        region,
        sts,
    })
}

/// The root the walk found, built from the files and the environment.
fn bind_root(
    set: &ProfileSet,
    walk: &walk::Walk<'_>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Source, ResolveError> {
    match walk.root {
        Root::Keys(profile) => static_source(profile),
        Root::WebIdentity(profile) => web_identity_source(profile),
        Root::Listed(profile, row) => (row.build)(&sources::Binding {
            set,
            profile,
            target: walk.target(),
            env,
        }),
        Root::Own(profile) => match web_identity_from_env(profile, env) {
            Some(source) => Ok(source),
            None => static_source(profile),
        },
    }
}

/// Where the MFA code goes: a GetSessionToken session in front of the roles when the root
/// holds long-term keys (as the keys themselves say, whatever the source), else with the
/// role of the profile that names the device, else the first role above the root (none
/// when the root stands alone).
fn place_mfa(
    walk: &walk::Walk<'_>,
    source: &Source,
    mut roles: Vec<Role>,
    overrides: &Overrides,
) -> Result<Vec<Step>, ResolveError> {
    let mut steps = Vec::with_capacity(roles.len() + 1);
    if let Some(mfa) = walk.setting("mfa_serial") {
        refuse_security_key(walk, mfa)?;
        if source.holds_long_term_keys() {
            // The user whose keys make the call: its duration_seconds sets the session's.
            let user = match source {
                Source::Static(_) => Some(walk.root.profile()),
                _ => None,
            };
            steps.push(Step::MfaSession(Session {
                profile: user.map_or(walk.target().name(), Profile::name).into(),
                serial: mfa.value.into(),
                duration: session_duration(overrides, user)?,
            }));
        } else {
            let at = roles
                .iter()
                .position(|r| r.profile == mfa.from)
                .unwrap_or(0);
            if let Some(role) = roles.get_mut(at) {
                role.mfa_serial = Some(mfa.value.into());
            }
        }
    }
    steps.extend(roles.into_iter().map(Step::AssumeRole));
    Ok(steps)
}

/// A security key gives no codes, so no chain can use it: refused here, before any prompt
/// or call. A malformed serial goes on to STS, whose error names it.
fn refuse_security_key(
    walk: &walk::Walk<'_>,
    mfa: walk::Inherited<'_>,
) -> Result<(), ResolveError> {
    match crate::mfa::Serial::parse(mfa.value) {
        Ok(serial) if !serial.is_totp() => Err(ResolveError::SecurityKeySerial {
            profile: walk.target().name().into(),
            serial: mfa.value.into(),
            location: walk
                .profiles
                .iter()
                .find(|profile| profile.name() == mfa.from)
                .and_then(|profile| profile.location("mfa_serial")),
        }),
        _ => Ok(()),
    }
}

/// Where to call STS and through which proxies and CA roots: only a chain that calls out
/// needs them, and a root that calls an endpoint itself (SSO, IMDS, ECS, web identity)
/// counts as calling out. Web identity calls STS, so it uses them; the SSO portal gets a
/// copy; the instance and container metadata endpoints are reached without either.
fn bind_network(
    set: &ProfileSet,
    walk: &walk::Walk<'_>,
    source: Source,
    steps: &[Step],
    region: Option<&str>,
    overrides: &Overrides,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(Source, StsTarget), ResolveError> {
    let target = walk.target();
    let endpoint = endpoint::sts_endpoint(set, Some(target), env);
    let calls_sts = !steps.is_empty() || source.credentials().is_none();
    if let Some(endpoint) = endpoint.as_ref().filter(|_| calls_sts) {
        endpoint::check(endpoint, target.name(), http_allowed(env))?;
    }
    let http = if calls_sts {
        network::http_settings(Some(target), env)?
    } else {
        HttpSettings::default()
    };
    let sts = sts_target(region, endpoint, http, overrides, env);
    if calls_sts {
        check_region(&walk.profiles, overrides, &sts.region, env)?;
    }
    let source = match source {
        Source::Sso(role) => Source::Sso(SsoRole {
            http: sts.http.clone(),
            ..role
        }),
        other => other,
    };
    Ok((source, sts))
}

/// Checks the form of the region STS is called in, naming where it was set: `--region`, the
/// first profile of the walk that names one, else the variable.
fn check_region(
    walked: &[&Profile],
    overrides: &Overrides,
    region: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(), ResolveError> {
    let origin = if overrides.region.is_some() {
        "from --region".to_owned()
    } else if let Some(profile) = walked
        .iter()
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
    let duration = duration::role_duration(profile)?;
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
mod readers_tests;
#[cfg(test)]
mod root_tests;
#[cfg(test)]
mod tests;
