//! The one factory for rsume's AWS SDK clients: STS, IAM, the SSO portal, SSO OIDC, and the
//! next one. Every client gets the same HTTP client (`http`: the user's proxy and CA roots,
//! plain HTTP only to loopback and directly), the same bounds on a call, the same retries
//! (with [`DistrustedCertificateIsFinal`]), the same User-Agent, and the one runtime; its
//! errors are sorted by [`Failure`]. A service module adds only what is its own: its
//! endpoint and region, its interceptors, and what its error codes mean.
//!
//! Nothing here runs on the cached path: the runtime and the clients are built when a call
//! is about to be made.

use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

use aws_smithy_async::rt::sleep::{SharedAsyncSleep, TokioSleep};
use aws_smithy_runtime_api::client::behavior_version::BehaviorVersion;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use aws_types::SdkConfig;
use aws_types::app_name::AppName;
use aws_types::region::Region;
use tokio::runtime::Runtime;

use crate::http::{DistrustedCertificateIsFinal, HttpError, HttpSettings};
use crate::log;

/// One attempt's default bound; with retries a dead endpoint is reported in about half a
/// minute.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// Bounds on a call, so a dead network ends in a message, not a hang. Retries cover a
/// dropped connection, a 5xx or a throttle without making a real outage slow to report.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const MAX_ATTEMPTS: u32 = 3;
/// Room for the retry back-off between attempts, within the bound on a whole call.
const BACKOFF_ALLOWANCE: Duration = Duration::from_secs(5);
/// A person waiting this long for an answer hears why.
pub const SLOW_NOTICE: Duration = Duration::from_secs(2);

/// Where one client goes and how long it may take.
#[derive(Clone, Copy, Debug)]
pub struct Target<'a> {
    /// The signing region (and, without an override, the endpoint's).
    pub region: &'a str,
    /// An endpoint override, already held to the plain-HTTP rule where it was chosen (the
    /// connector holds every request to it again).
    pub endpoint: Option<&'a str>,
    /// How long one attempt may take.
    pub attempt_timeout: Duration,
    /// Proxies and trusted roots, shared by every endpoint a run calls.
    pub http: &'a HttpSettings,
}

/// The most one call may take, all attempts and the back-off between them included.
pub fn call_timeout(attempt_timeout: Duration) -> Duration {
    attempt_timeout * MAX_ATTEMPTS + BACKOFF_ALLOWANCE
}

/// A service's config builder, as this factory fills it. Implemented for each SDK rsume
/// links; a new service is one name in the list below.
pub trait ServiceConfig: for<'a> From<&'a SdkConfig> {
    /// The one setting `SdkConfig` cannot carry.
    fn with_retry_rule(self) -> Self;
}

macro_rules! service_configs {
    ($($sdk:ident),*) => {
        $(impl ServiceConfig for $sdk::config::Builder {
            fn with_retry_rule(self) -> Self {
                self.retry_classifier(DistrustedCertificateIsFinal)
            }
        })*
    };
}

service_configs!(aws_sdk_sts, aws_sdk_iam, aws_sdk_sso, aws_sdk_ssooidc);

/// The config of a client for `target`. Fails on a CA bundle or proxy that cannot be used.
/// The client itself is built with [`build`].
pub fn config<B: ServiceConfig>(target: &Target<'_>) -> Result<B, HttpError> {
    let mut shared = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(target.region.to_owned()))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(CONNECT_TIMEOUT.min(target.attempt_timeout))
                .operation_attempt_timeout(target.attempt_timeout)
                .operation_timeout(call_timeout(target.attempt_timeout))
                .build(),
        )
        .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS))
        .http_client(crate::http::client(target.http)?)
        .sleep_impl(SharedAsyncSleep::new(TokioSleep::new()));
    shared.set_endpoint_url(target.endpoint.map(str::to_owned));
    shared.set_app_name(app_name(None));
    Ok(B::from(&shared.build()).with_retry_rule())
}

/// The app id the User-Agent carries (`sdk_ua_app_id` in a profile, as the SDKs read it),
/// if there is one the SDK accepts.
pub fn app_name(sdk_ua_app_id: Option<&str>) -> Option<AppName> {
    let id = sdk_ua_app_id?;
    AppName::new(id.to_owned())
        .map_err(|_| {
            log::warn(format_args!(
                "ignoring sdk_ua_app_id '{id}': not an app id the SDK accepts"
            ))
        })
        .ok()
}

