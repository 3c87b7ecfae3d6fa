//! The STS calls rsume makes, through a client from the one factory (`sdk`), built only
//! when a call is actually needed. Each call signs with the credentials the previous step produced.
//! Providers see STS through [`StsCalls`], so they run on an in-memory STS in unit tests.

mod clock;
mod endpoint;
mod error;

pub use clock::{CLOCK_NOISE_SECONDS, describe_offset};
pub use endpoint::{Endpoint, Origin};
pub use error::StsError;

use std::cell::Cell;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sts::types::Credentials as StsCredentials;
use aws_sdk_sts::types::{PolicyDescriptorType, Tag};

use crate::credentials::{Credentials, Secret};
use crate::http::HttpSettings;
use crate::mfa::MfaCode;
use crate::sdk;

/// One STS attempt; with retries a dead endpoint is reported in about half a minute.
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = sdk::ATTEMPT_TIMEOUT;

/// Where and how to reach STS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StsTarget {
    /// Signing region: the chain's region, else `AWS_REGION`/`AWS_DEFAULT_REGION`, else us-east-1.
    pub region: String,
    /// An endpoint override (`AWS_ENDPOINT_URL_STS` and friends), else the SDK's default.
    pub endpoint: Option<Endpoint>,
    /// How long one attempt may take.
    pub attempt_timeout: Duration,
    /// Proxies and trusted roots, shared with every other endpoint the chain calls.
    pub http: HttpSettings,
}

/// What AssumeRole is asked for.
#[derive(Clone, Copy, Debug)]
pub struct RoleRequest<'a> {
    pub role_arn: &'a str,
    pub session_name: &'a str,
    pub external_id: Option<&'a str>,
    /// `None` lets STS pick its default (one hour).
    pub duration: Option<u32>,
    /// The MFA device and code, when the source cannot hold an MFA session of its own.
    pub mfa: Option<(&'a str, &'a MfaCode)>,
    /// Session tags, policies: what narrows or labels this one session.
    pub scope: &'a SessionScope,
}

/// What an ad-hoc role session is narrowed or labelled with (`--tags`, `--session-policy`,
/// `--session-policy-arns`); empty for roles from profiles.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SessionScope {
    pub tags: Vec<(String, String)>,
    /// An inline JSON policy.
    pub policy: Option<String>,
    pub policy_arns: Vec<String>,
}

impl SessionScope {
    pub fn is_empty(&self) -> bool {
        *self == SessionScope::default()
    }
}

/// What AssumeRoleWithWebIdentity is asked for: the call is signed by nobody, the token
/// from the identity provider is the proof.
#[derive(Clone, Copy)]
pub struct WebIdentityRequest<'a> {
    pub role_arn: &'a str,
    pub session_name: &'a str,
    pub token: &'a str,
    pub duration: Option<u32>,
}

/// The calls providers make, each signed with `source`. Implemented by [`Sts`], and by an
/// in-memory STS in the providers' unit tests.
pub trait StsCalls {
    /// GetSessionToken, with an MFA device and code when given.
    fn session_token(
        &self,
        source: &Credentials,
        duration: u32,
        mfa: Option<(&str, &MfaCode)>,
    ) -> Result<Credentials, StsError>;

    fn assume_role(
        &self,
        source: &Credentials,
        role: &RoleRequest<'_>,
    ) -> Result<Credentials, StsError>;

    fn assume_role_with_web_identity(
        &self,
        request: &WebIdentityRequest<'_>,
    ) -> Result<Credentials, StsError>;
    /// Seconds STS's clock is ahead of ours, from the last reply's `Date` header, if known.
    fn clock_offset(&self) -> Option<i64> {
        None
    }
}

/// Who a set of credentials belongs to, as GetCallerIdentity says.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CallerIdentity {
    pub arn: String,
    pub account: String,
    pub user_id: String,
}

pub struct Sts {
    /// The one runtime, kept alive while this client is.
    runtime: Arc<tokio::runtime::Runtime>,
    client: aws_sdk_sts::Client,
    /// For the notice about an STS that is slow to answer.
    endpoint: String,
    /// The override and where it was set, for the hint of a failed connection.
    configured: Option<Endpoint>,
    /// The most one call may take, all attempts included.
    call_timeout: Duration,
    /// Names a non-default endpoint on stderr before the first request, so a user sees
    /// where their code and signature went; taken once, so once per run.
    announcement: Cell<Option<String>>,
    clock: clock::ServerClock,
}

impl Sts {
    /// A client for `target`, from the one factory, that also reads STS's clock.
    pub fn new(target: &StsTarget) -> Result<Self, StsError> {
        crate::log::debug(format_args!("network: {}", target.http.describe()));
        let clock = clock::ServerClock::default();
        let config = sdk::config::<aws_sdk_sts::config::Builder>(&sdk::Target {
            region: &target.region,
            endpoint: target
                .endpoint
                .as_ref()
                .map(|endpoint| endpoint.url.as_str()),
            attempt_timeout: target.attempt_timeout,
            http: &target.http,
        })?
        .interceptor(clock.clone());
        let runtime = sdk::runtime().map_err(StsError::Runtime)?;
        let client = sdk::build(&runtime, || aws_sdk_sts::Client::from_conf(config.build()));
        let endpoint = target.endpoint.as_ref().map_or_else(
            || format!("sts.{}.amazonaws.com", target.region),
            |endpoint| endpoint.url.to_string(),
        );
        let announcement = target
            .endpoint
            .as_ref()
            .map(|endpoint| format!("STS endpoint {} ({})", endpoint.url, endpoint.origin));
        Ok(Self {
            runtime,
            client,
            endpoint,
            configured: target.endpoint.clone(),
            call_timeout: sdk::call_timeout(target.attempt_timeout),
            announcement: Cell::new(announcement),
            clock,
        })
    }

