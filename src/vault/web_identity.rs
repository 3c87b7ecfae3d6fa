//! `web_identity_token_file` with `role_arn` (or `AWS_WEB_IDENTITY_TOKEN_FILE` with
//! `AWS_ROLE_ARN`): AssumeRoleWithWebIdentity with the token an identity provider wrote to
//! a file (Kubernetes service accounts, CI systems). The file is read on each fetch, never
//! on a cache hit: the cache key is the role, the file's path and the session name.

use std::path::PathBuf;

use super::{Fetch, Role, Root, Run, Spec, VaultError};
use crate::cache::{EntryKind, Key};
use crate::credentials::Credentials;
use crate::log;
use crate::sts::WebIdentityRequest;

/// Where the settings came from, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebIdentityOrigin {
    Profile,
    /// `AWS_WEB_IDENTITY_TOKEN_FILE` and `AWS_ROLE_ARN`.
    Environment,
}

#[derive(Debug)]
pub struct WebIdentity {
    /// The role; its `external_id` is not used (the call takes none).
    pub role: Role,
    pub token_file: PathBuf,
    pub origin: WebIdentityOrigin,
    /// The STS endpoint override, if any.
    pub endpoint: String,
}

impl Fetch for WebIdentity {
    fn key(&self) -> Key {
        let role = &self.role;
        Key::derive(&[
            "web-identity",
            &role.role_arn,
            &self.token_file.to_string_lossy(),
            &role.session_name,
            &role.duration.map(|d| d.to_string()).unwrap_or_default(),
            &self.endpoint,
        ])
    }

    fn spec(&self) -> Spec<'_> {
        Spec {
            kind: EntryKind::Role,
            profile: &self.role.profile,
            subject: &self.role.role_arn,
            lifetime: self.role.duration.unwrap_or(super::ROLE_DEFAULT_DURATION),
        }
    }

    fn describe(&self) -> String {
        format!(
            "assume {} as {} with the web identity token in {}",
            self.role.role_arn,
            self.role.session_name,
            self.token_file.display()
        )
    }
}

impl Root for WebIdentity {
    fn fetch(&self, run: &mut Run<'_, '_>) -> Result<Credentials, VaultError> {
        let role = &self.role;
        let token = self.token()?;
        let sts = run.sts()?;
        log::debug(format_args!(
            "AssumeRoleWithWebIdentity {} as {} for profile '{}'",
            role.role_arn, role.session_name, role.profile
        ));
        let request = WebIdentityRequest {
            role_arn: &role.role_arn,
            session_name: &role.session_name,
            token: &token,
            duration: role.duration,
        };
        sts.assume_role_with_web_identity(&request)
            .map_err(|source| VaultError::AssumeRole {
                profile: role.profile.clone(),
                role_arn: role.role_arn.clone(),
                source,
            })
    }
}

impl WebIdentity {
    /// The token, trimmed of the newline most writers leave.
    fn token(&self) -> Result<String, VaultError> {
        let failed = |problem: String| VaultError::WebIdentityToken {
            profile: self.role.profile.clone(),
            file: self.token_file.display().to_string(),
            setting: match self.origin {
                WebIdentityOrigin::Profile => "web_identity_token_file",
                WebIdentityOrigin::Environment => "AWS_WEB_IDENTITY_TOKEN_FILE",
            },
            problem,
        };
        let text = crate::fs::read_text(&self.token_file, crate::fs::Contents::Token)
            .map_err(|error| failed(error.problem.to_string()))?;
        let token = text.trim();
        if token.is_empty() {
            return Err(failed("it is empty".into()));
        }
        Ok(token.to_owned())
    }
}
