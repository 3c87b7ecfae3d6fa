//! IAM Identity Center (SSO): role credentials from the SSO portal, paid for with the token
//! that `aws sso login` cached under `~/.aws/sso/cache`. aws-config reads that token and
//! refreshes it through SSO-OIDC when it is within 5 minutes of expiry (for an
//! `sso_session`), as the AWS SDKs do; the portal and SSO-OIDC endpoints follow
//! `AWS_ENDPOINT_URL_SSO` and `AWS_ENDPOINT_URL_SSO_OIDC`.

use std::error::Error as _;
use std::time::Duration;

use aws_config::Region;
use aws_config::provider_config::ProviderConfig;
use aws_config::sso::SsoCredentialsProvider;
use aws_config::timeout::TimeoutConfig;
use aws_credential_types::provider::ProvideCredentials;
use aws_credential_types::provider::error::{CredentialsError, TokenError};
use aws_sdk_sso::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sso::operation::get_role_credentials::GetRoleCredentialsError;

use super::{Fetch, Root, Run, Spec, VaultError};
use crate::cache::{EntryKind, Key};
use crate::credentials::{Credentials, Secret};
use crate::log;

/// The longest role session a permission set can grant: the portal's own expiry is kept.
const SSO_ROLE_MAX_SECONDS: u32 = 12 * 3600;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// A person waiting this long hears why.
const SLOW_NOTICE: Duration = Duration::from_secs(2);

/// What the portal is asked for, from the profile and its `[sso-session]`.
#[derive(Clone, Debug)]
pub struct SsoRole {
    /// The profile that names the account and role.
    pub profile: String,
    /// The `sso_session` name; `None` for the legacy form (`sso_start_url` in the profile).
    pub session: Option<String>,
    pub start_url: String,
    pub region: String,
    pub account_id: String,
    pub role_name: String,
    /// The portal endpoint override, if any: another portal is another entry.
    pub endpoint: String,
    /// Proxies and CA roots, as for STS (set by resolve from the chain's settings).
    pub http: crate::http::HttpSettings,
}

impl SsoRole {
    /// What `aws sso login` needs to write the token this role is fetched with.
    pub fn login_command(&self) -> String {
        match &self.session {
            Some(session) => format!("aws sso login --sso-session {session}"),
            None => format!("aws sso login --profile {}", self.profile),
        }
    }

    /// `sso ROLE in ACCOUNT`, the entry's subject.
    fn subject(&self) -> String {
        format!("sso {} in {}", self.role_name, self.account_id)
    }
}

pub struct Sso {
    pub role: SsoRole,
    subject: String,
}

impl Sso {
    pub fn new(role: SsoRole) -> Sso {
        let subject = role.subject();
        Sso { role, subject }
    }
}

impl Fetch for Sso {
    /// The settings that pick the role, never the token: a cached entry is found without
    /// reading the token file, and a new login does not orphan it.
    fn key(&self) -> Key {
        let role = &self.role;
        Key::derive(&[
            "sso",
            role.session.as_deref().unwrap_or(""),
            &role.start_url,
            &role.region,
            &role.account_id,
            &role.role_name,
            &role.endpoint,
        ])
    }

    fn spec(&self) -> Spec<'_> {
        Spec {
            kind: EntryKind::Role,
            profile: &self.role.profile,
            subject: &self.subject,
            lifetime: SSO_ROLE_MAX_SECONDS,
        }
    }

    fn describe(&self) -> String {
        let via = match &self.role.session {
            Some(session) => format!("sso-session '{session}'"),
            None => self.role.start_url.clone(),
        };
        format!(
            "SSO role {} in {} via {via}",
            self.role.role_name, self.role.account_id
        )
    }
}