    /// GetCallerIdentity, signed with `source`: who the credentials belong to. Needs no
    /// permission, so an error means the credentials themselves are refused.
    pub fn caller_identity(&self, source: &Credentials) -> Result<CallerIdentity, StsError> {
        let request = self
            .client
            .get_caller_identity()
            .customize()
            .config_override(signed_by(source));
        let reply = self.send(request.send())?;
        match (reply.arn(), reply.account()) {
            (Some(arn), Some(account)) => Ok(CallerIdentity {
                arn: arn.to_owned(),
                account: account.to_owned(),
                user_id: reply.user_id().unwrap_or_default().to_owned(),
            }),
            _ => Err(StsError::BadReply),
        }
    }

    /// Runs one request to completion on the runtime, sorting SDK errors by what to do.
    fn send<O, E>(
        &self,
        request: impl Future<Output = Result<O, SdkError<E>>>,
    ) -> Result<O, StsError>
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        if let Some(announcement) = self.announcement.take() {
            crate::log::info(format_args!("{announcement}"));
        }
        let waited = sdk::wait(&self.runtime, request, || {
            crate::log::info(format_args!(
                "STS at {} has not answered after {} s; retrying, giving up after {} s",
                self.endpoint,
                sdk::SLOW_NOTICE.as_secs(),
                self.call_timeout.as_secs()
            ))
        });
        waited.map_err(|error| StsError::from_sdk(error, self.configured.as_ref()))
    }
}

impl StsCalls for Sts {
    fn session_token(
        &self,
        source: &Credentials,
        duration: u32,
        mfa: Option<(&str, &MfaCode)>,
    ) -> Result<Credentials, StsError> {
        let request = self
            .client
            .get_session_token()
            .duration_seconds(duration as i32)
            .set_serial_number(mfa.map(|(serial, _)| serial.to_owned()))
            .set_token_code(mfa.map(|(_, code)| code.expose().to_owned()))
            .customize()
            .config_override(signed_by(source));
        convert(self.send(request.send())?.credentials())
    }

    fn assume_role(
        &self,
        source: &Credentials,
        role: &RoleRequest<'_>,
    ) -> Result<Credentials, StsError> {
        let request = self
            .client
            .assume_role()
            .role_arn(role.role_arn)
            .role_session_name(role.session_name)
            .set_external_id(role.external_id.map(str::to_owned))
            .set_duration_seconds(role.duration.map(|d| d as i32))
            .set_serial_number(role.mfa.map(|(serial, _)| serial.to_owned()))
            .set_token_code(role.mfa.map(|(_, code)| code.expose().to_owned()))
            .set_tags(tags(&role.scope.tags)?)
            .set_policy(role.scope.policy.clone())
            .set_policy_arns(policy_arns(&role.scope.policy_arns)?)
            .customize()
            .config_override(signed_by(source));
        convert(self.send(request.send())?.credentials())
    }

    fn assume_role_with_web_identity(
        &self,
        request: &WebIdentityRequest<'_>,
    ) -> Result<Credentials, StsError> {
        let request = self
            .client
            .assume_role_with_web_identity()
            .role_arn(request.role_arn)
            .role_session_name(request.session_name)
            .web_identity_token(request.token)
            .set_duration_seconds(request.duration.map(|d| d as i32));
        convert(self.send(request.send())?.credentials())
    }

    fn clock_offset(&self) -> Option<i64> {
        self.clock.offset()
    }
}

/// `None` for no tags, so the request carries no empty list.
fn tags(tags: &[(String, String)]) -> Result<Option<Vec<Tag>>, StsError> {
    if tags.is_empty() {
        return Ok(None);
    }
    tags.iter()
        .map(|(key, value)| Tag::builder().key(key).value(value).build())
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
        .map_err(|error| StsError::Invalid(error.to_string()))
}

fn policy_arns(arns: &[String]) -> Result<Option<Vec<PolicyDescriptorType>>, StsError> {
    if arns.is_empty() {
        return Ok(None);
    }
    Ok(Some(
        arns.iter()
            .map(|arn| PolicyDescriptorType::builder().arn(arn).build())
            .collect(),
    ))
}

fn signed_by(source: &Credentials) -> aws_sdk_sts::config::Builder {
    aws_sdk_sts::config::Builder::default().credentials_provider(
        aws_sdk_sts::config::Credentials::new(
            &source.access_key_id,
            source.secret_access_key.expose(),
            source.session_token.as_ref().map(|t| t.expose().to_owned()),
            None,
            "rsume",
        ),
    )
}

/// The SDK fills a missing field with a default (an empty string, a 1970 expiry) and
/// accepts a reply cut off mid-way, so completeness is checked here: every part present
/// and an expiry still ahead.
fn convert(credentials: Option<&StsCredentials>) -> Result<Credentials, StsError> {
    let c = credentials.ok_or(StsError::MissingCredentials)?;
    if c.access_key_id().is_empty()
        || c.secret_access_key().is_empty()
        || c.session_token().is_empty()
    {
        return Err(StsError::MissingCredentials);
    }
    let expiration = SystemTime::try_from(*c.expiration())
        .ok()
        .filter(|at| *at > SystemTime::now())
        .ok_or(StsError::MissingCredentials)?;
    Ok(Credentials {
        access_key_id: c.access_key_id().to_owned(),
        secret_access_key: Secret::new(c.secret_access_key()),
        session_token: Some(Secret::new(c.session_token())),
        expiration: Some(expiration),
    })
}
