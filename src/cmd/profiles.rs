//! What every command that reads the profile files shares: the files parsed with their
//! warnings shown once, and which profile a run is for and where that name came from.

use std::fmt;

use super::Env;
use crate::config::{self, ConfigError, ProfileFiles, ProfileSet};
use crate::log;

/// The parsed files. Sections and keys the SDKs would ignore are warned about (a
/// `[profile x]` in the credentials file is a common slip), and so is a credentials file
/// that other users can read.
pub fn load(env: Env<'_>) -> Result<(ProfileFiles, ProfileSet), ConfigError> {
    let (files, set) = config::load(env)?;
    for warning in set.warnings() {
        log::warn(format_args!("{warning}"));
    }
    warn_if_readable_by_others(&files.credentials);
    Ok((files, set))
}

/// What to do when there is no profile yet.
pub const FIRST_SESSION: &str =
    "create a profile with  aws configure  (docs/first-session.md walks through a first session)";

/// What to say when the files hold no profile at all, pointing a new user at the first
/// steps: none of the AWS files exists, or they exist with no profile in them.
pub fn nothing_to_use(files: &ProfileFiles) -> String {
    let (config, credentials) = (
        files.config.path.display(),
        files.credentials.path.display(),
    );
    let state = if files.config.exists || files.credentials.exists {
        format!("no profiles in {config} or {credentials}")
    } else {
        format!("no AWS files: neither {config} nor {credentials} exists")
    };
    format!("{state}; {FIRST_SESSION}")
}

/// Whether neither AWS file exists (a first run on this computer).
pub fn no_files(files: &ProfileFiles) -> bool {
    !files.config.exists && !files.credentials.exists
}

#[cfg(unix)]
fn warn_if_readable_by_others(file: &config::SourceFile) {
    use std::os::unix::fs::PermissionsExt;
    if !file.exists {
        return;
    }
    let Ok(meta) = std::fs::metadata(&file.path) else {
        return;
    };
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        log::warn(format_args!(
            "{} holds secret keys but other users can read it (mode {mode:04o}); run  chmod 600 {}",
            file.path.display(),
            file.path.display()
        ));
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_: &config::SourceFile) {}

/// Where the name of the profile to use came from, for messages about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameFrom {
    CommandLine,
    AwsProfile,
    AwsDefaultProfile,
    Default,
}

impl fmt::Display for NameFrom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NameFrom::CommandLine => "the name was given on the command line",
            NameFrom::AwsProfile => "the name came from AWS_PROFILE",
            NameFrom::AwsDefaultProfile => "the name came from AWS_DEFAULT_PROFILE",
            NameFrom::Default => {
                "no profile was named and neither AWS_PROFILE nor AWS_DEFAULT_PROFILE is set"
            }
        })
    }
}

/// The profile a run is for: the command line, else `AWS_PROFILE` (as the SDKs read it),
/// else `AWS_DEFAULT_PROFILE` (which AWS CLI v1 and AWSume read), else `default`.
pub fn choose(given: Option<&str>, env: Env<'_>) -> (String, NameFrom) {
    if let Some(name) = given {
        return (name.to_owned(), NameFrom::CommandLine);
    }
    let var = |name| env(name).filter(|v: &String| !v.is_empty());
    if let Some(name) = var("AWS_PROFILE") {
        return (name, NameFrom::AwsProfile);
    }
    if let Some(name) = var("AWS_DEFAULT_PROFILE") {
        return (name, NameFrom::AwsDefaultProfile);
    }
    ("default".into(), NameFrom::Default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_profile_wins_over_aws_default_profile() {
        let env = |name: &str| match name {
            "AWS_PROFILE" => Some("a".to_owned()),
            "AWS_DEFAULT_PROFILE" => Some("b".to_owned()),
            _ => None,
        };
        assert_eq!(choose(None, &env), ("a".into(), NameFrom::AwsProfile));
        assert_eq!(choose(Some("c"), &env), ("c".into(), NameFrom::CommandLine));
        let only_default = |name: &str| (name == "AWS_DEFAULT_PROFILE").then(|| "b".to_owned());
        assert_eq!(
            choose(None, &only_default),
            ("b".into(), NameFrom::AwsDefaultProfile)
        );
        let empty = |name: &str| (name == "AWS_PROFILE").then(String::new);
        assert_eq!(choose(None, &empty), ("default".into(), NameFrom::Default));
    }
}
