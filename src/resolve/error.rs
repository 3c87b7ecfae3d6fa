use crate::config::Location;

use super::at;

/// Why a profile cannot be turned into a plan. Each message names the profile (and the
/// file and line where that helps) and what to change.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("no profile named '{name}'{}; `rsume -l` lists them", did_you_mean(.suggestions))]
    UnknownProfile {
        name: String,
        suggestions: Vec<String>,
    },
    #[error(
        "profile '{profile}' names source_profile '{source_profile}'{}, but there is no profile '{source_profile}'",
        at(.location)
    )]
    MissingSource {
        profile: String,
        source_profile: String,
        location: Option<Location>,
    },
    #[error("profiles name each other as source_profile in a loop: {}", .cycle.join(" -> "))]
    Cycle { cycle: Vec<String> },
    #[error("profile '{profile}' chains more than {limit} roles; shorten the source_profile chain")]
    TooDeep { profile: String, limit: usize },
    #[error(
        "profile '{profile}' has no credentials: give it aws_access_key_id and aws_secret_access_key, or role_arn with source_profile"
    )]
    NoCredentials { profile: String },
    #[error(
        "profile '{profile}' is the source of '{user}' but has no credentials: give it aws_access_key_id and aws_secret_access_key, or role_arn with source_profile"
    )]
    SourceWithoutCredentials { profile: String, user: String },
    #[error("profile '{profile}' has only half of its keys: add {key}")]
    MissingKey { profile: String, key: &'static str },
    #[error(
        "profile '{profile}' has role_arn{} but no source_profile or credential_source to assume it with",
        at(.location)
    )]
    RoleWithoutSource {
        profile: String,
        location: Option<Location>,
    },
    #[error("profile '{profile}' has both source_profile and credential_source; keep one")]
    TwoSources { profile: String },
    #[error(
        "profile '{profile}': credential_source = {value}{} is not supported; use {} or a source_profile",
        at(.location),
        super::sources::credential_source_names()
    )]
    UnsupportedCredentialSource {
        profile: String,
        value: String,
        location: Option<Location>,
    },
    #[error(
        "profile '{profile}' uses credential_source = Environment, but AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set"
    )]
    EnvironmentEmpty { profile: String },
    #[error(
        "profile '{profile}' has web_identity_token_file{} but no role_arn; add the role_arn the token may assume",
        at(.location)
    )]
    WebIdentityWithoutRole {
        profile: String,
        location: Option<Location>,
    },
    #[error(
        "profile '{profile}' uses credential_source = Ec2InstanceMetadata, but AWS_EC2_METADATA_DISABLED is set; unset it or choose another source"
    )]
    InstanceMetadataDisabled { profile: String },
    #[error(
        "profile '{profile}' uses credential_source = EcsContainer, but neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set (they are set inside an ECS task or an EKS pod)"
    )]
    ContainerNotConfigured { profile: String },
    #[error(
        "profile '{profile}' names sso_session '{session}'{}, but the config file has no [sso-session {session}] section",
        at(.location)
    )]
    MissingSsoSession {
        profile: String,
        session: String,
        location: Option<Location>,
    },
    #[error("profile '{profile}' uses SSO{} but {place} has no {key}; add it", at(.location))]
    MissingSsoSetting {
        profile: String,
        place: String,
        key: &'static str,
        location: Option<Location>,
    },
    #[error("profile '{profile}': {key}{} must be {expected}", at(.location))]
    InvalidValue {
        profile: String,
        key: &'static str,
        location: Option<Location>,
        expected: String,
    },
    #[error(transparent)]
    InsecureEndpoint(#[from] crate::http::InsecureEndpoint),
    #[error(transparent)]
    InvalidRegion(#[from] crate::region::InvalidRegion),
    #[error("profile '{profile}': {message}")]
    Network { profile: String, message: String },
    #[error(
        "--role-arn needs credentials to assume the role with, and there are none in the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY); add --source-profile NAME, or assume a profile first"
    )]
    NoSourceInEnvironment,
    #[error(
        "profile '{profile}': mfa_serial = {serial}{} names a security key, and STS accepts only TOTP devices: register a virtual or hardware TOTP device beside the key (`rsume mfa setup`) and name it instead, or use IAM Identity Center or a login_session profile",
        at(.location)
    )]
    SecurityKeySerial {
        profile: String,
        serial: String,
        location: Option<Location>,
    },
    #[error("{flag} must be {expected}")]
    InvalidFlag {
        flag: &'static str,
        expected: String,
    },
}

fn did_you_mean(suggestions: &[String]) -> String {
    match suggestions {
        [] => String::new(),
        names => format!(
            " (did you mean {}?)",
            names
                .iter()
                .map(|n| format!("'{n}'"))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    }
}
