//! Runs a plan: the newest usable cache entry along the chain, else the source credentials,
//! then each remaining step in turn. STS (its runtime, client and TLS roots) is touched only
//! when a step actually needs a call, so a cache hit is a file read.

use std::time::{Duration, SystemTime};

use crate::cache::{self, About, Cache, CacheError, EntryKind, Key};
use crate::credentials::{Credentials, Unusable};
use crate::mfa::{CodeSource, MfaCode, MfaError};
use crate::resolve::{Plan, Step};
use crate::sts::{Sts, StsError};
use crate::{log, time};

/// How much life a cached entry must have left to be used: AWS tools refresh role
/// credentials 15 minutes early; an MFA session is cheaper to keep a little longer.
const ROLE_MARGIN: Duration = Duration::from_secs(15 * 60);
const MFA_SESSION_MARGIN: Duration = Duration::from_secs(10 * 60);
/// STS's own default when a role names no duration.
const ROLE_DEFAULT_DURATION: u32 = 3600;

/// A code AWS rejects is asked again this many times in all (at the terminal only).
const MFA_TRIES: u32 = 3;

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("no MFA code for {serial}")]
    Mfa {
        serial: String,
        #[source]
        source: MfaError,
    },
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
    #[error("STS returned credentials for {step} that rsume will not use")]
    Unusable {
        step: String,
        #[source]
        source: Unusable,
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
    let mut run = Run {
        plan,
        cache,
        keys: cache.map(|_| cache::keys(plan)).unwrap_or_default(),
        policy,
        mfa,
        sts: None,
    };
    let steps = &plan.steps;

    // Newest first: a fresh final entry means no prompt and no STS at all.
    let hit = (0..steps.len())
        .rev()
        .find_map(|i| run.cached(i, Problems::Ignore).map(|c| (i, c)));
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
    for i in first..steps.len() {
        current = run.step(i, &current)?;
    }
    Ok(Fetched {
        credentials: current,
        cached: false,
    })
}

/// One fetch in progress: the STS client is built on the first call that needs it.
struct Run<'r, 'c> {
    plan: &'r Plan,
    cache: Option<&'r Cache>,
    keys: Vec<Key>,
    policy: &'r CachePolicy,
    mfa: &'r mut CodeSource<'c>,
    sts: Option<Sts>,
}

impl Run<'_, '_> {
    fn cached(&self, i: usize, problems: Problems) -> Option<Credentials> {
        let cache = self.cache?;
        usable(
            cache,
            &self.keys[i],
            &self.plan.steps[i],
            self.policy,
            problems,
        )
    }

    /// The credentials of step `i`, from the cache if another run stored them meanwhile,
    /// else from STS. A code is asked for before the lock is taken, so nobody waits on a
    /// person typing (two terminals may both prompt); concurrent runs that need no prompt
    /// queue on the lock and make one STS call between them.
    fn step(&mut self, i: usize, source: &Credentials) -> Result<Credentials, FetchError> {
        let step = &self.plan.steps[i];
        let mut tries = 0;
        loop {
            tries += 1;
            let code = match step {
                Step::MfaSession { serial, .. } => {
                    Some(self.mfa.code(serial).map_err(|source| FetchError::Mfa {
                        serial: serial.clone(),
                        source,
                    })?)
                }
                Step::AssumeRole(_) => None,
            };
            let _lock = self.lock(i);
            if let Some(credentials) = self.cached(i, Problems::Warn) {
                return Ok(credentials);
            }
            let fetched = self.call(i, source, code.as_ref());
            let rejected = matches!(
                fetched,
                Err(FetchError::MfaSession {
                    source: StsError::MfaRejected,
                    ..
                })
            );
            if !rejected || !self.mfa.can_ask_again() || tries == MFA_TRIES {
                return fetched;
            }
            if tries == 1 {
                log::info(format_args!(
                    "AWS rejected the MFA code; wait for the next code and type it"
                ));
            } else {
                log::warn(format_args!(
                    "AWS rejected the MFA code again; if it was typed right, the MFA device's clock may be off"
                ));
            }
        }
    }

    /// The per-entry lock, if there is a cache and it can be had.
    fn lock(&self, i: usize) -> Option<std::fs::File> {
        let cache = self.cache?;
        let purpose = match &self.plan.steps[i] {
            Step::MfaSession { serial, .. } => format!("an MFA session with {serial}"),
            Step::AssumeRole(role) => format!("role credentials for profile '{}'", role.profile),
        };
        warn_on_error(cache.lock(&self.keys[i], &purpose)).flatten()
    }