impl Root for Sso {
    fn fetch(&self, run: &mut Run<'_, '_>) -> Result<Credentials, VaultError> {
        let role = &self.role;
        log::debug(format_args!(
            "GetRoleCredentials {} in {} (SSO region {})",
            role.role_name, role.account_id, role.region
        ));
        check_token_file(role)?;
        let http = crate::http::client(&role.http).map_err(|error| VaultError::Sso {
            profile: role.profile.clone(),
            problem: error.to_string(),
        })?;
        let runtime = run.runtime()?;
        let reply = runtime.block_on(async {
            let config = ProviderConfig::without_region()
                .with_http_client(http)
                .with_timeout_config(
                    TimeoutConfig::builder()
                        .connect_timeout(CONNECT_TIMEOUT)
                        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                        .build(),
                );
            // Every field `build` insists on is set here; resolve checked each one.
            let mut builder = SsoCredentialsProvider::builder()
                .configure(&config)
                .start_url(&role.start_url)
                .region(Region::new(role.region.clone()))
                .account_id(&role.account_id)
                .role_name(&role.role_name);
            builder.set_session_name(role.session.clone());
            let provider = builder.build();
            let mut reply = std::pin::pin!(provider.provide_credentials());
            match tokio::time::timeout(SLOW_NOTICE, &mut reply).await {
                Ok(reply) => reply,
                Err(_) => {
                    log::info(format_args!(
                        "the SSO portal has not answered after {} s; still waiting",
                        SLOW_NOTICE.as_secs()
                    ));
                    reply.await
                }
            }
        });
        let reply = reply.map_err(|error| self.failure(&error))?;
        Ok(Credentials {
            access_key_id: reply.access_key_id().to_owned(),
            secret_access_key: Secret::new(reply.secret_access_key()),
            session_token: reply.session_token().map(Secret::new),
            expiration: reply.expiry(),
        })
    }
}

impl Sso {
    /// Sorts a failure: no usable token (missing, expired, refused by the portal) asks for
    /// `aws sso login`; anything else says what the portal or the network did.
    fn failure(&self, error: &CredentialsError) -> VaultError {
        let role = &self.role;
        let login = |problem: String| VaultError::SsoLogin {
            profile: role.profile.clone(),
            problem,
            command: role.login_command(),
        };
        let other = |problem: String| VaultError::Sso {
            profile: role.profile.clone(),
            problem,
        };
        let source = match error {
            CredentialsError::ProviderError(_) => error.source(),
            _ => None,
        };
        let Some(source) = source else {
            return other(chain(error));
        };
        let Some(portal) = source.downcast_ref::<SdkError<GetRoleCredentialsError>>() else {
            // Not the portal's answer: the token could not be loaded or is expired. The
            // token provider's own wrapper says nothing more than that.
            let token = source.downcast_ref::<TokenError>().and_then(|e| e.source());
            return login(chain(token.unwrap_or(source)));
        };
        log::debug(format_args!("SSO portal error: {}", chain(portal)));
        match portal {
            SdkError::ServiceError(service) if service.err().is_unauthorized_exception() => {
                login("the SSO portal refused the cached token".into())
            }
            SdkError::ServiceError(service) => other(format!(
                "the SSO portal failed with {}: {}",
                service.err().code().unwrap_or("an unknown error"),
                service.err().message().unwrap_or("")
            )),
            SdkError::TimeoutError(_) => other("the SSO portal did not answer in time".into()),
            _ => other(format!(
                "could not reach the SSO portal ({}); check the network or AWS_ENDPOINT_URL_SSO",
                chain(portal)
            )),
        }
    }
}

/// aws-config reads the token `aws sso login` cached whole, from wherever the name points:
/// the same file is read first through the one bounded reader, so a FIFO or a device there
/// fails at once, naming the file. A missing file is left to aws-config, which says so.
fn check_token_file(role: &SsoRole) -> Result<(), VaultError> {
    use sha1::Digest;
    // aws-config's own rule: `HOME`, and the token named by the session, else the start URL.
    let Some(home) = std::env::var_os("HOME") else {
        return Ok(());
    };
    let identifier = role.session.as_deref().unwrap_or(&role.start_url);
    let name = hex::encode(sha1::Sha1::digest(identifier.as_bytes()));
    let file = std::path::Path::new(&home)
        .join(".aws/sso/cache")
        .join(format!("{name}.json"));
    match crate::fs::read(&file, crate::fs::Contents::CacheEntry) {
        Err(error) if !error.is_not_found() => Err(VaultError::Sso {
            profile: role.profile.clone(),
            problem: format!("the cached SSO token: {error}"),
        }),
        _ => Ok(()),
    }
}

/// An error and its causes in one line; none of these carries the token.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![error.to_string()];
    let mut next = error.source();
    while let Some(cause) = next {
        let text = cause.to_string();
        if !parts.iter().any(|part| part.contains(&text)) {
            parts.push(text);
        }
        next = cause.source();
    }
    parts.join(": ")
}
