//! The cache as one decorator around any provider that fetches: it owns the lock, the
//! margins and the checks on what comes back. A fresh entry is served from one file read,
//! before the source is even looked at, so a cached role runs nothing and calls nobody.

use std::time::{Duration, SystemTime};

use super::{Fetched, Identity, Provider, Run, VaultError};
use crate::cache::{About, Cache, CacheError, EntryKind, Key};
use crate::credentials::Credentials;
use crate::mfa::MfaCode;
use crate::{log, time};

/// How much life a cached entry must have left to be used: AWS tools refresh role
/// credentials 15 minutes early; an MFA session is cheaper to keep a little longer.
const ROLE_MARGIN: Duration = Duration::from_secs(15 * 60);
const MFA_SESSION_MARGIN: Duration = Duration::from_secs(10 * 60);

/// A code AWS rejects is asked again this many times in all (at the terminal only).
const MFA_TRIES: u32 = 3;

/// Whether the cache is used, and which of its entries.
#[derive(Clone, Debug, Default)]
pub struct CachePolicy {
    /// Neither read nor write the cache (`--no-cache`).
    pub off: bool,
    /// Ignore cached role credentials (`--refresh`).
    pub refresh_roles: bool,
    /// Ignore cached MFA sessions too (`--refresh-mfa`).
    pub refresh_mfa: bool,
    /// Replaces both default margins (`--refresh-margin`).
    pub margin: Option<Duration>,
}

/// What a provider that fetches says about itself, all known without running it. It is a
/// [`Provider`] only inside [`Cached`], as a [`Root`] or a [`Hop`].
pub trait Fetch {
    /// Its cache key: its own settings and its source's identity, nothing that needs a run.
    fn key(&self) -> Key;
    fn spec(&self) -> Spec<'_>;
    /// This provider alone, for `--debug`.
    fn describe(&self) -> String;
}

/// A provider that fetches its credentials alone: a command, a token file, an endpoint.
pub trait Root: Fetch {
    /// One attempt; the result is checked and held to `spec().lifetime` by the decorator.
    fn fetch(&self, run: &mut Run<'_, '_>) -> Result<Credentials, VaultError>;
}

/// A call signed with the credentials of the provider it wraps (its source).
pub trait Hop: Fetch {
    fn source(&self) -> &dyn Provider;
    /// The MFA device whose code each attempt needs, if any.
    fn mfa_serial(&self) -> Option<&str>;
    /// One attempt with the source's credentials and the code, if `mfa_serial` names a
    /// device; checked and held to `spec().lifetime` by the decorator.
    fn fetch(
        &self,
        run: &mut Run<'_, '_>,
        source: &Credentials,
        code: Option<&MfaCode>,
    ) -> Result<Credentials, VaultError>;
}

/// What a fetching provider's cache entry says about itself.
pub struct Spec<'a> {
    pub kind: EntryKind,
    /// The profile whose settings define it (the user, for an MFA session).
    pub profile: &'a str,
    /// The role ARN or MFA device.
    pub subject: &'a str,
    /// The seconds it asks for.
    pub lifetime: u32,
}

impl Spec<'_> {
    /// What is fetched, as "waiting for another run that is fetching ..." puts it.
    fn purpose(&self) -> String {
        match self.kind {
            EntryKind::MfaSession => format!("an MFA session with {}", self.subject),
            EntryKind::Role => format!("role credentials for profile '{}'", self.profile),
            EntryKind::Process => format!("credential_process of profile '{}'", self.profile),
        }
    }

    /// What is fetched, for an error about the reply.
    fn what(&self) -> String {
        match self.kind {
            EntryKind::MfaSession => format!("the MFA session with {}", self.subject),
            EntryKind::Role => format!("{} (profile '{}')", self.subject, self.profile),
            EntryKind::Process => format!("credential_process of profile '{}'", self.profile),
        }
    }

    /// The margin the policy asks for and whether it ignores such entries altogether.
    fn margin(&self, policy: &CachePolicy) -> (Duration, bool) {
        match self.kind {
            EntryKind::MfaSession => (MFA_SESSION_MARGIN, policy.refresh_mfa),
            EntryKind::Role => (ROLE_MARGIN, policy.refresh_roles || policy.refresh_mfa),
            // A root, like the MFA session: only the flag that refreshes everything runs it again.
            EntryKind::Process => (ROLE_MARGIN, policy.refresh_mfa),
        }
    }
}

