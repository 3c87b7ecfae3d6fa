//! The checks on the profile: it resolves to a chain (drawn hop by hop: which keys, which
//! MFA device, which roles), its MFA device is named in a form STS accepts, and IAM knows
//! that device (device.rs).

use super::Check;
use crate::cmd::Env;
use crate::config::ProfileSet;
use crate::mfa::Serial;
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
        Err(error @ resolve::ResolveError::SecurityKeySerial { .. }) => {
            checks.push(Check::fail("mfa_serial", error.to_string(), SERIAL_FIX));
            return None;
        }
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
    // A security key's serial never gets here: the plan refuses it (resolve::place_mfa).
    let problem = match Serial::parse(serial) {
        Ok(_) => return Check::pass(CHECK, format!("{serial} is well-formed")),
        Err(malformed) => malformed.to_string(),
    };
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
        format!("mfa_serial = {serial}{at} {problem}"),
        SERIAL_FIX,
    )
}

const SERIAL_FIX: &str = "set it to a TOTP device's ARN as `aws iam list-mfa-devices` shows it: arn:aws:iam::ACCOUNT:mfa/NAME";
