use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};

/// An IAM failure, sorted by what the user should do about it. IAM's own message (which
/// names users and devices, never keys or seeds) is kept; the reply's body never is.
#[derive(Debug, thiserror::Error)]
pub enum IamError {
    #[error(
        "refusing IAM endpoint {url} (from {variable}): without https the MFA seed and a request signed with your keys travel in clear text; use https or a loopback address, or set {allow}=1 to allow it",
        allow = crate::resolve::ALLOW_HTTP_VARIABLE
    )]
    InsecureEndpoint { url: String, variable: &'static str },
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
    #[error(
        "IAM did not answer in time; check the network, a proxy or the endpoint (AWS_ENDPOINT_URL_IAM)"
    )]
    Timeout,
    #[error(
        "could not reach IAM ({0}); check the network, a proxy or the endpoint (AWS_ENDPOINT_URL_IAM)"
    )]
    Unreachable(String),
    #[error("IAM sent a reply rsume could not read; check that the endpoint is IAM")]
    BadReply,
    #[error("IAM failed with {code}: {message}")]
    Other { code: String, message: String },
    #[error("could not start the async runtime")]
    Runtime(#[source] std::io::Error),
}

impl IamError {
    pub(super) fn from_sdk<E>(error: SdkError<E>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        match &error {
            SdkError::TimeoutError(_) => return IamError::Timeout,
            SdkError::DispatchFailure(failure) if failure.is_timeout() => return IamError::Timeout,
            SdkError::DispatchFailure(failure) => {
                let detail = failure
                    .as_connector_error()
                    .and_then(|e| std::error::Error::source(e))
                    .map(|e| e.to_string())
                    .unwrap_or_else(|| "connection failed".into());
                return IamError::Unreachable(detail);
            }
            SdkError::ServiceError(_) => {}
            _ => return IamError::BadReply,
        }
        let message = error.message().unwrap_or_default().trim().to_owned();
        crate::log::debug(format_args!(
            "IAM error: {}: {message}",
            error.code().unwrap_or("no code")
        ));
        match error.code() {
            Some("AccessDenied" | "AccessDeniedException") => IamError::AccessDenied(message),
            Some(code @ ("InvalidClientTokenId" | "SignatureDoesNotMatch")) => {
                IamError::InvalidKeys { code: code.into() }
            }
            Some("InvalidAuthenticationCode") => IamError::CodesRejected(message),
            Some("EntityAlreadyExists") => IamError::AlreadyExists(message),
            Some("NoSuchEntity") => IamError::NoSuchEntity(message),
            Some("LimitExceeded") => IamError::LimitExceeded(message),
            Some(code) => IamError::Other {
                code: code.into(),
                message,
            },
            None => IamError::BadReply,
        }
    }
}
