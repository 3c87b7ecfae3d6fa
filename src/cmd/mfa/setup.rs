//! `rsume mfa setup PROFILE`: a virtual MFA device for the profile's IAM user, from creation
//! to the profile's `mfa_serial`, leaving no unassigned device behind when a step fails.
//!
//! The seed is the device's key: it goes to the terminal (as a QR code and as text) and to
//! the PNG the user asked for, nowhere else.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use super::{UserProfile, terminal};
use crate::cmd::{Env, Output};
use crate::config::FileKind;
use crate::config::edit::EditError;
use crate::config::update::update;
use crate::iam::{Iam, IamError, NewDevice, User};
use crate::log::printable;
use crate::mfa::{MfaCode, MfaError};
use crate::qr::Qr;

/// The issuer authenticator apps show above the code.
const ISSUER: &str = "AWS";

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(
        "cannot create {}: {source} (it must be a new file: it will hold the device's secret)",
        path.display()
    )]
    Png {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("could not show the QR code on the terminal: {0}")]
    Show(std::io::Error),
    #[error(
        "a device named '{name}' already exists in the account, and it is not the IAM user's (perhaps from an earlier attempt): choose another name with --device-name, or, if no one uses it, delete it with  aws iam delete-virtual-mfa-device --serial-number {serial}"
    )]
    NameTaken { name: String, serial: String },
    #[error(
        "the IAM user {user} already has the MFA device {serial}, but profile '{profile}' does not name it: to use it, set  mfa_serial = {serial}  in the profile; to add another device, choose a name with --device-name"
    )]
    UsersDevice {
        user: String,
        serial: String,
        profile: String,
    },
    #[error("no codes for the new device")]
    NoCodes(#[source] MfaError),
    #[error("the device was not enabled, so it was deleted again; run rsume mfa setup again")]
    NotEnabled(#[source] IamError),
    #[error(
        "the device {serial} is enabled, but mfa_serial could not be written; add  mfa_serial = {serial}  to profile '{profile}' yourself"
    )]
    SerialNotWritten {
        serial: String,
        profile: String,
        #[source]
        source: Box<EditError>,
    },
    #[error(
        "the device was not enabled, and deleting it failed too ({cleanup}); delete it with  aws iam delete-virtual-mfa-device --serial-number {serial}"
    )]
    Orphan {
        serial: String,
        cleanup: IamError,
        #[source]
        cause: anyhow::Error,
    },
}

pub fn run(
    profile: &str,
    device_name: Option<&str>,
    qr_png: Option<&Path>,
    env: Env<'_>,
) -> anyhow::Result<Output> {
    let user_profile = UserProfile::load(profile, env)?;
    let mut tty = terminal("setup")?;
    let iam = user_profile.iam(env)?;
    let user = iam.user()?;
    let name = device_name.unwrap_or(&user.name);
    let in_use = user_profile.mfa_serial.as_deref();
    let serial = serial_of(&user, name);
    if in_use == Some(serial.as_str()) && has_device(&iam, &user, &serial)? {
        return Ok(already_in_use(&serial, profile));
    }
    // The device the profile asks for now, if the new one replaces it as mfa_serial.
    let replaced = in_use.filter(|old| *old != serial);
    if let Some(old) = replaced {
        crate::log::info(format_args!(
            "profile '{}' asks for codes of {} now; once the new device is enabled it asks for the new one's (the old device stays enabled)",
            printable(profile),
            printable(old)
        ));
    }
    // Opened before the device exists, so a bad path leaves nothing to clean up.
    let png = qr_png.map(new_private_file).transpose()?;
    let registered = create(&iam, &user, name, profile).and_then(|device| {
        match register(&iam, &user, &device, png, &mut tty) {
            Ok(()) => Ok(device),
            Err(cause) => Err(undo(&iam, &device, cause)),
        }
    });
    if registered.is_err() {
        forget_png(qr_png);
    }
    let device = registered?;
    let config = &user_profile.config;
    write_serial(config, profile, &device.serial).map_err(|source| {
        SetupError::SerialNotWritten {
            serial: device.serial.clone(),
            profile: profile.into(),
            source: Box::new(source),
        }
    })?;
    if let Some(elsewhere) = user_profile.serial_location.filter(|at| at.path != *config) {
        crate::log::warn(format_args!(
            "mfa_serial at {elsewhere} wins over the config file's: remove it there"
        ));
    }
    Ok(Output::Text(enabled(
        &device.serial,
        &user,
        profile,
        config,
        replaced,
    )))
}

