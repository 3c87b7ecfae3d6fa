//! AssumeRole, signed with the source's credentials.

use super::{Fetch, Hop, Provider, Run, Spec, VaultError};
use crate::cache::{EntryKind, Key};
use crate::credentials::Credentials;
use crate::log;
use crate::mfa::MfaCode;
use crate::sts::{RoleRequest, SessionScope};

/// AssumeRole's limits (seconds).
pub const ROLE_DURATION_RANGE: (u32, u32) = (900, 43_200);
/// STS's own default when a role names no duration.
pub const ROLE_DEFAULT_DURATION: u32 = 3600;

/// What the role is asked for.
#[derive(Clone, Debug)]
pub struct Role {
    /// The profile that names this role.
    pub profile: String,
    pub role_arn: String,
    pub external_id: Option<String>,
    pub session_name: String,
    /// `None` lets STS pick its default (one hour).
    pub duration: Option<u32>,
    /// The MFA device whose code goes with this call: set only where the source's
    /// credentials cannot call GetSessionToken (a process, SSO, web identity, instance or
    /// container root), so no MFA session can come first.
    pub mfa_serial: Option<String>,
    /// Tags and session policies (ad-hoc roles only).
    pub scope: SessionScope,
}

pub struct AssumeRole {
    pub role: Role,
    /// The STS endpoint override, if any.
    pub endpoint: String,
    pub source: Box<dyn Provider>,
}

impl Fetch for AssumeRole {
    /// Everything that changes what STS hands back, and who asks.
    fn key(&self) -> Key {
        let role = &self.role;
        let source = self.source.identity();
        let duration = role.duration.map(|d| d.to_string()).unwrap_or_default();
        let mut fields = vec![
            "role",
            source.as_str(),
            &role.role_arn,
            role.external_id.as_deref().unwrap_or(""),
            &role.session_name,
            &duration,
            &self.endpoint,
        ];
        // Only when present, so the keys of roles without a device stay as they were.
        fields.extend(role.mfa_serial.as_deref());
        // Only when there is a scope, so the keys of profile roles stay as they were.
        let scope = &role.scope;
        if !scope.is_empty() {
            fields.push("scope");
            for (key, value) in &scope.tags {
                fields.extend(["tag", key, value]);
            }
            if let Some(policy) = &scope.policy {
                fields.extend(["policy", policy]);
            }
            for arn in &scope.policy_arns {
                fields.extend(["policy-arn", arn]);
            }
        }
        Key::derive(&fields)
    }

    fn spec(&self) -> Spec<'_> {
        Spec {
            kind: EntryKind::Role,
            profile: &self.role.profile,
            subject: &self.role.role_arn,
            lifetime: self.role.duration.unwrap_or(ROLE_DEFAULT_DURATION),
        }
    }

    fn describe(&self) -> String {
        format!(
            "assume {} as {}",
            self.role.role_arn, self.role.session_name
        )
    }
}

impl Hop for AssumeRole {
    fn source(&self) -> &dyn Provider {
        self.source.as_ref()
    }

    fn mfa_serial(&self) -> Option<&str> {
        self.role.mfa_serial.as_deref()
    }

    fn fetch(
        &self,
        run: &mut Run<'_, '_>,
        source: &Credentials,
        code: Option<&MfaCode>,
    ) -> Result<Credentials, VaultError> {
        let role = &self.role;
        let sts = run.sts()?;
        log::debug(format_args!(
            "AssumeRole {} as {} for profile '{}'",
            role.role_arn, role.session_name, role.profile
        ));
        let request = RoleRequest {
            role_arn: &role.role_arn,
            session_name: &role.session_name,
            external_id: role.external_id.as_deref(),
            duration: role.duration,
            mfa: role.mfa_serial.as_deref().zip(code),
            scope: &role.scope,
        };
        sts.assume_role(source, &request)
            .map_err(|source| VaultError::AssumeRole {
                profile: role.profile.clone(),
                role_arn: role.role_arn.clone(),
                source,
            })
    }
}

/// `rsume-<profile>`, cut to STS's 64 characters and its character set (`\w+=,.@-`), so
/// CloudTrail shows which profile a session came from.
pub fn default_session_name(profile: &str) -> String {
    format!("rsume-{profile}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect()
}
