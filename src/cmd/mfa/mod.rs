//! `rsume mfa setup|list|remove`, one file each, and what they share: the IAM user's keys
//! from a profile, and the terminal.

mod list;
mod remove;
mod setup;

use std::fs::File;
use std::path::PathBuf;

use super::{Env, Output};
use crate::cli::MfaCommand;
use crate::config::edit::EditError;
use crate::config::update::update;
use crate::config::{FileKind, Location, Profile};
use crate::credentials::{Credentials, Secret};
use crate::iam::{Iam, IamError};

/// Why an `rsume mfa` command cannot start. Each names the profile and what to do.
#[derive(Debug, thiserror::Error)]
pub enum MfaSetupError {
    #[error("no profile named '{0}'; `rsume -l` lists them")]
    UnknownProfile(String),
    #[error(
        "profile '{0}' has no aws_access_key_id: rsume mfa needs the profile that holds the IAM user's long-term keys, not a role profile"
    )]
    NotAUser(String),
    #[error("profile '{profile}' has only half of its keys: add {key}")]
    MissingKey { profile: String, key: &'static str },
    #[error("rsume mfa {0} needs a terminal to talk to (it could not open /dev/tty)")]
    NoTerminal(&'static str),
    #[error("the IAM user {user} has no MFA device")]
    NoDevice { user: String },
    #[error(
        "the IAM user {user} has {count} MFA devices; name the one to remove with --serial (`rsume mfa list {profile}` lists them)"
    )]
    WhichDevice {
        user: String,
        count: usize,
        profile: String,
    },
    #[error(
        "{serial} is not an MFA device of the IAM user {user}; `rsume mfa list {profile}` lists them"
    )]
    NotTheUsers {
        serial: String,
        user: String,
        profile: String,
    },
    #[error("nothing was removed")]
    NotConfirmed,
    #[error(
        "the device is gone, but profile '{profile}' still names it: remove its mfa_serial line yourself"
    )]
    SerialKept {
        profile: String,
        #[source]
        source: Box<EditError>,
    },
    #[error("there is no terminal to confirm on; pass --yes to remove without asking")]
    NoConfirmation,
}

pub fn run(command: &MfaCommand, env: Env<'_>) -> anyhow::Result<Output> {
    match command {
        MfaCommand::Setup {
            profile,
            device_name,
            qr_png,
        } => setup::run(profile, device_name.as_deref(), qr_png.as_deref(), env),
        MfaCommand::List { profile } => list::run(profile, env),
        MfaCommand::Remove {
            profile,
            serial,
            yes,
        } => remove::run(profile, serial.as_deref(), *yes, env),
    }
}

/// The IAM user behind a profile: its keys, where to call IAM, and the device it names.
pub struct UserProfile {
    pub keys: Credentials,
    pub region: String,
    /// Proxies and CA roots for IAM.
    pub network: crate::http::HttpSettings,
    pub mfa_serial: Option<String>,
    /// Where the winning `mfa_serial` is set.
    pub serial_location: Option<Location>,
    /// The files the profile was read from, for editing its `mfa_serial`.
    pub config: PathBuf,
    pub credentials: PathBuf,
}

impl UserProfile {
    /// Reads the profile from the AWS files. Only a profile with its own keys will do: IAM
    /// manages a user's devices, and a role cannot have one.
    pub fn load(name: &str, env: Env<'_>) -> anyhow::Result<Self> {
        let (files, set) = crate::config::load(env)?;
        let profile = set
            .profile(name)
            .ok_or_else(|| MfaSetupError::UnknownProfile(name.into()))?;
        Ok(Self {
            keys: keys(profile)?,
            network: crate::resolve::network_settings(Some(profile), env)?,
            region: Self::iam_region(profile, env)?,
            mfa_serial: profile
                .get("mfa_serial")
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            serial_location: profile.location("mfa_serial"),
            config: files.config.path,
            credentials: files.credentials.path,
        })
    }

    /// IAM's signing region (which picks the partition): the profile's, else the
    /// environment's (an empty variable is unset), else us-east-1; checked for its form.
    fn iam_region(profile: &crate::config::Profile, env: Env<'_>) -> anyhow::Result<String> {
        let (region, origin) = match profile.get("region").filter(|r| !r.is_empty()) {
            Some(region) => (
                region.to_owned(),
                match profile.location("region") {
                    Some(location) => format!("region at {location}"),
                    None => format!("region of profile '{}'", profile.name()),
                },
            ),
            None => match crate::region::from_env(env) {
                Some((region, variable)) => (region, format!("from {variable}")),
                None => return Ok("us-east-1".into()),
            },
        };
        crate::region::check(&region, &origin)?;
        Ok(region)
    }

    pub fn iam(&self, env: Env<'_>) -> Result<Iam, IamError> {
        Iam::new(&self.keys, &self.region, &self.network, env)
    }

    /// Removes the profile's `mfa_serial` lines that name `serial`, in whichever file holds
    /// them, keeping every other byte; returns the files changed.
    pub fn forget_serial(&self, profile: &str, serial: &str) -> Result<Vec<PathBuf>, EditError> {
        let mut changed = Vec::new();
        for (kind, path) in [
            (FileKind::Config, &self.config),
            (FileKind::Credentials, &self.credentials),
        ] {
            let removed = update(kind, path, |document| {
                Ok::<_, EditError>(
                    document.get(profile, "mfa_serial").as_deref() == Some(serial)
                        && document.remove(profile, "mfa_serial"),
                )
            })?;
            if removed {
                changed.push(path.clone());
            }
        }
        Ok(changed)
    }
}

fn keys(profile: &Profile) -> Result<Credentials, MfaSetupError> {
    let name = profile.name();
    let value = |key| profile.get(key).filter(|v| !v.is_empty());
    let access_key_id =
        value("aws_access_key_id").ok_or_else(|| MfaSetupError::NotAUser(name.into()))?;
    let secret = value("aws_secret_access_key").ok_or_else(|| MfaSetupError::MissingKey {
        profile: name.into(),
        key: "aws_secret_access_key",
    })?;
    Ok(Credentials {
        access_key_id: access_key_id.into(),
        secret_access_key: Secret::new(secret),
        session_token: value("aws_session_token").map(Secret::new),
        expiration: None,
    })
}

/// The controlling terminal ([`crate::mfa::open_terminal`]), or why `rsume mfa COMMAND`
/// cannot go on.
pub fn terminal(command: &'static str) -> Result<File, MfaSetupError> {
    crate::mfa::open_terminal().map_err(|_| MfaSetupError::NoTerminal(command))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_profile_with_keys_will_do() {
        let files = crate::config::ProfileFiles::from_strings(
            "[profile role]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = user\n\
             [profile half]\naws_access_key_id = AKIA\n",
            "[user]\naws_access_key_id = AKIA\naws_secret_access_key = s\n",
        );
        let set = crate::config::parse(&files).unwrap();
        assert_eq!(
            keys(set.profile("user").unwrap()).unwrap().access_key_id,
            "AKIA"
        );
        let error = keys(set.profile("role").unwrap()).unwrap_err().to_string();
        assert!(error.contains("IAM user's long-term keys"), "{error}");
        let error = keys(set.profile("half").unwrap()).unwrap_err().to_string();
        assert!(error.contains("add aws_secret_access_key"), "{error}");
    }
}
