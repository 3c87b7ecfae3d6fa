//! Runs a plan: starts from the source credentials and applies each step in turn. STS is
//! contacted (and its runtime built) only when a step needs it.

use crate::credentials::Credentials;
use crate::log;
use crate::mfa::{CodeSource, MfaError};
use crate::resolve::{Plan, Step};
use crate::sts::{Sts, StsError};

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("no MFA code")]
    Mfa(#[from] MfaError),
    #[error("GetSessionToken with MFA device {serial} failed")]
    MfaSession {
        serial: String,
        #[source]
        source: StsError,
    },
    #[error("assuming {role_arn} for profile '{profile}' failed")]
    AssumeRole {
        profile: String,
        role_arn: String,
        #[source]
        source: StsError,
    },
    #[error(transparent)]
    Sts(StsError),
}

pub fn fetch(plan: &Plan, mfa: &mut CodeSource<'_>) -> Result<Credentials, FetchError> {
    let mut current = plan.source.credentials().clone();
    if plan.steps.is_empty() {
        return Ok(current);
    }
    let sts = Sts::new(&plan.sts).map_err(FetchError::Sts)?;
    log::debug(format_args!(
        "STS region {}, endpoint {}",
        plan.sts.region,
        plan.sts.endpoint.as_deref().unwrap_or("(AWS default)")
    ));
    for step in &plan.steps {
        current = match step {
            Step::MfaSession { serial, duration } => {
                let code = mfa(serial)?;
                log::debug(format_args!("GetSessionToken for {serial}, {duration} s"));
                sts.session_token(&current, *duration, Some((serial, &code)))
                    .map_err(|source| FetchError::MfaSession {
                        serial: serial.clone(),
                        source,
                    })?
            }
            Step::AssumeRole(role) => {
                log::debug(format_args!(
                    "AssumeRole {} as {} for profile '{}'",
                    role.role_arn, role.session_name, role.profile
                ));
                sts.assume_role(&current, role)
                    .map_err(|source| FetchError::AssumeRole {
                        profile: role.profile.clone(),
                        role_arn: role.role_arn.clone(),
                        source,
                    })?
            }
        };
    }
    Ok(current)
}
