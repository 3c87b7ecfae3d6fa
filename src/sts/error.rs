use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};

use crate::sdk::Failure;

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
        let endpoint = || match endpoint {
            Some(endpoint) => format!("the endpoint {} ({})", endpoint.url, endpoint.origin),
            None => "the endpoint (AWS_ENDPOINT_URL_STS)".to_owned(),
        };
        let (code, message) = match Failure::of("STS", &error) {
            Failure::Timeout => {
                return StsError::Timeout {
                    endpoint: endpoint(),
                };
            }
            Failure::Certificate(problem) => return StsError::Certificate(problem),
            Failure::Unreachable(detail) => {
                return StsError::Unreachable {
                    detail,
                    endpoint: endpoint(),
                };
            }
            Failure::BadReply => return StsError::BadReply,
            Failure::Service { code, message } => (code, message),
        };
        match code.as_str() {
            "AccessDenied" if message.contains("MultiFactorAuthentication") => {
                StsError::MfaRejected
            }
            "AccessDenied" => StsError::AccessDenied(message),
            "InvalidClientTokenId" | "SignatureDoesNotMatch" => StsError::InvalidKeys { code },
            "ExpiredToken" | "ExpiredTokenException" => StsError::ExpiredToken,
            "RegionDisabledException" => StsError::RegionDisabled,
            "Throttling" | "ThrottlingException" | "RequestLimitExceeded" => StsError::Throttled,
            "ValidationError" | "InvalidParameterValue" | "MalformedPolicyDocument" => {
                StsError::Invalid(message)
            }
            _ => StsError::Other { code, message },
        }
    }
}
