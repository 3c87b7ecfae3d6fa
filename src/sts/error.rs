use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};

/// An STS failure, sorted by what the user should do about it. STS's own error message
/// (which names ARNs, not keys) is kept; the reply's body never is.
#[derive(Debug, thiserror::Error)]
pub enum StsError {
    #[error(
        "AWS rejected the MFA code (wrong, expired or already used); wait for the next code and try again"
    )]
    MfaRejected,
    #[error(
        "AWS does not recognise these keys ({code}); check the profile's aws_access_key_id and aws_secret_access_key"
    )]
    InvalidKeys { code: String },
    #[error("the session token has expired; refresh the credentials this profile starts from")]
    ExpiredToken,
    #[error("access denied: {0}")]
    AccessDenied(String),
    #[error("STS is not enabled in this region; pick another region or enable it in the account")]
    RegionDisabled,
    #[error("STS is throttling requests; wait a minute and try again")]
    Throttled,
    #[error("STS rejected the request: {0}")]
    Invalid(String),
    /// `endpoint` names the one tried and where it was set, or the variable that sets one.
    #[error(
        "STS did not answer in time; check the network, a proxy or {endpoint}, or allow more with --sts-timeout"
    )]
    Timeout { endpoint: String },
    #[error("could not reach STS ({detail}); check the network, a proxy or {endpoint}")]
    Unreachable { detail: String, endpoint: String },
    #[error(
        "the certificate STS presented is not trusted ({0}); if a proxy or private CA signs it, set AWS_CA_BUNDLE (or ca_bundle in the profile) to that CA's PEM file"
    )]
    Certificate(String),
    #[error(transparent)]
    Http(#[from] crate::http::HttpError),
    #[error(
        "STS sent a reply rsume could not read; check that the endpoint is STS (--debug shows more)"
    )]
    BadReply,
    #[error("STS's reply holds no complete credentials; check that the endpoint is STS")]
    MissingCredentials,
    #[error("STS failed with {code}: {message}")]
    Other { code: String, message: String },
    #[error("could not start the async runtime")]
    Runtime(#[source] std::io::Error),
}

impl StsError {
    /// Sorts the error of a call to `endpoint` (`None`: the AWS default); a connection's
    /// hint names that endpoint and where it was set, or the variable that would set one.
    pub(super) fn from_sdk<E>(error: SdkError<E>, endpoint: Option<&super::Endpoint>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        crate::log::debug(format_args!("STS error: {}", describe(&error)));
        let endpoint = || match endpoint {
            Some(endpoint) => format!("the endpoint {} ({})", endpoint.url, endpoint.origin),
            None => "the endpoint (AWS_ENDPOINT_URL_STS)".to_owned(),
        };
        match &error {
            SdkError::TimeoutError(_) => {
                return StsError::Timeout {
                    endpoint: endpoint(),
                };
            }
            SdkError::DispatchFailure(failure) if failure.is_timeout() => {
                return StsError::Timeout {
                    endpoint: endpoint(),
                };
            }
            SdkError::DispatchFailure(failure) => {
                if let Some(problem) = failure
                    .as_connector_error()
                    .and_then(|error| crate::http::certificate_problem(error))
                {
                    return StsError::Certificate(problem);
                }
                let detail = failure
                    .as_connector_error()
                    .and_then(|e| std::error::Error::source(e))
                    .map(|e| e.to_string())
                    .unwrap_or_else(|| "connection failed".into());
                return StsError::Unreachable {
                    detail,
                    endpoint: endpoint(),
                };
            }
            SdkError::ResponseError(_) => return StsError::BadReply,
            _ => {}
        }
        let message = error.message().unwrap_or_default().trim().to_owned();
        match error.code() {
            Some("AccessDenied") if message.contains("MultiFactorAuthentication") => {
                StsError::MfaRejected
            }
            Some("AccessDenied") => StsError::AccessDenied(message),
            Some(code @ ("InvalidClientTokenId" | "SignatureDoesNotMatch")) => {
                StsError::InvalidKeys { code: code.into() }
            }
            Some("ExpiredToken" | "ExpiredTokenException") => StsError::ExpiredToken,
            Some("RegionDisabledException") => StsError::RegionDisabled,
            Some("Throttling" | "ThrottlingException" | "RequestLimitExceeded") => {
                StsError::Throttled
            }
            Some("ValidationError" | "InvalidParameterValue" | "MalformedPolicyDocument") => {
                StsError::Invalid(message)
            }
            Some(code) => StsError::Other {
                code: code.into(),
                message,
            },
            None => StsError::BadReply,
        }
    }
}

/// What `--debug` shows of an SDK error: its kind, the HTTP status, STS's error code and
/// message. Never the SDK's own context (`DisplayErrorContext`, `Debug`): it carries the raw
/// reply, and a reply the SDK could not parse may hold the credentials it was delivering.
fn describe<E: ProvideErrorMetadata>(error: &SdkError<E>) -> String {
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