/// The cache decorator around a root or a hop. Without a cache (`--no-cache`) it still
/// checks every reply.
pub struct Cached(Fetcher);

enum Fetcher {
    Root(Box<dyn Root>),
    Hop(Box<dyn Hop>),
}

impl Cached {
    pub fn root(root: Box<dyn Root>) -> Cached {
        Cached(Fetcher::Root(root))
    }

    pub fn hop(hop: impl Hop + 'static) -> Cached {
        Cached(Fetcher::Hop(Box::new(hop)))
    }

    /// What it says about itself, root or hop.
    fn about(&self) -> &dyn Fetch {
        match &self.0 {
            Fetcher::Root(root) => root.as_ref(),
            Fetcher::Hop(hop) => hop.as_ref(),
        }
    }
}

/// What each attempt of a run needs: a hop's source credentials are fetched once, first.
enum Attempt<'a> {
    Root(&'a dyn Root),
    Hop {
        hop: &'a dyn Hop,
        source: Credentials,
    },
}

impl Attempt<'_> {
    /// The code this attempt sends, asked for now: only a hop that names a device sends one.
    fn code(&self, run: &mut Run<'_, '_>) -> Result<Option<MfaCode>, VaultError> {
        let Attempt::Hop { hop, .. } = self else {
            return Ok(None);
        };
        let Some(serial) = hop.mfa_serial() else {
            return Ok(None);
        };
        run.codes
            .code(serial)
            .map(Some)
            .map_err(|source| VaultError::Mfa {
                serial: serial.to_owned(),
                source,
            })
    }

    /// The device whose code was sent, described for the message after a refusal.
    fn device(&self) -> String {
        match self {
            Attempt::Hop { hop, .. } => hop.mfa_serial().map(crate::mfa::describe_device),
            Attempt::Root(_) => None,
        }
        .unwrap_or_else(|| "no MFA device".into())
    }

    fn fetch(
        &self,
        run: &mut Run<'_, '_>,
        code: Option<&MfaCode>,
    ) -> Result<Credentials, VaultError> {
        match self {
            Attempt::Root(root) => root.fetch(run),
            Attempt::Hop { hop, source } => hop.fetch(run, source, code),
        }
    }
}

impl Provider for Cached {
    fn identity(&self) -> Identity {
        Identity::key(&self.about().key())
    }

    fn describe(&self) -> String {
        match &self.0 {
            Fetcher::Hop(hop) => format!("{} -> {}", hop.source().describe(), hop.describe()),
            Fetcher::Root(root) => root.describe(),
        }
    }

    fn kind(&self) -> Option<EntryKind> {
        Some(self.about().spec().kind)
    }

    /// A code is asked for before the lock is taken, so nobody waits on a person typing (two
    /// terminals may both prompt); concurrent runs that need no prompt queue on the lock and
    /// make one call between them, the later ones served by the entry the first one wrote.
    fn retrieve(&self, run: &mut Run<'_, '_>) -> Result<Fetched, VaultError> {
        let key = self.about().key();
        let hit = |run: &Run, problems| self.usable(run, &key, problems).map(Fetched::from_cache);
        if let Some(hit) = hit(run, Problems::Ignore) {
            return Ok(hit);
        }
        let attempt = match &self.0 {
            Fetcher::Root(root) => Attempt::Root(root.as_ref()),
            Fetcher::Hop(hop) => Attempt::Hop {
                hop: hop.as_ref(),
                source: hop.source().retrieve(run)?.credentials,
            },
        };
        let mut tries = 0;
        loop {
            tries += 1;
            let code = attempt.code(run)?;
            let _lock = self.lock(run, &key);
            if let Some(hit) = hit(run, Problems::Warn) {
                return Ok(hit);
            }
            let asked_at = SystemTime::now();
            match attempt.fetch(run, code.as_ref()) {
                Ok(credentials) => return self.received(run, &key, credentials, asked_at),
                Err(error) if !error.is_rejected_code() => return Err(error),
                Err(error) => {
                    if tries == 1 {
                        warn_about_clock(run);
                    }
                    let device = attempt.device();
                    if !run.codes.can_ask_again() || tries >= MFA_TRIES {
                        return Err(VaultError::CodeRefused {
                            device,
                            source: Box::new(error),
                        });
                    }
                    if tries == 1 {
                        log::info(format_args!(
                            "AWS rejected the MFA code of {device}; wait for the next code and type it"
                        ));
                    } else {
                        log::warn(format_args!(
                            "AWS rejected the MFA code again; if it was typed right, the MFA device's clock may be off"
                        ));
                    }
                }
            }
        }
    }
}

