//! What a plan answers: every question a command asks about a profile's chain (`status`,
//! `doctor`, `console`, …) is a method here, so no command reads the plan's insides and
//! `Source` and `Step` are matched only in `resolve`.

use super::{Plan, Source, Step};
use crate::cache::Key;
use crate::credentials::Credentials;
use crate::vault::{Fetch as _, Role, Session, SessionToken, StaticKeys};

/// Keys the chain starts from that are known without running anything: written in a profile
/// or in the `AWS_*` variables.
#[derive(Clone, Copy, Debug)]
pub struct RootKeys<'a> {
    pub credentials: &'a Credentials,
    /// The profile they are written in; `None` for keys from the environment.
    pub profile: Option<&'a str>,
}

impl RootKeys<'_> {
    /// "the keys of profile 'alice'", "the keys in AWS_ACCESS_KEY_ID".
    pub fn whose(&self) -> String {
        match self.profile {
            Some(profile) => format!("the keys of profile '{profile}'"),
            None => "the keys in AWS_ACCESS_KEY_ID".into(),
        }
    }
}

/// The MFA device a chain sends a code for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MfaDevice<'a> {
    pub serial: &'a str,
    /// The profile whose `mfa_serial` names it (`None` for `--mfa-serial`).
    pub from: Option<&'a str>,
    /// The profile of the call that carries the code: the MFA session's user, or a role's.
    pub carrier: &'a str,
}

/// Who the chain's credentials are, as far as the files tell.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Destination<'a> {
    /// The last role assumed, or the role a web identity root is.
    pub role_arn: Option<&'a str>,
    pub account: Option<String>,
    /// The SSO role's name, when the chain ends at an SSO role (its ARN holds a suffix only
    /// AWS knows).
    pub sso_role: Option<&'a str>,
}

impl Plan {
    /// The root, one line for a person: names, ARNs and a masked key id, never a secret.
    pub fn root_description(&self) -> String {
        match &self.source {
            Source::Static(StaticKeys {
                profile: Some(profile),
                credentials,
            }) => format!(
                "keys of '{profile}' ({})",
                masked(&credentials.access_key_id)
            ),
            Source::Static(keys) | Source::Environment(keys) => format!(
                "keys from AWS_ACCESS_KEY_ID ({})",
                masked(&keys.credentials.access_key_id)
            ),
            Source::Process(process) => process.describe(),
            Source::WebIdentity { role, .. } => {
                format!("web identity token for {}", role.role_arn)
            }
            Source::Instance(_) => "the EC2 instance's role (instance metadata)".into(),
            Source::Container(_) => "the container's role (ECS credentials endpoint)".into(),
            Source::Sso(role) => format!(
                "SSO role {} in account {} ({})",
                role.role_name, role.account_id, role.start_url
            ),
        }
    }

    /// The keys the chain starts from, when they are known without running anything.
    pub fn root_keys(&self) -> Option<RootKeys<'_>> {
        let profile = match &self.source {
            Source::Static(keys) => keys.profile.as_deref(),
            _ => None,
        };
        Some(RootKeys {
            credentials: self.source.credentials()?,
            profile,
        })
    }

    /// The GetSessionToken call in front of the roles, if the chain has one.
    pub fn mfa_session(&self) -> Option<&Session> {
        self.steps.iter().find_map(|step| match step {
            Step::MfaSession(session) => Some(session),
            Step::AssumeRole(_) => None,
        })
    }

    /// The roles assumed, from the root up; a role with `mfa_serial` carries the code.
    pub fn hops(&self) -> impl Iterator<Item = &Role> {
        self.steps.iter().filter_map(|step| match step {
            Step::AssumeRole(role) => Some(role),
            Step::MfaSession(_) => None,
        })
    }

    /// The MFA device the chain sends a code for, where it was named, and the call that
    /// sends it: the MFA session's, or a role's when the root cannot hold a session.
    pub fn mfa_device(&self) -> Option<MfaDevice<'_>> {
        let (serial, carrier) = self.steps.iter().find_map(|step| match step {
            Step::MfaSession(session) => Some((session.serial.as_str(), session.profile.as_str())),
            Step::AssumeRole(role) => Some((role.mfa_serial.as_deref()?, role.profile.as_str())),
        })?;
        Some(MfaDevice {
            serial,
            from: self.mfa_from.as_deref(),
            carrier,
        })
    }

    /// The cache key of the chain's MFA session: how `status` finds it without a call.
    pub fn mfa_session_key(self) -> Option<Key> {
        let endpoint = self.sts.endpoint.as_deref().unwrap_or("").to_owned();
        let session = self.steps.into_iter().find_map(|step| match step {
            Step::MfaSession(session) => Some(session),
            Step::AssumeRole(_) => None,
        })?;
        let source = self.source.into_provider(&endpoint);
        let fetch = SessionToken {
            session,
            endpoint,
            source,
        };
        Some(fetch.key())
    }

    /// Who the credentials are: the last role the chain assumes, or the role its root is
    /// (web identity), or the SSO role's account and name.
    pub fn destination(&self) -> Destination<'_> {
        let role = self.hops().last().or(match &self.source {
            Source::WebIdentity { role, .. } => Some(role),
            _ => None,
        });
        if let Some(role) = role {
            return Destination {
                role_arn: Some(&role.role_arn),
                account: account_of(&role.role_arn),
                sso_role: None,
            };
        }
        match &self.source {
            Source::Sso(role) => Destination {
                role_arn: None,
                account: Some(role.account_id.clone()),
                sso_role: Some(&role.role_name),
            },
            _ => Destination::default(),
        }
    }
}