/// The one runtime every call runs on: single-threaded, built when a call first needs it
/// (a cached run builds none), shared by every holder alive, and dropped with the last, so
/// its connections close before, say, `exec` runs a program.
pub fn runtime() -> Result<Arc<Runtime>, std::io::Error> {
    static SHARED: Mutex<Weak<Runtime>> = Mutex::new(Weak::new());
    let mut shared = SHARED.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(runtime) = shared.upgrade() {
        return Ok(runtime);
    }
    let runtime = Arc::new(
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?,
    );
    *shared = Arc::downgrade(&runtime);
    Ok(runtime)
}

/// Builds a client inside `runtime`: its HTTP connector wants one at hand.
pub fn build<C>(runtime: &Runtime, make: impl FnOnce() -> C) -> C {
    let _inside = runtime.enter();
    make()
}

/// Runs `call` to its end on `runtime`; `slow` is called once if it takes longer than
/// [`SLOW_NOTICE`], to tell the person waiting why.
pub fn wait<F: Future>(runtime: &Runtime, call: F, slow: impl FnOnce()) -> F::Output {
    runtime.block_on(async {
        let mut call = std::pin::pin!(call);
        match tokio::time::timeout(SLOW_NOTICE, &mut call).await {
            Ok(output) => output,
            Err(_) => {
                slow();
                call.await
            }
        }
    })
}

/// An SDK error sorted by what the user can do about it, the same way for every service;
/// the service names what its codes mean and which endpoint to check.
#[derive(Debug, PartialEq, Eq)]
pub enum Failure {
    /// No answer within the bounds.
    Timeout,
    /// The server's certificate is not trusted: the TLS layer's complaint.
    Certificate(String),
    /// No connection: the connector's reason.
    Unreachable(String),
    /// The service answered with an error code, and its message (which names ARNs, users
    /// and devices, never keys, tokens or seeds).
    Service { code: String, message: String },
    /// An answer that is not the service's (no code, cut off, not parsable).
    BadReply,
}

impl Failure {
    /// Sorts `error` of a call to `service`, saying on `--debug` what happened.
    pub fn of<E>(service: &str, error: &SdkError<E, HttpResponse>) -> Failure
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        log::debug(format_args!("{service} error: {}", describe(error)));
        match error {
            SdkError::TimeoutError(_) => Failure::Timeout,
            SdkError::DispatchFailure(failure) if failure.is_timeout() => Failure::Timeout,
            SdkError::DispatchFailure(failure) => {
                let connector = failure.as_connector_error();
                if let Some(problem) =
                    connector.and_then(|error| crate::http::certificate_problem(error))
                {
                    return Failure::Certificate(problem);
                }
                Failure::Unreachable(
                    connector
                        .and_then(|e| std::error::Error::source(e))
                        .map(|e| e.to_string())
                        .unwrap_or_else(|| "connection failed".into()),
                )
            }
            SdkError::ServiceError(_) => match error.code() {
                Some(code) => Failure::Service {
                    code: code.to_owned(),
                    message: error.message().unwrap_or_default().trim().to_owned(),
                },
                None => Failure::BadReply,
            },
            _ => Failure::BadReply,
        }
    }
}

/// What `--debug` shows of an SDK error: its kind, the HTTP status, the service's error code
/// and message. Never the SDK's own context (`DisplayErrorContext`, `Debug`): it carries the
/// raw reply, and a reply the SDK could not parse may hold the credentials it was delivering.
fn describe<E: ProvideErrorMetadata>(error: &SdkError<E, HttpResponse>) -> String {
    let what = match error {
        SdkError::ConstructionFailure(_) => "the request could not be built".to_owned(),
        SdkError::TimeoutError(_) => "no answer in time".to_owned(),
        SdkError::DispatchFailure(failure) => {
            // The connector's own errors (refused, reset, DNS, TLS) hold no reply.
            let mut text = "the request could not be sent".to_owned();
            let mut source = failure
                .as_connector_error()
                .map(|e| e as &dyn std::error::Error);
            while let Some(e) = source {
                text.push_str(&format!(": {e}"));
                source = e.source();
            }
            text
        }
        SdkError::ServiceError(_) => match error.code() {
            Some(code) => format!("{code}: {}", error.message().unwrap_or_default().trim()),
            None => "the reply could not be read".to_owned(),
        },
        _ => "the reply could not be read".to_owned(),
    };
    match error.raw_response() {
        Some(reply) => format!("HTTP {}, {what}", reply.status().as_u16()),
        None => what,
    }
}

#[cfg(test)]
mod tests;
