//! Whether the MFA device the chain names is one of the IAM user's, and enabled: GetUser,
//! then ListMFADevices, with the long-term keys the chain starts from.

use super::Check;
use crate::cmd::Env;
use crate::iam::{Device, Iam, IamError};
use crate::mfa::Serial;
use crate::resolve::Plan;

const CHECK: &str = "MFA device enabled";

pub(super) fn check(plan: &Plan, env: Env<'_>) -> Check {
    let Some(serial) = plan.mfa_device().map(|device| device.serial) else {
        return Check::skip(CHECK, "no MFA device in this chain (no mfa_serial)");
    };
    if Serial::parse(serial).is_err() {
        return Check::skip(CHECK, "not checked: mfa_serial is not well-formed");
    }
    let Some(keys) = plan.root_keys() else {
        return Check::skip(
            CHECK,
            "not checked: the chain starts from credentials that are fetched (a process or a service), not an IAM user's long-term keys",
        );
    };
    let fix = Fix::for_keys(keys.profile);
    let listed =
        Iam::new(keys.credentials, &plan.sts.region, &plan.sts.http, env).and_then(|iam| {
            let user = iam.user()?;
            let devices = iam.devices(&user.name)?;
            Ok((user.name, devices))
        });
    match listed {
        Ok((user, devices)) => verdict(serial, &user, &devices, &fix),
        Err(IamError::AccessDenied(message)) => Check::skip(
            CHECK,
            format!(
                "not checked: these keys are not permitted to list MFA devices (iam:GetUser, iam:ListMFADevices): {message}"
            ),
        ),
        Err(IamError::RootKeys) => Check::skip(
            CHECK,
            "not checked: these are the account's root keys; the console shows the root user's MFA devices",
        ),
        Err(error) => Check::fail(
            CHECK,
            format!("could not list the IAM user's MFA devices: {error}"),
            "see the message; `rsume --debug doctor` shows the calls",
        ),
    }
}

/// Where to see the user's devices and register one: rsume's commands for a profile with
/// keys, else the AWS CLI and the console.
struct Fix {
    list: String,
    setup: String,
}

impl Fix {
    /// `profile`: the one the keys are written in, if any.
    fn for_keys(profile: Option<&str>) -> Fix {
        match profile {
            Some(profile) => Fix {
                list: format!("`rsume mfa list {profile}`"),
                setup: format!("`rsume mfa setup {profile}`"),
            },
            None => Fix {
                list: "`aws iam list-mfa-devices`".into(),
                setup: "the IAM console (Security credentials)".into(),
            },
        }
    }
}

fn verdict(serial: &str, user: &str, devices: &[Device], fix: &Fix) -> Check {
    match devices.iter().find(|device| device.serial == serial) {
        Some(Device {
            enabled: Some(at), ..
        }) => Check::pass(
            CHECK,
            format!(
                "{serial} is the IAM user {user}'s, enabled since {}",
                crate::time::rfc3339(*at)
            ),
        ),
        Some(_) => Check::fail(
            CHECK,
            format!("{serial} is assigned to the IAM user {user} but not enabled"),
            format!(
                "enable it in the IAM console, or register a new one with {}",
                fix.setup
            ),
        ),
        None => Check::fail(
            CHECK,
            format!(
                "{serial} is not among the IAM user {user}'s MFA devices ({} listed)",
                devices.len()
            ),
            format!(
                "set mfa_serial to a device that {} shows, or register one with {}",
                fix.list, fix.setup
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::super::Outcome;
    use super::*;
    use std::time::SystemTime;

    const SERIAL: &str = "arn:aws:iam::123456789012:mfa/alice";

    fn fix() -> Fix {
        Fix {
            list: "`rsume mfa list alice`".into(),
            setup: "`rsume mfa setup alice`".into(),
        }
    }

    fn device(serial: &str, enabled: Option<SystemTime>) -> Device {
        Device {
            serial: serial.into(),
            enabled,
        }
    }

    #[test]
    fn the_named_device_must_be_listed_and_enabled() {
        let other = device(
            "arn:aws:iam::123456789012:mfa/other",
            Some(SystemTime::now()),
        );
        let enabled = verdict(
            SERIAL,
            "alice",
            &[other, device(SERIAL, Some(SystemTime::UNIX_EPOCH))],
            &fix(),
        );
        assert_eq!(enabled.outcome, Outcome::Pass);
        assert_eq!(
            enabled.detail,
            format!("{SERIAL} is the IAM user alice's, enabled since 1970-01-01T00:00:00Z")
        );

        let missing = verdict(SERIAL, "alice", &[], &fix());
        assert_eq!(missing.outcome, Outcome::Fail);
        assert!(missing.detail.ends_with("(0 listed)"), "{}", missing.detail);
        let fix_text = missing.fix.unwrap();
        assert!(fix_text.contains("`rsume mfa list alice`"), "{fix_text}");
        assert!(fix_text.contains("`rsume mfa setup alice`"), "{fix_text}");

        let dateless = verdict(SERIAL, "alice", &[device(SERIAL, None)], &fix());
        assert_eq!(dateless.outcome, Outcome::Fail);
        assert!(dateless.detail.ends_with("but not enabled"));
    }
}
