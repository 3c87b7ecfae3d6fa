//! What a profile is, as `rsume -l` and `rsume -l --json` name it: one fixed set of words,
//! part of rsume's interface (see docs/configuration.md), decided by the walk (walk.rs) and
//! the table of sources (sources.rs), nowhere else.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Long-term keys, used as they are.
    Static,
    /// Long-term keys plus an MFA device: a GetSessionToken session.
    Mfa,
    /// Temporary keys written in the file (with `aws_session_token`), such as a profile
    /// `rsume -o` wrote: used as they are until the expiry written beside them.
    Session,
    /// Assumes a role with the credentials of its `source_profile` or `credential_source`.
    Role,
    /// `web_identity_token_file` with `role_arn`: AssumeRoleWithWebIdentity.
    WebIdentity,
    /// A source of the table (sources.rs), named by its row: `environment`, `process`,
    /// `sso`, `instance`, `container`.
    Listed(&'static str),
    /// None of the above: a profile holding only settings (such as a region), or naming a
    /// `credential_source` that AWS does not define.
    Other,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Static => "static",
            Kind::Mfa => "mfa",
            Kind::Session => "session",
            Kind::Role => "role",
            Kind::WebIdentity => "web-identity",
            Kind::Listed(name) => name,
            Kind::Other => "other",
        }
    }
}

impl serde::Serialize for Kind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}
