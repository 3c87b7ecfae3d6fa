use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};

use crate::sdk::Failure;

/// An IAM failure, sorted by what the user should do about it. IAM's own message (which
/// names users and devices, never keys or seeds) is kept; the reply's body never is.
#[derive(Debug, thiserror::Error)]
pub enum IamError {
    #[error(transparent)]
    InsecureEndpoint(#[from] crate::http::InsecureEndpoint),
    #[error(transparent)]
    Network(#[from] crate::http::HttpError),
    #[error(
        "AWS does not recognise these keys ({code}); check the profile's aws_access_key_id and aws_secret_access_key"
    )]
    InvalidKeys { code: String },
    #[error(
        "these are the account's root keys: rsume mfa manages an IAM user's devices; give the root user its MFA device in the console"
    )]
    RootKeys,
    #[error("access denied: {0}")]
    AccessDenied(String),
    #[error(
        "AWS rejected the two codes ({0}); they must be two consecutive codes of the new device, and this machine's clock must be right"
    )]
    CodesRejected(String),
    #[error("{0}")]
    AlreadyExists(String),
    #[error("{0}")]
    NoSuchEntity(String),
    #[error("{0}")]
    LimitExceeded(String),
    /// `endpoint` names the one tried and where it was set, or the variable that sets one.
    #[error("IAM did not answer in time; check the network, a proxy or {endpoint}")]
    Timeout { endpoint: String },
    #[error("could not reach IAM ({detail}); check the network, a proxy or {endpoint}")]
    Unreachable { detail: String, endpoint: String },
    #[error(
        "the certificate IAM presented is not trusted ({0}); if a proxy or private CA signs it, set AWS_CA_BUNDLE (or ca_bundle in the profile) to that CA's PEM file"
    )]
    Certificate(String),
    #[error("IAM sent a reply rsume could not read; check that the endpoint is IAM")]
    BadReply,
    #[error("IAM failed with {code}: {message}")]
    Other { code: String, message: String },
    #[error("could not start the async runtime")]
    Runtime(#[source] std::io::Error),
}

impl IamError {
    /// Sorts the error of a call to `endpoint` (the override and its variable, `None` for
    /// the AWS default).
    pub(super) fn from_sdk<E>(error: SdkError<E>, endpoint: Option<&(String, &str)>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let endpoint = || match endpoint {
            Some((url, variable)) => format!("the endpoint {url} (from {variable})"),
            None => "the endpoint (AWS_ENDPOINT_URL_IAM)".to_owned(),
        };
        let (code, message) = match Failure::of("IAM", &error) {
            Failure::Timeout => {
                return IamError::Timeout {
                    endpoint: endpoint(),
                };
            }
            Failure::Certificate(problem) => return IamError::Certificate(problem),
            Failure::Unreachable(detail) => {
                return IamError::Unreachable {
                    detail,
                    endpoint: endpoint(),
                };
            }
            Failure::BadReply => return IamError::BadReply,
            Failure::Service { code, message } => (code, message),
        };
        match code.as_str() {
            "AccessDenied" | "AccessDeniedException" => IamError::AccessDenied(message),
            "InvalidClientTokenId" | "SignatureDoesNotMatch" => IamError::InvalidKeys { code },
            "InvalidAuthenticationCode" => IamError::CodesRejected(message),
            "EntityAlreadyExists" => IamError::AlreadyExists(message),
            "NoSuchEntity" => IamError::NoSuchEntity(message),
            "LimitExceeded" => IamError::LimitExceeded(message),
            _ => IamError::Other { code, message },
        }
    }
}
