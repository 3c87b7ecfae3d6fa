//! The checks on the profile: it resolves to a chain (drawn hop by hop: which keys, which
//! MFA device, which roles), its MFA device is named in a form STS accepts, and IAM knows
//! that device (device.rs).

use super::Check;
use crate::cmd::Env;
use crate::config::ProfileSet;
use crate::mfa::Serial;
use crate::resolve::{self, Overrides, Plan, Source, Step};
use crate::vault::Fetch as _;

/// Resolves `profile`; the plan comes back when it does. `first_run`: no AWS file exists
/// yet, so the fix is to create one.
pub(super) fn check(
    set: &ProfileSet,
    first_run: bool,
    profile: &str,
    overrides: &Overrides,
    env: Env<'_>,
    checks: &mut Vec<Check>,
) -> Option<Plan> {
    const CHECK: &str = "profile";
    let plan = match resolve::plan(set, profile, overrides, env) {
        Ok(plan) => plan,
        Err(error) => {
            let fix = if first_run {
                crate::cmd::profiles::FIRST_SESSION
            } else {
                "change the profile as the message says (docs/configuration.md describes each setting)"
            };
            checks.push(Check::fail(CHECK, error.to_string(), fix));
            return None;
        }
    };
    let mut resolved = Check::pass(CHECK, format!("'{profile}' resolves to this chain:"));
    resolved.lines = draw(&plan);
    checks.push(resolved);
    checks.push(mfa_serial(set, profile, &plan));
    checks.push(super::device::check(&plan, env));
    Some(plan)
}

/// One line per hop, from the keys to the credentials the profile gives.
fn draw(plan: &Plan) -> Vec<String> {
    let mut lines = vec![match &plan.source {
        Source::Static(keys) => format!(
            "keys of '{}' ({})",
            keys.profile,
            masked(&keys.credentials.access_key_id)
        ),
        Source::Environment(environment) => format!(
            "keys from AWS_ACCESS_KEY_ID ({})",
            masked(&environment.credentials.access_key_id)
        ),
        Source::Process(process) => process.describe(),
        Source::WebIdentity { role, .. } => format!("web identity token for {}", role.role_arn),
        Source::Instance(_) => "the EC2 instance's role (instance metadata)".into(),
        Source::Container(_) => "the container's role (ECS credentials endpoint)".into(),
        Source::Sso(role) => format!(
            "SSO role {} in account {} ({})",
            role.role_name, role.account_id, role.start_url
        ),
    }];
    for step in &plan.steps {
        lines.push(match step {
            Step::MfaSession(session) => format!(
                "-> MFA session with {} for {} s (GetSessionToken)",
                session.serial, session.duration
            ),
            Step::AssumeRole(role) => format!(
                "-> role {} for profile '{}' (AssumeRole)",
                role.role_arn, role.profile
            ),
        });
    }
    lines
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

/// The MFA device the chain sends a code for, and the profile of the step that sends it:
/// the MFA session's, or a role's when the root cannot hold a session (SSO, a process).
pub(super) fn mfa_device(plan: &Plan) -> Option<(&str, &str)> {
    plan.steps.iter().find_map(|step| match step {
        Step::MfaSession(session) => Some((session.serial.as_str(), session.profile.as_str())),
        Step::AssumeRole(role) => Some((role.mfa_serial.as_deref()?, role.profile.as_str())),
    })
}

fn mfa_serial(set: &ProfileSet, profile: &str, plan: &Plan) -> Check {
    const CHECK: &str = "mfa_serial";
    let Some((serial, carrier)) = mfa_device(plan) else {
        return Check::skip(CHECK, "no MFA device in this chain (no mfa_serial)");
    };
    let at = || {
        [profile, carrier]
            .into_iter()
            .find_map(|name| set.profile(name)?.location("mfa_serial"))
            .map(|location| format!(" at {location}"))
            .unwrap_or_default()
    };
    let problem = match Serial::parse(serial) {
        Ok(parsed) if parsed.is_totp() => {
            return Check::pass(CHECK, format!("{serial} is well-formed"));
        }
        Ok(_) => "is a security key, which gives no codes: STS takes them only from a virtual or hardware TOTP device".to_owned(),
        Err(malformed) => malformed.to_string(),
    };
    Check::fail(
        CHECK,
        format!("mfa_serial = {serial}{} {problem}", at()),
        "set it to the device's ARN as `aws iam list-mfa-devices` shows it: arn:aws:iam::ACCOUNT:mfa/NAME",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_keys_are_masked() {
        assert_eq!(masked("AKIAALICEEXAMPLE0001"), "access key ****0001");
    }
}
