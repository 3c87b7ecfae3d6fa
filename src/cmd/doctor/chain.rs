//! The checks on the profile: it resolves to a chain (drawn hop by hop: which keys, which
//! MFA device, which roles), its MFA device is named in a form STS accepts, and IAM knows
//! that device (device.rs).

use super::Check;
use crate::cmd::Env;
use crate::config::ProfileSet;
use crate::resolve::{self, Overrides, Plan};

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
    let mut lines = vec![plan.root_description()];
    if let Some(session) = plan.mfa_session() {
        lines.push(format!(
            "-> MFA session with {} for {} s (GetSessionToken)",
            session.serial, session.duration
        ));
    }
    for role in plan.hops() {
        lines.push(format!(
            "-> role {} for profile '{}' (AssumeRole)",
            role.role_arn, role.profile
        ));
    }
    lines
}

fn mfa_serial(set: &ProfileSet, profile: &str, plan: &Plan) -> Check {
    const CHECK: &str = "mfa_serial";
    let Some(device) = plan.mfa_device() else {
        return Check::skip(CHECK, "no MFA device in this chain (no mfa_serial)");
    };
    let serial = device.serial;
    if well_formed(serial) {
        return Check::pass(CHECK, format!("{serial} is well-formed"));
    }
    // Where the device is named; the others are a fallback for a location unknown.
    let at = device
        .from
        .into_iter()
        .chain([profile, device.carrier])
        .find_map(|name| set.profile(name)?.location("mfa_serial"))
        .map(|location| format!(" at {location}"))
        .unwrap_or_default();
    Check::fail(
        CHECK,
        format!(
            "mfa_serial = {serial}{at} is neither an MFA device ARN nor a hardware token's serial number"
        ),
        "set it to the device's ARN as `aws iam list-mfa-devices` shows it: arn:aws:iam::ACCOUNT:mfa/NAME",
    )
}

/// A virtual device's ARN (`arn:aws:iam::123456789012:mfa/alice`, a path allowed), or a
/// hardware token's serial number, as STS's SerialNumber accepts them.
pub(super) fn well_formed(serial: &str) -> bool {
    let name_char = |c: char| c.is_ascii_alphanumeric() || "+=,.@_-/".contains(c);
    let Some(rest) = serial.strip_prefix("arn:") else {
        return (9..=256).contains(&serial.len()) && serial.chars().all(name_char);
    };
    let parts: Vec<&str> = rest.splitn(5, ':').collect();
    let [partition, service, region, account, resource] = parts[..] else {
        return false;
    };
    let partition_ok = partition == "aws"
        || partition.strip_prefix("aws-").is_some_and(|p| {
            !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c == '-')
        });
    let name = resource.strip_prefix("mfa/").unwrap_or("");
    partition_ok
        && service == "iam"
        && region.is_empty()
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && !name.is_empty()
        && !name.ends_with('/')
        && name.chars().all(name_char)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mfa_serials() {
        for good in [
            "arn:aws:iam::123456789012:mfa/alice",
            "arn:aws-us-gov:iam::123456789012:mfa/team/alice.b@x",
            "arn:aws-cn:iam::123456789012:mfa/alice",
            "GAHT12345678",
        ] {
            assert!(well_formed(good), "{good}");
        }
        for bad in [
            "arn:aws:iam::123456789012:user/alice",
            "arn:aws:iam::12345678901:mfa/alice",
            "arn:aws:iam:us-east-1:123456789012:mfa/alice",
            "arn:aws:sts::123456789012:mfa/alice",
            "arn:aws:iam::123456789012:mfa/",
            "arn:aws:iam::123456789012:mfa/ali ce",
            "alice",
            "",
        ] {
            assert!(!well_formed(bad), "{bad}");
        }
    }
}