/// What setup did: the device, the profile's new `mfa_serial`, the one it replaced, and the
/// device whose codes the next prompt asks for.
fn enabled(
    serial: &str,
    user: &User,
    profile: &str,
    config: &Path,
    replaced: Option<&str>,
) -> String {
    let mut text = format!(
        "Enabled the MFA device {} for the IAM user {}.\n\
         Set  mfa_serial = {}  in profile '{}' in {}",
        printable(serial),
        printable(&user.name),
        printable(serial),
        printable(profile),
        printable(&config.display().to_string()),
    );
    if let Some(old) = replaced {
        text.push_str(&format!(
            " (it named {old} before; that device stays enabled, and  rsume mfa remove {profile} --serial {old}  removes it)",
            old = printable(old),
            profile = printable(profile),
        ));
    }
    text.push_str(&format!(
        ": rsume {} now asks for codes of {}.\n",
        printable(profile),
        printable(serial)
    ));
    text
}

/// The serial IAM gives a virtual device named `name` in the user's account.
fn serial_of(user: &User, name: &str) -> String {
    let partition = user.arn.split(':').nth(1).unwrap_or("aws");
    format!("arn:{partition}:iam::{}:mfa/{name}", user.account())
}

/// Setup asked again for the device the profile already uses: nothing to do.
fn already_in_use(serial: &str, profile: &str) -> Output {
    Output::Text(format!(
        "Profile '{profile}' already uses the MFA device {serial}, and it works: rsume {profile} asks for its codes. Nothing was changed.\n\
         To add a second device (another phone, say), run  rsume mfa setup {profile} --device-name NAME  (the profile then asks for the new device's codes; the old one stays enabled).\n",
        profile = printable(profile),
        serial = printable(serial),
    ))
}

/// Sets the profile's `mfa_serial` in the config file, changing no other byte.
fn write_serial(config: &Path, profile: &str, serial: &str) -> Result<(), EditError> {
    update(FileKind::Config, config, |document| {
        document.set(profile, "mfa_serial", serial)
    })
}

/// Creates the device; a name already taken is explained by whose device it is.
fn create(iam: &Iam, user: &User, name: &str, profile: &str) -> anyhow::Result<NewDevice> {
    iam.create_virtual_device(name)
        .map_err(|error| match error {
            IamError::AlreadyExists(_) => name_taken(iam, user, name, profile),
            other => other.into(),
        })
}

/// Whether `serial` is one of the user's devices (ListMFADevices).
fn has_device(iam: &Iam, user: &User, serial: &str) -> Result<bool, IamError> {
    let devices = iam.devices(&user.name)?;
    Ok(devices.iter().any(|device| device.serial == serial))
}

/// Why the name is taken: by another of the user's devices (the one the profile uses was
/// found before creating), or by one that is not the user's: only then is deleting it
/// suggested.
fn name_taken(iam: &Iam, user: &User, name: &str, profile: &str) -> anyhow::Error {
    let serial = serial_of(user, name);
    match has_device(iam, user, &serial) {
        Ok(true) => SetupError::UsersDevice {
            user: user.name.clone(),
            serial,
            profile: profile.into(),
        }
        .into(),
        Ok(false) => SetupError::NameTaken {
            name: name.into(),
            serial,
        }
        .into(),
        Err(error) => error.into(),
    }
}

/// Deletes a device that could not be enabled, so no orphan is left, and says what happened.
fn undo(iam: &Iam, device: &NewDevice, cause: anyhow::Error) -> anyhow::Error {
    match iam.delete_virtual_device(&device.serial) {
        Ok(()) => match cause.downcast::<IamError>() {
            Ok(iam_error) => SetupError::NotEnabled(iam_error).into(),
            Err(other) => other.context("the new device was deleted again"),
        },
        Err(cleanup) => SetupError::Orphan {
            serial: device.serial.clone(),
            cleanup,
            cause,
        }
        .into(),
    }
}

