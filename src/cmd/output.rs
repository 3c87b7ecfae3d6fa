//! Profiles rsume writes into the user's files: `-o NAME` puts the credentials into the
//! credentials file as `[NAME]`, and `--auto-refresh` puts `[profile rsume-NAME]` with a
//! `credential_process` line into the config file. Every edit goes through the lossless
//! [`Document`] layer, so only the target section changes and the file is replaced
//! atomically. Each written section carries [`MARKER`], and a section without it is the
//! user's: it is never overwritten unless `--force`.

use std::path::{Path, PathBuf};

use super::Env;
use crate::config::edit::{Document, EditError};
use crate::config::{FileKind, ProfileFiles};
use crate::credentials::Credentials;
use crate::log::printable;
use crate::time;

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
        "cannot name profile {0} in a credential_process line: use a name of letters, digits and - _ . @ : + / only"
    )]
    UnquotableName(String),
    #[error(transparent)]
    Edit(#[from] EditError),
}

/// Fails unless `[name]` can be written in the file of `kind`: it is rsume's, or new, or
/// `force`. Checked before any prompt, so a refusal costs no MFA code.
pub fn check_writable(
    kind: FileKind,
    name: &str,
    force: bool,
    env: Env<'_>,
) -> Result<(), OutputError> {
    let (path, document) = load(kind, env)?;
    refuse_unless_ours(&document, kind, &path, name, force)
}

/// The profile file of `kind` and its path.
fn load(kind: FileKind, env: Env<'_>) -> Result<(PathBuf, Document), EditError> {
    let files = ProfileFiles::read(env)?;
    let path = match kind {
        FileKind::Config => files.config.path,
        FileKind::Credentials => files.credentials.path,
    };
    let document = Document::load(kind, &path)?;
    Ok((path, document))
}

/// Writes `credentials` into the credentials file as `[name]`; returns the file's path.
pub fn write_credentials(
    name: &str,
    credentials: &Credentials,
    force: bool,
    env: Env<'_>,
) -> Result<PathBuf, OutputError> {
    let (path, mut document) = load(FileKind::Credentials, env)?;
    refuse_unless_ours(&document, FileKind::Credentials, &path, name, force)?;
    let expiration = credentials.expiration.map(time::rfc3339);
    document.set(name, "aws_access_key_id", &credentials.access_key_id)?;
    document.set(
        name,
        "aws_secret_access_key",
        credentials.secret_access_key.expose(),
    )?;
    match &credentials.session_token {
        Some(token) => document.set(name, "aws_session_token", token.expose())?,
        None => {
            document.remove(name, "aws_session_token");
        }
    }
    // An old token under the legacy name would outrank nothing, but it would mislead.
    document.remove(name, "aws_security_token");
    for key in EXPIRY_KEYS {
        match &expiration {
            Some(at) => document.set(name, key, at)?,
            None => {
                document.remove(name, key);
            }
        }
    }
    document.set(name, MARKER, "true")?;
    document.save()?;
    Ok(path)
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
    let (path, mut document) = load(FileKind::Config, env)?;
    refuse_unless_ours(&document, FileKind::Config, &path, &name, force)?;
    let command = format!("{} credential-process {profile}", program());
    document.set(&name, "credential_process", &command)?;
    match region {
        Some(region) => document.set(&name, "region", region)?,
        None => {
            document.remove(&name, "region");
        }
    }
    document.set(&name, MARKER, "true")?;
    document.save()?;
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

/// Refuses to touch an existing section of `document` (at `path`) that rsume did not write.
fn refuse_unless_ours(
    document: &Document,
    kind: FileKind,
    path: &Path,
    name: &str,
    force: bool,
) -> Result<(), OutputError> {
    if force || is_ours(document, name) || !section_exists(document, kind, path, name)? {
        return Ok(());
    }
    Err(OutputError::NotOurs {
        profile: printable(name).into_owned(),
        path: path.to_owned(),
    })
}

/// Whether rsume wrote the section `name` of the document.
pub fn is_ours(document: &Document, name: &str) -> bool {
    document
        .get(name, MARKER)
        .is_some_and(|value| value.eq_ignore_ascii_case("true"))
}

/// Whether the document has a section for `name`, even one without keys.
fn section_exists(
    document: &Document,
    kind: FileKind,
    path: &Path,
    name: &str,
) -> Result<bool, EditError> {
    Ok(Document::parse(kind, path, document.text())?.remove_section(name))
}