/// The account in an ARN (`arn:aws:iam::123456789012:role/x`).
pub(super) fn account_of(arn: &str) -> Option<String> {
    let account = arn.split(':').nth(4)?;
    (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())).then(|| account.to_owned())
}

/// An access key id as the AWS CLI shows it: enough to tell keys apart, no more.
fn masked(access_key_id: &str) -> String {
    let tail: String = access_key_id
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("access key ****{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ProfileFiles, parse};
    use crate::resolve::{Overrides, plan};

    const CONFIG: &str = "\
[profile user]
aws_access_key_id = AKIAUSER00000001
aws_secret_access_key = s
mfa_serial = arn:aws:iam::111111111111:mfa/user
[profile mid]
role_arn = arn:aws:iam::222222222222:role/mid
source_profile = user
mfa_serial = arn:aws:iam::111111111111:mfa/mid
[profile top]
role_arn = arn:aws:iam::333333333333:role/top
source_profile = mid
[profile corp]
sso_session = corp
sso_account_id = 444444444444
sso_role_name = Dev
[sso-session corp]
sso_start_url = https://example.awsapps.com/start
sso_region = eu-west-1
";

    fn plan_of(name: &str) -> Plan {
        let set = parse(&ProfileFiles::from_strings(CONFIG, "")).unwrap();
        plan(&set, name, &Overrides::default(), &|_| None).unwrap()
    }

    #[test]
    fn the_device_is_named_where_the_walk_found_it_and_sent_by_the_session() {
        let top = plan_of("top");
        let device = top.mfa_device().unwrap();
        assert_eq!(device.serial, "arn:aws:iam::111111111111:mfa/mid");
        assert_eq!(device.from, Some("mid"));
        assert_eq!(device.carrier, "user");
        assert_eq!(top.mfa_session().unwrap().profile, "user");
        let hops: Vec<&str> = top.hops().map(|r| r.profile.as_str()).collect();
        assert_eq!(hops, ["mid", "top"]);
        assert_eq!(
            top.root_keys().unwrap().whose(),
            "the keys of profile 'user'"
        );
        assert_eq!(
            top.root_description(),
            "keys of 'user' (access key ****0001)"
        );
    }

    #[test]
    fn the_destination_is_the_last_role_or_the_sso_role() {
        let top = plan_of("top");
        assert_eq!(
            top.destination(),
            Destination {
                role_arn: Some("arn:aws:iam::333333333333:role/top"),
                account: Some("333333333333".into()),
                sso_role: None,
            }
        );
        let corp = plan_of("corp");
        assert!(corp.root_keys().is_none());
        assert_eq!(
            corp.destination(),
            Destination {
                role_arn: None,
                account: Some("444444444444".into()),
                sso_role: Some("Dev"),
            }
        );
        assert_eq!(plan_of("user").destination(), Destination::default());
    }

    #[test]
    fn access_keys_are_masked() {
        assert_eq!(masked("AKIAALICEEXAMPLE0001"), "access key ****0001");
    }
}
