//! Providers: each one produces credentials, most by signing a call with the credentials of
//! the provider it wraps (its source), the way aws-vault composes its `vault/` providers.
//! `resolve` builds the chain from the profiles; [`get`] runs it. Every provider that fetches
//! is a [`Root`] (it fetches alone) or a [`Hop`] (it signs with its source's credentials) and
//! becomes a [`Provider`] only inside the [`Cached`] decorator, so nothing fetched escapes
//! the lock, the margins and the checks.

mod assume_role;
mod cached;
mod container;
mod instance;
mod metadata;
mod process;
mod session_token;
mod sso;
mod static_keys;
#[cfg(test)]
mod tests;
mod web_identity;

pub use assume_role::{
    AssumeRole, ROLE_DEFAULT_DURATION, ROLE_DURATION_RANGE, Role, default_session_name,
};
pub use cached::{CachePolicy, Cached, Fetch, Hop, Root, Spec};
pub use container::{Container, ContainerToken};
pub use instance::Instance;
pub use process::{CredentialProcess, ProcessOutputError};
pub use session_token::{SESSION_DURATION_DEFAULT, SESSION_DURATION_RANGE, Session, SessionToken};
pub use sso::{Sso, SsoRole};
pub use static_keys::StaticKeys;
pub use web_identity::{WebIdentity, WebIdentityOrigin};

use crate::cache::{self, Cache, EntryKind, Key};
use crate::credentials::{Credentials, Unusable};
use crate::mfa::{CodeSource, MfaError};
use crate::sts::{Sts, StsCalls, StsError, StsTarget};
use crate::{log, time};

/// Who a provider's credentials belong to, known without running it: a root's access key
/// id (it is in the file or the environment), or the cache key of a provider that fetches,
/// which is derived from its settings and its source's identity in turn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity(String);

impl Identity {
    pub fn access_key(access_key_id: &str) -> Identity {
        Identity(format!("akid:{access_key_id}"))
    }

