//! Profiles rsume writes into the user's files: `-o NAME` puts the credentials into the
//! credentials file as `[NAME]`, and `--auto-refresh` puts `[profile rsume-NAME]` with a
//! `credential_process` line into the config file. Every edit goes through the lossless
//! [`Document`] layer, so only the target section changes and the file is replaced
//! atomically, under a lock (`config::update`). Each written section carries [`MARKER`], and
//! a section without it is the user's: it is never overwritten unless `--force`. Whose a
//! section is gets decided on each section of the name, never on the merged profile, so a
//! second `[work]` holding the marker does not make the first one rsume's.
//!
//! `-o NAME` is refused, whatever the flags, when NAME holds the keys the chain starts from;
//! and unless `--force` when NAME is a credential source in the config (a role, SSO, a
//! process): the AWS tools would follow that and ignore the keys written.

use std::path::{Path, PathBuf};

use super::Env;
use crate::config::edit::{Document, EditError, Section};
use crate::config::update::update;
use crate::config::{self, FileKind, ProfileFiles};
use crate::credentials::Credentials;
use crate::log::{self, printable};
use crate::time;
use crate::vault::Chain;

/// The key that says rsume wrote a section, and may rewrite or remove it.
pub const MARKER: &str = "rsume_managed";
/// The expiry keys other tools read from the credentials file: starship reads `expiration`
/// and falls back to `x_security_token_expires` (saml2aws, aws-mfa). botocore ignores both.
const EXPIRY_KEYS: [&str; 2] = ["expiration", "x_security_token_expires"];
/// What an `--auto-refresh` profile is called: `rsume-` and the profile's name.
const REFRESH_PREFIX: &str = "rsume-";

/// Why a profile was not written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error(
        "profile {profile} in {} was not written by rsume, so it was left alone; pick another name, or add --force to replace its keys",
        path.display()
    )]
    NotOurs {
        /// Escaped for display.
        profile: String,
        path: PathBuf,
    },
    #[error(
        "profile {profile} holds the long-term keys that profile {asked}'s credentials are made from; -o {profile} would replace them with temporary ones and lose them, so rsume never writes there, even with --force: pick another name"
    )]
    HoldsChainKeys {
        /// Both escaped for display.
        profile: String,
        asked: String,
    },
    #[error(
        "profile {profile} has {key} in the config: the AWS tools would use that and ignore keys written as [{profile}] in the credentials file; pick another name, or add --force to write them anyway"
    )]
    CredentialSource {
        /// Escaped for display.
        profile: String,
        key: &'static str,
    },
    #[error(
        "cannot name profile {0} in a credential_process line: use a name of letters, digits and - _ . @ : + / only"
    )]
    UnquotableName(String),
    #[error(transparent)]
    Edit(#[from] EditError),
}

/// Keys that make a profile's credentials come from somewhere other than its keys, in the
/// order botocore and the SDKs look (`sso_*` stands for every IAM Identity Center setting).
const CREDENTIAL_SOURCES: [&str; 9] = [
    "role_arn",
    "web_identity_token_file",
    "credential_source",
    "credential_process",
    "sso_session",
    "sso_start_url",
    "sso_account_id",
    "sso_role_name",
    "sso_region",
];

/// Fails unless `[name]` can be written in the file of `kind`: it is rsume's, or new, or
/// `force`. Checked before any prompt, so a refusal costs no MFA code.
pub fn check_writable(
    kind: FileKind,
    name: &str,
    force: bool,
    env: Env<'_>,
) -> Result<(), OutputError> {
    let path = path_of(kind, &files(env)?);
    refuse_unless_ours(&Document::load(kind, &path)?, &path, name, force)
}

/// The checks of `-o name` for `chain`, before any prompt: not the keys the chain starts
/// from (whatever the flags), not a credential source (unless `force`), and rsume's or new.
/// Warns when `name` is also a command word.
pub fn check_output_profile(
    name: &str,
    chain: &Chain,
    force: bool,
    env: Env<'_>,
) -> Result<(), OutputError> {
    if chain.root_keys.as_deref() == Some(name) {
        return Err(OutputError::HoldsChainKeys {
            profile: printable(name).into_owned(),
            asked: printable(&chain.profile).into_owned(),
        });
    }
    let files = files(env)?;
    let set = config::parse(&files).map_err(EditError::from)?;
    let source = set.profile(name).and_then(|profile| {
        CREDENTIAL_SOURCES
            .into_iter()
            .find(|key| profile.get(key).is_some())
    });
    if let (Some(key), false) = (source, force) {
        return Err(OutputError::CredentialSource {
            profile: printable(name).into_owned(),
            key,
        });
    }
    let path = path_of(FileKind::Credentials, &files);
    refuse_unless_ours(
        &Document::load(FileKind::Credentials, &path)?,
        &path,
        name,
        force,
    )?;
    if super::list::command_words().iter().any(|word| word == name) {
        let name = printable(name);
        log::warn(format_args!(
            "{name} is also a command: `rsume {name}` runs the command, so assume that profile with  rsume -p {name}  (or use AWS_PROFILE={name})"
        ));
    }
    Ok(())
}

