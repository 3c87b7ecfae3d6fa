//! Runs a plan: the newest usable cache entry along the chain, else the source credentials,
//! then each remaining step in turn. STS (its runtime, client and TLS roots) is touched only
//! when a step actually needs a call, so a cache hit is a file read.

use std::time::{Duration, SystemTime};

use crate::cache::{self, About, Cache, CacheError, EntryKind, Key};
use crate::credentials::Credentials;
use crate::mfa::{CodeSource, MfaError};
use crate::resolve::{Plan, Step};
use crate::sts::{Sts, StsError};
use crate::{log, time};

/// How much life a cached entry must have left to be used: AWS tools refresh role
/// credentials 15 minutes early; an MFA session is cheaper to keep a little longer.
const ROLE_MARGIN: Duration = Duration::from_secs(15 * 60);
const MFA_SESSION_MARGIN: Duration = Duration::from_secs(10 * 60);
/// STS's own default when a role names no duration.
const ROLE_DEFAULT_DURATION: u32 = 3600;

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("no MFA code")]
    Mfa(#[from] MfaError),
    #[error("GetSessionToken with MFA device {serial} failed")]
    MfaSession {
        serial: String,
        #[source]
        source: StsError,
    },
    #[error("assuming {role_arn} for profile '{profile}' failed")]
    AssumeRole {
        profile: String,
        role_arn: String,
        #[source]
        source: StsError,
    },
    #[error(transparent)]
    Sts(StsError),
}

/// Which cached entries may be used.
#[derive(Clone, Debug, Default)]
pub struct CachePolicy {
    /// Ignore cached role credentials (`--refresh`).
    pub refresh_roles: bool,
    /// Ignore cached MFA sessions too (`--refresh-mfa`).
    pub refresh_mfa: bool,
    /// Replaces both default margins (`--refresh-margin`).
    pub margin: Option<Duration>,
}

pub struct Fetched {
    pub credentials: Credentials,
    /// The final credentials came from the cache, without an STS call.
    pub cached: bool,
}

pub fn fetch(
    plan: &Plan,
    mfa: &mut CodeSource<'_>,
    cache: Option<&Cache>,
    policy: &CachePolicy,
) -> Result<Fetched, FetchError> {
    let steps = &plan.steps;
    let keys = cache.map(|_| cache::keys(plan)).unwrap_or_default();
    let cached = |i: usize, problems| {
        cache.and_then(|cache| usable(cache, &keys[i], &steps[i], policy, problems))
    };

    // Newest first: a fresh final entry means no prompt and no STS at all.
    let hit = (0..steps.len())
        .rev()
        .find_map(|i| cached(i, Problems::Ignore).map(|c| (i, c)));
    let (mut current, first) = match hit {
        Some((i, credentials)) => (credentials, i + 1),
        None => (plan.source.credentials().clone(), 0),
    };
    if first == steps.len() {
        return Ok(Fetched {
            credentials: current,
            cached: !steps.is_empty(),
        });
    }

    let mut sts: Option<Sts> = None;
    for (i, step) in steps.iter().enumerate().skip(first) {
        // Concurrent runs queue here; whoever comes second finds the first one's entry.
        let _lock = cache.and_then(|cache| warn_on_error(cache.lock(&keys[i])));
        if let Some(credentials) = cached(i, Problems::Warn) {
            current = credentials;
            continue;
        }
        let sts = match &mut sts {
            Some(sts) => sts,
            None => sts.insert(connect(plan)?),
        };
        current = call(sts, step, &current, mfa)?;
        if let Some(cache) = cache {
            let about = about(step, &current);
            warn_on_error(cache.store(&keys[i], &about, &current));
        }
    }
    Ok(Fetched {
        credentials: current,
        cached: false,
    })
}

fn connect(plan: &Plan) -> Result<Sts, FetchError> {
    log::debug(format_args!(
        "STS region {}, endpoint {}",
        plan.sts.region,
        plan.sts.endpoint.as_deref().unwrap_or("(AWS default)")
    ));
    Sts::new(&plan.sts).map_err(FetchError::Sts)
}

fn call(
    sts: &Sts,
    step: &Step,
    source: &Credentials,
    mfa: &mut CodeSource<'_>,
) -> Result<Credentials, FetchError> {
    match step {
        Step::MfaSession {
            serial, duration, ..
        } => {
            let code = mfa(serial)?;
            log::debug(format_args!("GetSessionToken for {serial}, {duration} s"));
            sts.session_token(source, *duration, Some((serial, &code)))
                .map_err(|source| FetchError::MfaSession {
                    serial: serial.clone(),
                    source,
                })
        }
        Step::AssumeRole(role) => {
            log::debug(format_args!(
                "AssumeRole {} as {} for profile '{}'",
                role.role_arn, role.session_name, role.profile
            ));
            sts.assume_role(source, role)
                .map_err(|source| FetchError::AssumeRole {
                    profile: role.profile.clone(),
                    role_arn: role.role_arn.clone(),
                    source,
                })
        }
    }
}

/// Whether a lookup reports a broken entry. The first pass only looks for the newest usable
/// entry; the pass under the lock is the one that replaces a broken entry, and says so once.
#[derive(Clone, Copy)]
enum Problems {
    Ignore,
    Warn,
}

/// The cached credentials for one step, if the policy allows them and enough life is left.
fn usable(
    cache: &Cache,
    key: &Key,
    step: &Step,
    policy: &CachePolicy,
    problems: Problems,
) -> Option<Credentials> {
    let (margin, lifetime, ignored) = match step {
        Step::MfaSession { duration, .. } => (MFA_SESSION_MARGIN, *duration, policy.refresh_mfa),
        Step::AssumeRole(role) => (
            ROLE_MARGIN,
            role.duration.unwrap_or(ROLE_DEFAULT_DURATION),
            policy.refresh_roles || policy.refresh_mfa,
        ),
    };
    if ignored {
        return None;
    }
    let loaded = match (cache.load(key), problems) {
        (Ok(loaded), _) => loaded,
        (Err(_), Problems::Ignore) => None,
        (Err(error), Problems::Warn) => warn_on_error(Err(error))?,
    };
    let (about, credentials) = loaded?;
    // Never demand more than half the lifetime, or short sessions would never be reused.
    let margin = policy
        .margin
        .unwrap_or(margin)
        .min(Duration::from_secs(u64::from(lifetime) / 2));
    let left = time::seconds_left(about.expiration);
    if left <= margin.as_secs() as i64 {
        log::debug(format_args!(
            "cache entry {} has {left} s left, under the {} s margin",
            key.as_str(),
            margin.as_secs()
        ));
        return None;
    }
    log::debug(format_args!("cache hit {} ({left} s left)", key.as_str()));
    Some(credentials)
}

fn about(step: &Step, credentials: &Credentials) -> About {
    let (profile, kind, subject) = match step {
        Step::MfaSession {
            profile, serial, ..
        } => (profile, EntryKind::MfaSession, serial),
        Step::AssumeRole(role) => (&role.profile, EntryKind::Role, &role.role_arn),
    };
    About {
        profile: profile.clone(),
        kind,
        subject: subject.clone(),
        expiration: credentials.expiration.unwrap_or_else(SystemTime::now),
    }
}

/// The cache helps but is never worth a failed login: problems become warnings.
fn warn_on_error<T>(result: Result<T, CacheError>) -> Option<T> {
    result
        .map_err(|error| log::warn(format_args!("{error}")))
        .ok()
}
