//! `rsume mfa list PROFILE`: the IAM user's MFA devices, marking the one the profile uses.

use super::UserProfile;
use crate::cmd::table::table;
use crate::cmd::{Env, Output};
use crate::log::printable;

pub(super) fn run(profile: &str, env: Env<'_>) -> anyhow::Result<Output> {
    let user_profile = UserProfile::load(profile, env)?;
    let iam = user_profile.iam(env)?;
    let user = iam.user()?;
    let devices = iam.devices(&user.name)?;
    let used = user_profile.mfa_serial.as_deref();
    let mut rows = vec![[
        "DEVICE".to_owned(),
        "ENABLED".into(),
        format!("USED BY {profile}"),
    ]];
    rows.extend(devices.iter().map(|device| {
        [
            device.serial.clone(),
            device.enabled.map(crate::time::rfc3339).unwrap_or_default(),
            if used == Some(device.serial.as_str()) {
                "yes".into()
            } else {
                String::new()
            },
        ]
    }));
    let mut text = format!("MFA devices of the IAM user {}:\n", printable(&user.name));
    if devices.is_empty() {
        text.push_str(&format!(
            "none; `rsume mfa setup {}` registers one\n",
            printable(profile)
        ));
    } else {
        text.push_str(&table(&rows));
    }
    match used {
        Some(serial) if !devices.iter().any(|d| d.serial == serial) => text.push_str(&format!(
            "profile '{}' names mfa_serial {}, which is not among them\n",
            printable(profile),
            printable(serial)
        )),
        None => text.push_str(&format!(
            "profile '{}' has no mfa_serial\n",
            printable(profile)
        )),
        Some(_) => {}
    }
    Ok(Output::Text(text))
}
