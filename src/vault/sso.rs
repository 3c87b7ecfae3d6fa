//! IAM Identity Center (SSO): role credentials from the SSO portal, paid for with the token
//! that `aws sso login` cached under `~/.aws/sso/cache` ([`token`]), refreshed through SSO
//! OIDC when it is within 5 minutes of expiry (for an `sso_session`), as the AWS SDKs do.
//! Both are called with clients of the one factory (`sdk`): the user's proxies and CA roots,
//! the plain-HTTP rule, the bounds on a call; the endpoints follow `AWS_ENDPOINT_URL_SSO`
//! and `AWS_ENDPOINT_URL_SSO_OIDC` (chosen and checked by resolve).

mod token;

use std::path::Path;
use std::time::SystemTime;

use aws_sdk_sso::error::SdkError;
use aws_sdk_sso::operation::get_role_credentials::GetRoleCredentialsError;
use aws_sdk_sso::types::RoleCredentials;
use aws_smithy_types::DateTime;
use tokio::runtime::Runtime;

use self::token::{CachedToken, Next, Problem, Renewed};
use super::{Fetch, Root, Run, Spec, VaultError};
use crate::cache::{EntryKind, Key};
use crate::credentials::{Credentials, Secret};
use crate::log;
use crate::sdk::{self, Failure, ServiceConfig};

/// The longest role session a permission set can grant: the portal's own expiry is kept.
const SSO_ROLE_MAX_SECONDS: u32 = 12 * 3600;

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
    /// SSO OIDC's endpoint override, for a session's refresh.
    pub oidc_endpoint: Option<String>,
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
        let access_token = self.token(run)?;
        let runtime = run.runtime()?;
        log::debug(format_args!(
            "GetRoleCredentials {} in {} (SSO region {})",
            role.role_name, role.account_id, role.region
        ));
        let portal = (!role.endpoint.is_empty()).then_some(role.endpoint.as_str());
        let config = self.config::<aws_sdk_sso::config::Builder>(portal)?;
        let client = sdk::build(runtime, || aws_sdk_sso::Client::from_conf(config.build()));
        let request = client
            .get_role_credentials()
            .role_name(&role.role_name)
            .account_id(&role.account_id)
            .access_token(access_token.expose())
            .send();
        let reply = sdk::wait(runtime, request, || {
            log::info(format_args!(
                "the SSO portal has not answered after {} s; still waiting",
                sdk::SLOW_NOTICE.as_secs()
            ))
        })
        .map_err(|error| self.portal_failure(&error))?;
        credentials(reply.role_credentials()).ok_or_else(|| {
            self.other("the SSO portal's reply holds no complete credentials".into())
        })
    }
}

impl Sso {
    /// The cached token, refreshed first when a session's token is about to expire (the
    /// only case that needs the runtime before the portal's call).
    fn token(&self, run: &mut Run<'_, '_>) -> Result<Secret, VaultError> {
        let role = &self.role;
        // aws-config's rule: `HOME`, and the file named by the session, else the start URL.
        let Some(home) = std::env::var_os("HOME") else {
            return Err(self.login("HOME is not set, so the cached token cannot be found".into()));
        };
        let identifier = role.session.as_deref().unwrap_or(&role.start_url);
        let cached =
            CachedToken::load(&token::path(Path::new(&home), identifier)).map_err(|problem| {
                match problem {
                    Problem::Login(problem) => self.login(problem),
                    Problem::Other(problem) => self.other(problem),
                }
            })?;
        let now = SystemTime::now();
        match cached.next(now, role.session.is_some()) {
            Next::Use => Ok(cached.access_token),
            Next::Expired => {
                Err(self.login("the SSO token has expired and cannot be refreshed".into()))
            }
            Next::Refresh => Ok(self.refresh(run.runtime()?, cached, now)?.access_token),
        }
    }

