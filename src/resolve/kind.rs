//! What a profile is, as `rsume -l` and `rsume -l --json` name it: one fixed set of words,
//! part of rsume's interface (see docs/configuration.md), decided here and nowhere else.

use crate::config::Profile;

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
    /// `credential_source = Environment` without a role: the `AWS_*` key variables.
    Environment,
    /// `credential_process`: a command that prints credentials.
    Process,
    /// `sso_session` or `sso_start_url`: IAM Identity Center.
    Sso,
    /// `web_identity_token_file` with `role_arn`: AssumeRoleWithWebIdentity.
    WebIdentity,
    /// `credential_source = Ec2InstanceMetadata`.
    Instance,
    /// `credential_source = EcsContainer`.
    Container,
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
            Kind::Environment => "environment",
            Kind::Process => "process",
            Kind::Sso => "sso",
            Kind::WebIdentity => "web-identity",
            Kind::Instance => "instance",
            Kind::Container => "container",
            Kind::Other => "other",
        }
    }
}

impl serde::Serialize for Kind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// The first that applies: a role (by web identity or by a source), then the profile's own
/// credentials, then a bare `credential_source`.
pub fn kind(profile: &Profile) -> Kind {
    let has = |key| profile.get(key).is_some();
    if has("role_arn") {
        return if has("web_identity_token_file") {
            Kind::WebIdentity
        } else {
            Kind::Role
        };
    }
    if has("aws_access_key_id") {
        // Decided by the keys, as plan() decides it: a session token makes them temporary.
        return if profile
            .get("aws_session_token")
            .is_some_and(|t| !t.is_empty())
        {
            Kind::Session
        } else if has("mfa_serial") {
            Kind::Mfa
        } else {
            Kind::Static
        };
    }
    if has("credential_process") {
        return Kind::Process;
    }
    if has("sso_session") || has("sso_start_url") {
        return Kind::Sso;
    }
    match profile
        .get("credential_source")
        .map(str::to_ascii_lowercase)
    {
        Some(source) if source == "environment" => Kind::Environment,
        Some(source) if source == "ec2instancemetadata" => Kind::Instance,
        Some(source) if source == "ecscontainer" => Kind::Container,
        _ => Kind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ProfileFiles, parse};

    #[test]
    fn each_profile_gets_one_word_from_the_fixed_set() {
        let config = "\
[profile keys]
aws_access_key_id = A
aws_secret_access_key = s
[profile user]
aws_access_key_id = A
aws_secret_access_key = s
mfa_serial = arn:aws:iam::1:mfa/u
[profile written]
aws_access_key_id = ASIA
aws_secret_access_key = s
aws_session_token = t
mfa_serial = arn:aws:iam::1:mfa/u
[profile admin]
role_arn = arn:aws:iam::1:role/a
source_profile = user
[profile envrole]
role_arn = arn:aws:iam::1:role/e
credential_source = Environment
[profile env]
credential_source = environment
[profile box]
credential_source = Ec2InstanceMetadata
[profile task]
credential_source = EcsContainer
[profile odd]
credential_source = Elsewhere
[profile proc]
credential_process = /bin/creds
[profile corp]
sso_session = corp
sso_account_id = 1
[profile legacy]
sso_start_url = https://example.awsapps.com/start
[profile ci]
role_arn = arn:aws:iam::1:role/ci
web_identity_token_file = /tmp/token
[profile settings]
region = eu-west-1
";
        let set = parse(&ProfileFiles::from_strings(config, "")).unwrap();
        let names: Vec<(&str, &str)> = set.profiles().map(|p| (p.name(), kind(p).name())).collect();
        for expected in [
            ("keys", "static"),
            ("user", "mfa"),
            ("written", "session"),
            ("admin", "role"),
            ("envrole", "role"),
            ("env", "environment"),
            ("box", "instance"),
            ("task", "container"),
            ("odd", "other"),
            ("proc", "process"),
            ("corp", "sso"),
            ("legacy", "sso"),
            ("ci", "web-identity"),
            ("settings", "other"),
        ] {
            assert!(names.contains(&expected), "{expected:?} in {names:?}");
        }
    }
}