/// Shows the device, asks for two codes and enables it.
fn register(
    iam: &Iam,
    user: &User,
    device: &NewDevice,
    png: Option<File>,
    tty: &mut File,
) -> anyhow::Result<()> {
    let qr = Qr::new(&otpauth_uri(user, device))?;
    if let Some(mut file) = png {
        file.write_all(&qr.png()).and_then(|()| file.sync_all())?;
    }
    tty.write_all(instructions(&qr.terminal_text(), device.seed.expose()).as_bytes())
        .map_err(SetupError::Show)?;
    let codes = two_codes(&device.serial).map_err(SetupError::NoCodes)?;
    iam.enable(&user.name, &device.serial, [&codes[0], &codes[1]])?;
    Ok(())
}

/// What the terminal shows: the QR code (drawn by rsume, newlines and all) and the seed,
/// which comes from IAM and so is made printable like any other text from outside.
fn instructions(qr_text: &str, seed: &str) -> String {
    format!(
        "Scan this code with an authenticator app:\n{qr_text}\
         No camera? Enter this secret key in the app (time-based): {}\n",
        printable(seed)
    )
}

/// Two consecutive codes, as EnableMFADevice wants them: the second is asked for again if
/// it repeats the first (the app had not moved on yet).
fn two_codes(serial: &str) -> Result<[MfaCode; 2], MfaError> {
    let mut source = crate::mfa::from_terminal();
    let first = source.code(&format!("{serial} (first code)"))?;
    loop {
        let second = source.code(&format!("{serial} (the next code)"))?;
        if second.expose() != first.expose() {
            return Ok([first, second]);
        }
        crate::log::info(format_args!(
            "that is the same code again; wait until the app shows a new one"
        ));
    }
}

/// `otpauth://totp/AWS:alice@123456789012?secret=…&issuer=AWS`: the key URI format every
/// authenticator app reads. The account keeps two AWS accounts' users apart in the app.
fn otpauth_uri(user: &User, device: &NewDevice) -> String {
    let label = format!("{}@{}", user.name, user.account());
    format!(
        "otpauth://totp/{ISSUER}:{}?secret={}&issuer={ISSUER}",
        percent_encode(&label),
        device.seed.expose().trim_end_matches('=')
    )
}

/// Everything but RFC 3986's unreserved characters and `@` as `%XX`.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~@".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A new file only the user can read: it will hold the seed.
fn new_private_file(path: &Path) -> Result<File, SetupError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map_err(|source| SetupError::Png {
        path: path.to_owned(),
        source,
    })
}

/// Removes the PNG this run created, once its device is gone.
fn forget_png(path: Option<&Path>) {
    if let Some(path) = path {
        let _ = std::fs::remove_file(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Secret;

    #[test]
    fn the_uri_names_issuer_user_and_account() {
        let user = User {
            name: "alice+ops".into(),
            arn: "arn:aws:iam::123456789012:user/team/alice+ops".into(),
        };
        let device = NewDevice {
            serial: "arn:aws:iam::123456789012:mfa/alice".into(),
            seed: Secret::new("JBSWY3DPEHPK3PXP===="),
        };
        assert_eq!(
            otpauth_uri(&user, &device),
            "otpauth://totp/AWS:alice%2Bops@123456789012?secret=JBSWY3DPEHPK3PXP&issuer=AWS"
        );
        assert_eq!(
            serial_of(&user, "alice2"),
            "arn:aws:iam::123456789012:mfa/alice2"
        );
    }

    #[test]
    fn the_seed_is_shown_through_the_one_escaping_function() {
        let shown = instructions("QR\n", "JBSW\u{1b}]0;pwned\u{7}\u{1b}[2J\u{202e}Y3DP");
        assert!(shown.starts_with("Scan this code with an authenticator app:\nQR\n"));
        assert!(
            !shown.contains(['\u{1b}', '\u{7}', '\u{202e}']),
            "{shown:?}"
        );
        assert!(
            shown.contains(r"JBSW\u{1b}]0;pwned\u{7}\u{1b}[2J\u{202e}Y3DP"),
            "{shown}"
        );
    }
}