    /// CreateToken with the refresh token, and the renewed token written back. A refresh
    /// that fails leaves the token as it was, as in the SDKs: the portal then says whether
    /// it still works.
    fn refresh(
        &self,
        runtime: &Runtime,
        cached: CachedToken,
        now: SystemTime,
    ) -> Result<CachedToken, VaultError> {
        let role = &self.role;
        let Some(registration) = cached.registration() else {
            return Ok(cached);
        };
        let config =
            self.config::<aws_sdk_ssooidc::config::Builder>(role.oidc_endpoint.as_deref())?;
        let client = sdk::build(runtime, || {
            aws_sdk_ssooidc::Client::from_conf(config.build())
        });
        let request = client
            .create_token()
            .grant_type("refresh_token")
            .client_id(&registration.client_id)
            .client_secret(registration.client_secret.expose())
            .refresh_token(registration.refresh_token.expose())
            .send();
        log::debug(format_args!(
            "refreshing the SSO token of sso-session '{}' through SSO OIDC",
            role.session.as_deref().unwrap_or_default()
        ));
        let reply = sdk::wait(runtime, request, || {
            log::info(format_args!(
                "SSO OIDC has not answered after {} s; still waiting",
                sdk::SLOW_NOTICE.as_secs()
            ))
        });
        let renewed = match reply {
            Ok(reply) => match reply.access_token() {
                Some(token) => Renewed {
                    access_token: Secret::new(token),
                    expires_in: reply.expires_in(),
                    refresh_token: reply.refresh_token().map(Secret::new),
                },
                None => {
                    log::debug(format_args!("SSO OIDC answered without a token"));
                    return Ok(cached);
                }
            },
            Err(error) => {
                // Sorting it says on --debug what happened.
                Failure::of("SSO OIDC", &error);
                return Ok(cached);
            }
        };
        let renewed = cached
            .renewed(renewed, now, &role.region, &role.start_url)
            .ok_or_else(|| self.other("SSO OIDC answered with a negative expiry".into()))?;
        match renewed.save() {
            Ok(()) => log::debug(format_args!("saved the refreshed SSO token")),
            Err(problem) => log::warn(format_args!(
                "the refreshed SSO token is used but not saved: {problem}"
            )),
        }
        Ok(renewed)
    }

    /// A client config from the one factory, in the SSO region.
    fn config<B: ServiceConfig>(&self, endpoint: Option<&str>) -> Result<B, VaultError> {
        sdk::config::<B>(&sdk::Target {
            region: &self.role.region,
            endpoint,
            attempt_timeout: sdk::ATTEMPT_TIMEOUT,
            http: &self.role.http,
        })
        .map_err(|error| self.other(error.to_string()))
    }

    /// Sorts the portal's failure: a token it refuses asks for `aws sso login`; anything
    /// else says what the portal or the network did.
    fn portal_failure(&self, error: &SdkError<GetRoleCredentialsError>) -> VaultError {
        self.other(match Failure::of("SSO portal", error) {
            Failure::Service { code, .. } if code == "UnauthorizedException" => {
                return self.login("the SSO portal refused the cached token".into());
            }
            Failure::Service { code, message } => {
                format!("the SSO portal failed with {code}: {message}")
            }
            Failure::Timeout => "the SSO portal did not answer in time".into(),
            Failure::Certificate(problem) => format!(
                "the certificate the SSO portal presented is not trusted ({problem}); if a proxy or private CA signs it, set AWS_CA_BUNDLE (or ca_bundle in the profile) to that CA's PEM file"
            ),
            Failure::Unreachable(detail) => format!(
                "could not reach the SSO portal ({detail}); check the network or AWS_ENDPOINT_URL_SSO"
            ),
            Failure::BadReply => {
                "the SSO portal sent a reply rsume could not read; check AWS_ENDPOINT_URL_SSO"
                    .into()
            }
        })
    }

    /// No usable token: `aws sso login` writes one.
    fn login(&self, problem: String) -> VaultError {
        VaultError::SsoLogin {
            profile: self.role.profile.clone(),
            problem,
            command: self.role.login_command(),
        }
    }

    fn other(&self, problem: String) -> VaultError {
        VaultError::Sso {
            profile: self.role.profile.clone(),
            problem,
        }
    }
}

/// The portal's credentials, when complete (the session token is optional, as in the SDKs).
fn credentials(reply: Option<&RoleCredentials>) -> Option<Credentials> {
    let reply = reply?;
    Some(Credentials {
        access_key_id: reply.access_key_id()?.to_owned(),
        secret_access_key: Secret::new(reply.secret_access_key()?),
        session_token: reply.session_token().map(Secret::new),
        expiration: Some(SystemTime::try_from(DateTime::from_millis(reply.expiration())).ok()?),
    })
}