fn files(env: Env<'_>) -> Result<ProfileFiles, EditError> {
    Ok(ProfileFiles::read(env)?)
}

fn path_of(kind: FileKind, files: &ProfileFiles) -> PathBuf {
    match kind {
        FileKind::Config => files.config.path.clone(),
        FileKind::Credentials => files.credentials.path.clone(),
    }
}

/// Writes `credentials` into the credentials file as `[name]`, with the region the run used
/// (the AWS CLI needs one, and it may have come from a source profile) and the account when
/// the plan knows it (`aws_account_id`, as the SDKs read it); returns the file's path.
pub fn write_credentials(
    name: &str,
    credentials: &Credentials,
    account: Option<&str>,
    region: Option<&str>,
    force: bool,
    env: Env<'_>,
) -> Result<PathBuf, OutputError> {
    let path = path_of(FileKind::Credentials, &files(env)?);
    update(FileKind::Credentials, &path, |document| {
        refuse_unless_ours(document, &path, name, force)?;
        set_credentials(document, name, credentials, account, region)
    })?;
    Ok(path)
}

fn set_credentials(
    document: &mut Document,
    name: &str,
    credentials: &Credentials,
    account: Option<&str>,
    region: Option<&str>,
) -> Result<(), OutputError> {
    let expiration = credentials.expiration.map(time::rfc3339);
    document.set(name, "aws_access_key_id", &credentials.access_key_id)?;
    document.set(
        name,
        "aws_secret_access_key",
        credentials.secret_access_key.expose(),
    )?;
    let token = credentials
        .session_token
        .as_ref()
        .map(|token| token.expose());
    set_or_remove(document, name, "aws_session_token", token)?;
    // An old token under the legacy name would outrank nothing, but it would mislead.
    document.remove(name, "aws_security_token");
    for key in EXPIRY_KEYS {
        set_or_remove(document, name, key, expiration.as_deref())?;
    }
    set_or_remove(document, name, "aws_account_id", account)?;
    set_or_remove(document, name, "region", region)?;
    document.set(name, MARKER, "true")?;
    Ok(())
}

fn set_or_remove(
    document: &mut Document,
    name: &str,
    key: &str,
    value: Option<&str>,
) -> Result<(), EditError> {
    match value {
        Some(value) => document.set(name, key, value),
        None => {
            document.remove(name, key);
            Ok(())
        }
    }
}

/// The name of the `--auto-refresh` profile for `profile`; fails for a name that a
/// `credential_process` line cannot hold unquoted.
pub fn refresh_profile_name(profile: &str) -> Result<String, OutputError> {
    if profile.is_empty() || !profile.chars().all(safe_in_command) {
        return Err(OutputError::UnquotableName(printable(profile).into_owned()));
    }
    Ok(format!("{REFRESH_PREFIX}{profile}"))
}

/// Writes `[profile rsume-PROFILE]` into the config file, whose `credential_process` asks
/// rsume for the profile's credentials each time a tool needs fresh ones. Returns its name.
pub fn write_refresh_profile(
    profile: &str,
    region: Option<&str>,
    force: bool,
    env: Env<'_>,
) -> Result<String, OutputError> {
    let name = refresh_profile_name(profile)?;
    let path = path_of(FileKind::Config, &files(env)?);
    let command = format!("{} credential-process {profile}", program());
    update(FileKind::Config, &path, |document| {
        refuse_unless_ours(document, &path, &name, force)?;
        document.set(&name, "credential_process", &command)?;
        set_or_remove(document, &name, "region", region)?;
        Ok::<_, OutputError>(document.set(&name, MARKER, "true")?)
    })?;
    Ok(name)
}

/// The program a `credential_process` line runs: this rsume by its full path when the path
/// needs no quoting (so it works without rsume on `PATH`), else `rsume`.
fn program() -> String {
    std::env::current_exe()
        .ok()
        .and_then(|path| path.to_str().map(str::to_owned))
        .filter(|path| path.chars().all(safe_in_command))
        .unwrap_or_else(|| "rsume".to_owned())
}

/// Characters that mean the same to every splitter of a `credential_process` line
/// (botocore's, the Rust and Go SDKs'): no quoting, spaces or escapes needed.
fn safe_in_command(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_.@:+/".contains(c)
}

/// Refuses to touch an existing section of `document` (at `path`) that rsume did not write:
/// every section of the name must carry the marker, since an edit may change any of them.
fn refuse_unless_ours(
    document: &Document,
    path: &Path,
    name: &str,
    force: bool,
) -> Result<(), OutputError> {
    if force || document.sections_of(name).iter().all(is_ours) {
        return Ok(());
    }
    Err(OutputError::NotOurs {
        profile: printable(name).into_owned(),
        path: path.to_owned(),
    })
}

/// Whether rsume wrote this section (it carries the marker itself).
pub fn is_ours(section: &Section) -> bool {
    section
        .get(MARKER)
        .is_some_and(|value| value.eq_ignore_ascii_case("true"))
}
