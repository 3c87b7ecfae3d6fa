//! Ad-hoc roles (`--role-arn`): a role no profile names, assumed with the credentials of
//! `--source-profile`, else with those already in the environment (as AWSume does). It
//! becomes the same kind of plan as a profile's, so it is cached and fetched like any other.

use super::{
    Overrides, Plan, ResolveError, Source, Step, build, check_duration, endpoint, plan,
    session_duration, sts_target,
};
use crate::config::ProfileSet;
use crate::credentials::{Credentials, Secret};
use crate::sts::SessionScope;
use crate::vault::{Chain, ROLE_DURATION_RANGE, Role, Session, StaticKeys, default_session_name};

/// What the command line asks of an ad-hoc role.
#[derive(Clone, Debug, Default)]
pub struct AdHoc {
    /// A full ARN (`--role-arn` makes one of each spelling it takes).
    pub role_arn: String,
    pub source_profile: Option<String>,
    pub external_id: Option<String>,
    pub session_name: Option<String>,
    pub mfa_serial: Option<String>,
    pub scope: SessionScope,
}

impl AdHoc {
    /// How runs, the cache and prompts name this role: `NAME@ACCOUNT`.
    pub fn name(&self) -> String {
        let account = self.role_arn.split(':').nth(4).unwrap_or_default();
        let role = self.role_arn.rsplit('/').next().unwrap_or_default();
        format!("{role}@{account}")
    }
}

/// The chain for an ad-hoc role: the source's own chain (or the environment's keys), an MFA
/// session in front when `--mfa-serial` asks for one, then the role.
pub fn adhoc_chain(
    set: &ProfileSet,
    adhoc: &AdHoc,
    overrides: &Overrides,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Chain, ResolveError> {
    let name = adhoc.name();
    let mut plan = match &adhoc.source_profile {
        // --role-duration is for the ad-hoc role, not for the source's last role.
        Some(source) => {
            let source_overrides = Overrides {
                role_duration: None,
                ..overrides.clone()
            };
            plan(set, source, &source_overrides, env)?
        }
        None => environment_plan(set, &name, overrides, env)?,
    };
    // The code for `--mfa-serial`: with the MFA session, else with a new one over long-term
    // keys, else (credentials that cannot call GetSessionToken) with the ad-hoc role.
    let mut role_mfa = None;
    if let Some(serial) = &adhoc.mfa_serial {
        match plan.steps.first_mut() {
            Some(Step::MfaSession(session)) => session.serial = serial.clone(),
            _ if !plan.source.holds_long_term_keys() => role_mfa = Some(serial.clone()),
            _ => {
                let owner = adhoc.source_profile.as_deref().unwrap_or("environment");
                plan.steps.insert(
                    0,
                    Step::MfaSession(Session {
                        profile: owner.into(),
                        serial: serial.clone(),
                        duration: session_duration(overrides, None)?,
                    }),
                );
            }
        }
    }
    let duration = overrides
        .role_duration
        .map(|seconds| check_duration(seconds, ROLE_DURATION_RANGE, "--role-duration", None))
        .transpose()?;
    let role_name = adhoc.role_arn.rsplit('/').next().unwrap_or_default();
    plan.steps.push(Step::AssumeRole(Role {
        profile: name.clone(),
        role_arn: adhoc.role_arn.clone(),
        external_id: adhoc.external_id.clone(),
        session_name: adhoc
            .session_name
            .clone()
            .unwrap_or_else(|| default_session_name(role_name)),
        duration,
        mfa_serial: role_mfa,
        scope: adhoc.scope.clone(),
    }));
    // The role is a call of its own: it goes through the user's proxies and CA roots.
    let source = adhoc.source_profile.as_deref().and_then(|n| set.profile(n));
    plan.sts.http = super::network::http_settings(source, env)?;
    // A source of plain keys made no STS call, so its endpoint was not checked yet.
    if let Some(url) = &plan.sts.endpoint {
        endpoint::check(url, &name, super::http_allowed(env))?;
    }
    plan.profile = name;
    Ok(build(plan))
}

/// A plan that starts from the keys in the environment, with no steps yet.
fn environment_plan(
    set: &ProfileSet,
    name: &str,
    overrides: &Overrides,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Plan, ResolveError> {
    let var = |key| env(key).filter(|v: &String| !v.is_empty());
    let (Some(access_key_id), Some(secret)) =
        (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY"))
    else {
        return Err(ResolveError::NoSourceInEnvironment);
    };
    let credentials = Credentials {
        access_key_id,
        secret_access_key: Secret::new(secret),
        session_token: var("AWS_SESSION_TOKEN").map(Secret::new),
        expiration: None,
    };
    let endpoint = endpoint::sts_endpoint(set, None, env);
    let region = overrides.region.clone();
    Ok(Plan {
        profile: name.into(),
        source: Source::Environment(StaticKeys {
            profile: None,
            credentials,
        }),
        steps: Vec::new(),
        mfa_from: None,
        sts: sts_target(
            region.as_deref(),
            endpoint,
            Default::default(),
            overrides,
            env,
        ),
        region,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_is_role_at_account() {
        let adhoc = AdHoc {
            role_arn: "arn:aws:iam::123456789012:role/ops/admin".into(),
            ..AdHoc::default()
        };
        assert_eq!(adhoc.name(), "admin@123456789012");
    }
}