    /// One STS call for step `i`, its reply checked, its expiry held to what was asked,
    /// then cached.
    fn call(
        &mut self,
        i: usize,
        source: &Credentials,
        code: Option<&MfaCode>,
    ) -> Result<Credentials, FetchError> {
        let plan = self.plan;
        let step = &plan.steps[i];
        let sts = match &mut self.sts {
            Some(sts) => sts,
            None => self.sts.insert(connect(plan)?),
        };
        let asked_at = SystemTime::now();
        let mut credentials = match step {
            Step::MfaSession {
                serial, duration, ..
            } => {
                log::debug(format_args!("GetSessionToken for {serial}, {duration} s"));
                let mfa = code.map(|code| (serial.as_str(), code));
                sts.session_token(source, *duration, mfa)
                    .map_err(|source| FetchError::MfaSession {
                        serial: serial.clone(),
                        source,
                    })?
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
                    })?
            }
        };
        credentials.check().map_err(|source| FetchError::Unusable {
            step: describe(step),
            source,
        })?;
        hold_to_requested(&mut credentials, asked_at, lifetime(step));
        if let Some(cache) = self.cache {
            let about = about(step, &credentials, asked_at);
            warn_on_error(cache.store(&self.keys[i], &about, &credentials));
        }
        Ok(credentials)
    }
}

fn connect(plan: &Plan) -> Result<Sts, FetchError> {
    log::debug(format_args!(
        "STS region {}, endpoint {}",
        plan.sts.region,
        plan.sts.endpoint.as_deref().unwrap_or("(AWS default)")
    ));
    Sts::new(&plan.sts).map_err(FetchError::Sts)
}

/// What a step fetches, for messages.
fn describe(step: &Step) -> String {
    match step {
        Step::MfaSession { serial, .. } => format!("the MFA session with {serial}"),
        Step::AssumeRole(role) => format!("{} (profile '{}')", role.role_arn, role.profile),
    }
}

/// The seconds a step asks STS for.
fn lifetime(step: &Step) -> u32 {
    match step {
        Step::MfaSession { duration, .. } => *duration,
        Step::AssumeRole(role) => role.duration.unwrap_or(ROLE_DEFAULT_DURATION),
    }
}

/// No entry outlives what was asked for, whatever expiry the reply claims: a reply from a
/// hostile endpoint saying "valid until 2099" must not be served for years.
fn hold_to_requested(credentials: &mut Credentials, asked_at: SystemTime, seconds: u32) {
    let latest = asked_at + Duration::from_secs(seconds.into());
    let claimed = credentials.expiration.unwrap_or(latest);
    if claimed > latest {
        log::debug(format_args!(
            "the reply's expiry {} is later than the {seconds} s asked for; using {}",
            time::rfc3339(claimed),
            time::rfc3339(latest)
        ));
    }
    credentials.expiration = Some(claimed.min(latest));
}

/// Whether a lookup reports an entry it cannot use. A corrupt one is dropped and reported
/// by whichever pass meets it; one that is refused (a symlink, open to others) stays, and
/// only the pass under the lock says so, once.
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
    let (margin, ignored) = match step {
        Step::MfaSession { .. } => (MFA_SESSION_MARGIN, policy.refresh_mfa),
        Step::AssumeRole(_) => (ROLE_MARGIN, policy.refresh_roles || policy.refresh_mfa),
    };
    if ignored {
        return None;
    }
    let loaded = match (cache.load(key), problems) {
        (Ok(loaded), _) => loaded,
        // rsume's own file, unusable: dropped at once, so it is reported once.
        (Err(error @ CacheError::Corrupt { .. }), _) => {
            warn_on_error(cache.drop_entry(key));
            warn_on_error(Err(error))?
        }
        (Err(_), Problems::Ignore) => None,
        (Err(error), Problems::Warn) => warn_on_error(Err(error))?,
    };
    let (about, credentials) = loaded?;
    // Never demand more than half the lifetime, or short sessions would never be reused.
    // The lifetime the entry was asked for: an MFA session serves runs asking other lengths.
    let lifetime = about.requested.unwrap_or(lifetime(step));
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

fn about(step: &Step, credentials: &Credentials, asked_at: SystemTime) -> About {
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
        expiration: credentials.expiration.unwrap_or(asked_at),
        requested: Some(lifetime(step)),
    }
}

/// The cache helps but is never worth a failed login: problems become warnings.
fn warn_on_error<T>(result: Result<T, CacheError>) -> Option<T> {
    result
        .map_err(|error| log::warn(format_args!("{error}")))
        .ok()
}
