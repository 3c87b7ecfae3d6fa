//! An aws-config credentials provider (the instance role's) run to completion on the run's
//! runtime within a bound, its answer turned into rsume's credentials, and its failure into
//! words that never carry a reply's body; and the cache entry both metadata roles make.

use std::time::Duration;

use aws_credential_types::Credentials as SdkCredentials;
use aws_credential_types::provider::ProvideCredentials;
use aws_credential_types::provider::error::CredentialsError;

use super::{ROLE_DEFAULT_DURATION, Run, Spec, VaultError};
use crate::cache::EntryKind;
use crate::credentials::{Credentials, Secret};

/// The most one metadata fetch may take, retries included: these endpoints are local to
/// the machine, so a longer wait means they are not there.
pub const METADATA_TIMEOUT: Duration = Duration::from_secs(10);
/// Per connection and per read, for the providers that take them.
pub const METADATA_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(2);

/// Which endpoint failed, for the message.
pub struct Endpoint<'a> {
    pub profile: &'a str,
    /// "the instance metadata service", "the container credentials endpoint".
    pub service: &'static str,
    pub url: &'a str,
    /// What the provider's "invalid configuration" means for this endpoint.
    pub invalid: &'static str,
}

/// Builds the provider on the run's runtime (aws-config's HTTP clients want one at hand)
/// and asks it once.
pub fn fetch<P: ProvideCredentials>(
    run: &mut Run<'_, '_>,
    endpoint: &Endpoint<'_>,
    build: impl FnOnce() -> Result<P, &'static str>,
) -> Result<Credentials, VaultError> {
    let failed = |problem: String| VaultError::Metadata {
        profile: endpoint.profile.to_owned(),
        service: endpoint.service,
        url: endpoint.url.to_owned(),
        problem,
    };
    crate::log::debug(format_args!(
        "asking {} at {} for credentials",
        endpoint.service, endpoint.url
    ));
    let runtime = run.runtime()?;
    let reply = runtime.block_on(async {
        let provider = build()?;
        Ok(tokio::time::timeout(METADATA_TIMEOUT, provider.provide_credentials()).await)
    });
    let reply = reply.map_err(|problem: &str| failed(problem.into()))?;
    match reply {
        Err(_) => Err(failed(format!(
            "no answer within {} s",
            METADATA_TIMEOUT.as_secs()
        ))),
        Ok(Err(error)) => Err(failed(problem(&error, endpoint.invalid))),
        Ok(Ok(credentials)) => Ok(convert(&credentials)),
    }
}

fn convert(credentials: &SdkCredentials) -> Credentials {
    Credentials {
        access_key_id: credentials.access_key_id().to_owned(),
        secret_access_key: Secret::new(credentials.secret_access_key()),
        session_token: credentials.session_token().map(Secret::new),
        expiration: credentials.expiry(),
    }
}

/// The failure in words of its kind, or the OS error when one is in the chain (a refused
/// connection says why): the providers' own texts may quote a reply, which may hold keys.
fn problem(error: &CredentialsError, invalid: &str) -> String {
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        if let Some(io) = inner.downcast_ref::<std::io::Error>() {
            return format!("no answer ({io})");
        }
        source = inner.source();
    }
    match error {
        CredentialsError::CredentialsNotLoaded(_) => "no credentials came back",
        CredentialsError::ProviderTimedOut(_) => "no answer in time",
        CredentialsError::InvalidConfiguration(_) => invalid,
        CredentialsError::ProviderError(_) => "it refused the request or answered with an error",
        _ => "its answer could not be used",
    }
    .to_owned()
}

/// A metadata role's cache entry: a role of `profile`, named `subject`, lasting what STS
/// gives a role by default (the services do not say how long they asked for).
pub fn role_spec<'a>(profile: &'a str, subject: &'static str) -> Spec<'a> {
    Spec {
        kind: EntryKind::Role,
        profile,
        subject,
        lifetime: ROLE_DEFAULT_DURATION,
    }
}