    pub fn key(key: &Key) -> Identity {
        Identity(format!("key:{}", key.as_str()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A source of credentials.
pub trait Provider {
    fn identity(&self) -> Identity;
    /// The whole chain up to this provider in one line, for `--debug`: names and ARNs only.
    fn describe(&self) -> String;
    /// What its credentials are: `None` for long-term keys, which are never cached.
    fn kind(&self) -> Option<EntryKind>;
    fn retrieve(&self, run: &mut Run<'_, '_>) -> Result<Fetched, VaultError>;
}

pub struct Fetched {
    pub credentials: Credentials,
    /// The credentials came from the cache, without a call.
    pub cached: bool,
}

/// A profile's chain, ready to run.
pub struct Chain {
    /// The profile the user asked for.
    pub profile: String,
    pub provider: Box<dyn Provider>,
    /// The region to export, if any profile in the chain (or `--region`) names one.
    pub region: Option<String>,
    pub sts: StsTarget,
    /// The profile whose keys start the chain, when they are keys written in a file: `-o`
    /// never writes over them.
    pub root_keys: Option<String>,
    /// The account the credentials belong to, when the plan knows it without a call (the
    /// last role's ARN, the SSO account): exported as `AWS_ACCOUNT_ID`.
    pub account: Option<String>,
}

/// Gets the credentials of a chain: from the cache while they last (one file read, nothing
/// started, no network), else from the providers, asking `codes` for any MFA code. Every
/// command that needs credentials calls this; they differ only in what they do with them.
pub fn get(
    chain: &Chain,
    codes: &mut CodeSource<'_>,
    policy: &CachePolicy,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Fetched, VaultError> {
    log::debug(format_args!(
        "plan for '{}': {}",
        chain.profile,
        chain.provider.describe()
    ));
    // Long-term keys need no call, so nothing to cache.
    let cache = if policy.off || chain.provider.kind().is_none() {
        None
    } else {
        open_cache(env)
    };
    let target = &chain.sts;
    let mut run = Run {
        codes,
        cache: cache.as_ref(),
        policy,
        sts: None,
        runtime: None,
        connect: Some(Box::new(move || {
            log::debug(format_args!(
                "STS region {}, endpoint {}",
                target.region,
                target.endpoint.as_deref().unwrap_or("(AWS default)")
            ));
            Ok(Box::new(Sts::new(target)?))
        })),
    };
    chain.provider.retrieve(&mut run)
}

impl Chain {
    /// Whether the credentials are an IAM user's: its keys, or an MFA session of them (what
    /// the console cannot sign in with).
    pub fn ends_in_user(&self) -> bool {
        matches!(self.provider.kind(), None | Some(EntryKind::MfaSession))
    }

    /// "cached role credentials, valid until 13:07 (47 min)".
    pub fn summary(&self, fetched: &Fetched) -> String {
        let what = match self.provider.kind() {
            Some(EntryKind::Role) => "role credentials",
            Some(EntryKind::MfaSession) => "MFA session",
            Some(EntryKind::Process) => "credentials from credential_process",
            None if fetched.credentials.is_long_term() => {
                return "long-term keys, no expiry".into();
            }
            None => {
                return match fetched.credentials.expiration {
                    Some(at) => format!("temporary keys, valid until {}", time::until(at)),
                    None => "temporary keys, expiry unknown".into(),
                };
            }
        };
        let origin = if fetched.cached { "cached" } else { "new" };
        match fetched.credentials.expiration {
            Some(at) => format!("{origin} {what}, valid until {}", time::until(at)),
            None => format!("{origin} {what}"),
        }
    }
}

/// The cache directory, or none (with a warning) when it is unusable: a login never fails
/// because of the cache.
fn open_cache(env: &dyn Fn(&str) -> Option<String>) -> Option<Cache> {
    let dir = cache::default_dir(env)?;
    Cache::open(dir)
        .map_err(|error| log::warn(format_args!("{error}")))
        .ok()
}

type Connect<'r> = Box<dyn FnOnce() -> Result<Box<dyn StsCalls + 'r>, StsError> + 'r>;

/// What one run of a chain shares: where codes come from, the cache and its policy, and
/// STS, connected on the first call that needs it (a cache hit builds no runtime).
pub struct Run<'r, 'c> {
    codes: &'r mut CodeSource<'c>,
    cache: Option<&'r Cache>,
    policy: &'r CachePolicy,
    sts: Option<Box<dyn StsCalls + 'r>>,
    /// The one runtime (`sdk::runtime`), held from first use to the end of the run.
    runtime: Option<std::sync::Arc<tokio::runtime::Runtime>>,
    /// Taken by the first call: a failed connection ends the run.
    connect: Option<Connect<'r>>,
}

impl Run<'_, '_> {
    pub fn sts(&mut self) -> Result<&dyn StsCalls, VaultError> {
        if let Some(connect) = self.connect.take() {
            self.sts = Some(connect().map_err(VaultError::Sts)?);
        }
        Ok(self.sts.as_deref().expect("connected on first use"))
    }

    /// Seconds STS's clock is ahead of ours, from its last reply in this run.
    fn clock_offset(&self) -> Option<i64> {
        self.sts.as_deref()?.clock_offset()
    }

    /// The one runtime (`sdk::runtime`) for the providers, built on first use (a cache hit
    /// builds none) and shared with STS's client.
    pub fn runtime(&mut self) -> Result<&tokio::runtime::Runtime, VaultError> {
        if self.runtime.is_none() {
            let runtime = crate::sdk::runtime()
                .map_err(|source| VaultError::Sts(StsError::Runtime(source)))?;
            self.runtime = Some(runtime);
        }
        Ok(self.runtime.as_deref().expect("built above"))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
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
    #[error("STS returned credentials for {what} that rsume will not use")]
    Unusable {
        what: String,
        #[source]
        source: Unusable,
    },
    #[error("credential_process of profile '{profile}' failed")]
    Process {
        profile: String,
        #[source]
        source: ProcessOutputError,
    },
    #[error("profile '{profile}' has no valid SSO token ({problem}); run `{command}`")]
    SsoLogin {
        profile: String,
        problem: String,
        command: String,
    },
    #[error("getting SSO role credentials for profile '{profile}' failed: {problem}")]
    Sso { profile: String, problem: String },
    #[error(
        "cannot read the web identity token for profile '{profile}' from {file} ({setting}): {problem}"
    )]
    WebIdentityToken {
        profile: String,
        file: String,
        setting: &'static str,
        problem: String,
    },
    #[error("could not get credentials for profile '{profile}' from {service} at {url}: {problem}")]
    Metadata {
        profile: String,
        service: &'static str,
        url: String,
        problem: String,
    },
    #[error(
        "the temporary keys in profile '{profile}' expired at {at}; get new ones the way they were written (for a profile rsume wrote: rsume SOURCE -o {profile}, with the profile they came from)"
    )]
    KeysExpired { profile: String, at: String },
    #[error("could not start the async runtime")]
    Runtime(#[source] std::io::Error),
    #[error(transparent)]
    Sts(StsError),
    /// Said first, so the line names the device whose code STS refused and its kind.
    #[error("STS refused the code of {device}")]
    CodeRefused {
        device: String,
        #[source]
        source: Box<VaultError>,
    },
}

impl VaultError {
    /// AWS said the MFA code was wrong: worth asking a person for the next one.
    fn is_rejected_code(&self) -> bool {
        matches!(
            self,
            VaultError::MfaSession {
                source: StsError::MfaRejected,
                ..
            } | VaultError::AssumeRole {
                source: StsError::MfaRejected,
                ..
            } | VaultError::CodeRefused { .. }
        )
    }
}
