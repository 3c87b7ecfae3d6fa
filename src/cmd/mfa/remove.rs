//! `rsume mfa remove PROFILE`: deactivate (and delete, when virtual) one of the IAM user's
//! MFA devices, after asking, and drop the profile's `mfa_serial` that named it.

use std::io::{BufRead, BufReader, Write};

use super::{MfaSetupError, UserProfile, terminal};
use crate::cmd::{Env, Output};
use crate::iam::Device;
use crate::log::printable;
use crate::mfa::{Serial, SerialKind};

pub(super) fn run(
    profile: &str,
    serial: Option<&str>,
    yes: bool,
    env: Env<'_>,
) -> anyhow::Result<Output> {
    let user_profile = UserProfile::load(profile, env)?;
    let iam = user_profile.iam(env)?;
    let user = iam.user()?;
    let devices = iam.devices(&user.name)?;
    let device = pick(
        &devices,
        serial.or(user_profile.mfa_serial.as_deref()),
        &user.name,
        profile,
    )?;
    if !yes {
        confirm(&format!(
            "Deactivate and delete the MFA device {} of the IAM user {}? [y/N] ",
            printable(&device.serial),
            printable(&user.name)
        ))?;
    }
    iam.deactivate(&user.name, &device.serial)?;
    let mut text = format!("Deactivated {}", printable(&device.serial));
    // Only a virtual device can be deleted; a hardware key or passkey is only unassigned.
    if is_virtual(&device.serial) {
        iam.delete_virtual_device(&device.serial)?;
        text.push_str(" and deleted it");
    }
    text.push_str(".\n");
    let changed = user_profile
        .forget_serial(profile, &device.serial)
        .map_err(|source| MfaSetupError::SerialKept {
            profile: profile.into(),
            source: Box::new(source),
        })?;
    for path in changed {
        text.push_str(&format!(
            "Removed its mfa_serial from profile '{}' in {}.\n",
            printable(profile),
            printable(&path.display().to_string())
        ));
    }
    Ok(Output::Text(text))
}

/// Whether IAM can delete the device (DeleteVirtualMFADevice): a serial of the `mfa/` kind.
fn is_virtual(serial: &str) -> bool {
    Serial::parse(serial).is_ok_and(|serial| serial.kind() == SerialKind::Device)
}

/// The device to remove: the one asked for, else the user's only one.
fn pick<'a>(
    devices: &'a [Device],
    serial: Option<&str>,
    user: &str,
    profile: &str,
) -> Result<&'a Device, MfaSetupError> {
    match (serial, devices) {
        (Some(serial), _) => {
            devices
                .iter()
                .find(|d| d.serial == serial)
                .ok_or_else(|| MfaSetupError::NotTheUsers {
                    serial: serial.into(),
                    user: user.into(),
                    profile: profile.into(),
                })
        }
        (None, [only]) => Ok(only),
        (None, []) => Err(MfaSetupError::NoDevice { user: user.into() }),
        (None, many) => Err(MfaSetupError::WhichDevice {
            user: user.into(),
            count: many.len(),
            profile: profile.into(),
        }),
    }
}

/// Asks a yes/no question on the terminal; only `y` or `yes` goes ahead.
fn confirm(question: &str) -> Result<(), MfaSetupError> {
    let mut tty = terminal("remove").map_err(|_| MfaSetupError::NoConfirmation)?;
    tty.write_all(question.as_bytes())
        .map_err(|_| MfaSetupError::NoConfirmation)?;
    let mut answer = String::new();
    BufReader::new(tty)
        .read_line(&mut answer)
        .map_err(|_| MfaSetupError::NoConfirmation)?;
    match answer.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Ok(()),
        _ => Err(MfaSetupError::NotConfirmed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(serial: &str) -> Device {
        Device {
            serial: serial.into(),
            enabled: None,
        }
    }

    #[test]
    fn only_a_virtual_device_is_deleted() {
        assert!(is_virtual("arn:aws:iam::123456789012:mfa/alice"));
        assert!(is_virtual("arn:aws-cn:iam::123456789012:mfa/team/alice"));
        assert!(!is_virtual("GAHT12345678"));
        assert!(!is_virtual(
            "arn:aws:iam::123456789012:u2f/user/alice/default-ABCDEFGHIJKL"
        ));
    }

    #[test]
    fn picks_the_named_device_or_the_only_one() {
        let one = [device("arn:aws:iam::1:mfa/a")];
        let two = [
            device("arn:aws:iam::1:mfa/a"),
            device("arn:aws:iam::1:mfa/b"),
        ];
        assert_eq!(
            pick(&one, None, "u", "p").unwrap().serial,
            "arn:aws:iam::1:mfa/a"
        );
        assert_eq!(
            pick(&two, Some("arn:aws:iam::1:mfa/b"), "u", "p")
                .unwrap()
                .serial,
            "arn:aws:iam::1:mfa/b"
        );
        let error = pick(&two, None, "u", "p").unwrap_err().to_string();
        assert!(
            error.contains("--serial") && error.contains("rsume mfa list p"),
            "{error}"
        );
        assert!(pick(&[], None, "u", "p").is_err());
        let error = pick(&one, Some("arn:x"), "u", "p").unwrap_err().to_string();
        assert!(
            error.contains("arn:x is not an MFA device of the IAM user u"),
            "{error}"
        );
    }
}