impl Fetched {
    fn from_cache(credentials: Credentials) -> Fetched {
        Fetched {
            credentials,
            cached: true,
        }
    }
}

impl Cached {
    /// The per-entry lock, if there is a cache and it can be had.
    fn lock(&self, run: &Run, key: &Key) -> Option<std::fs::File> {
        let cache = run.cache?;
        warn_on_error(cache.lock(key, &self.about().spec().purpose())).flatten()
    }

    /// A reply checked, its expiry held to what was asked, then cached.
    fn received(
        &self,
        run: &Run,
        key: &Key,
        mut credentials: Credentials,
        asked_at: SystemTime,
    ) -> Result<Fetched, VaultError> {
        let spec = self.about().spec();
        credentials.check().map_err(|source| VaultError::Unusable {
            what: spec.what(),
            source,
        })?;
        // Long-term keys from a credential_process: used as they are, never cached.
        if spec.kind == EntryKind::Process && credentials.expiration.is_none() {
            return Ok(Fetched {
                credentials,
                cached: false,
            });
        }
        hold_to_requested(&mut credentials, asked_at, spec.lifetime);
        if let Some(cache) = run.cache {
            let about = About {
                profile: spec.profile.to_owned(),
                kind: spec.kind,
                subject: spec.subject.to_owned(),
                expiration: credentials.expiration.unwrap_or(asked_at),
                requested: Some(spec.lifetime),
            };
            warn_on_error(cache.store(key, &about, &credentials));
        }
        Ok(Fetched {
            credentials,
            cached: false,
        })
    }

    /// The cached credentials, if the policy allows them and enough life is left.
    fn usable(&self, run: &Run, key: &Key, problems: Problems) -> Option<Credentials> {
        let cache = run.cache?;
        let spec = self.about().spec();
        let (margin, ignored) = spec.margin(run.policy);
        if ignored {
            return None;
        }
        let (about, credentials) = load(cache, key, problems)?;
        // Never demand more than half the lifetime, or short sessions would never be reused.
        // The lifetime the entry was asked for: an MFA session serves runs asking other lengths.
        let lifetime = about.requested.unwrap_or(spec.lifetime);
        let margin = run
            .policy
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
}

/// Whether a lookup reports an entry it cannot use. A corrupt one is dropped and reported
/// by whichever pass meets it; one that is refused (a symlink, open to others) stays, and
/// only the pass under the lock says so, once.
#[derive(Clone, Copy)]
enum Problems {
    Ignore,
    Warn,
}

fn load(cache: &Cache, key: &Key, problems: Problems) -> Option<(About, Credentials)> {
    match (cache.load(key), problems) {
        (Ok(loaded), _) => loaded,
        // rsume's own file, unusable: dropped at once, so it is reported once.
        (Err(error @ CacheError::Corrupt { .. }), _) => {
            warn_on_error(cache.drop_entry(key));
            warn_on_error(Err(error))?
        }
        (Err(_), Problems::Ignore) => None,
        (Err(error), Problems::Warn) => warn_on_error(Err(error))?,
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

/// Says how far this computer's clock is from STS's, measured on the reply that rejected
/// the code, when it is off by more than the noise.
fn warn_about_clock(run: &Run) {
    let Some(note) = run.clock_offset().and_then(crate::sts::describe_offset) else {
        return;
    };
    log::warn(format_args!(
        "{note}; TOTP codes fail beyond about 30 s of skew, so set the clock (for example  timedatectl set-ntp true) and check the MFA device's"
    ));
}

/// The cache helps but is never worth a failed login: problems become warnings.
fn warn_on_error<T>(result: Result<T, CacheError>) -> Option<T> {
    result
        .map_err(|error| log::warn(format_args!("{error}")))
        .ok()
}
