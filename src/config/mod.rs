//! The AWS shared profile files (`~/.aws/config` and `~/.aws/credentials`), read exactly as the
//! AWS SDKs read them.
//!
//! rsume must resolve a profile to the same values the AWS CLI and SDKs would, or a user's
//! working setup would behave differently here. So the rules are those of aws-config (the AWS SDK
//! for Rust), which implements the cross-SDK profile file rules: see `lines.rs` for lines (one
//! tokenizer shared with editing, its findings in `problem.rs`), `parse.rs` for properties,
//! `normalize.rs` for sections and merging, `profile.rs` for what a profile holds, `files.rs`
//! for locating the files. `edit.rs` (with `splice.rs`), `update.rs` (with `lock.rs`) and
//! `write.rs` change a file without losing a byte of it.
//!
//! These files hold secret keys, so no error, warning or `Debug` output ever shows a value or
//! the text of a line: errors name the file and line number and say what is wrong instead.

pub mod edit;
mod files;
mod lines;
mod lock;
mod normalize;
mod parse;
mod problem;
mod profile;
mod splice;
pub mod update;
mod write;

pub use files::{FileKind, ProfileFiles, SourceFile};
pub use profile::{Profile, Section};
pub use write::write_atomically;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use profile::Origin;

/// Why the profile files could not be used. No variant carries file contents.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file exists but could not be read (a directory, a FIFO, no permission, too large).
    #[error(transparent)]
    Read(crate::fs::ReadError),
    /// The file is not UTF-8; `line` is the line of the first invalid byte.
    #[error("{}:{line}: the file is not valid UTF-8 text (save it as UTF-8)", path.display())]
    NotUtf8 { path: PathBuf, line: usize },
    /// A line that cannot be read. `what` is fixed text, never the line itself.
    #[error("{}:{line}: {what}", path.display())]
    Syntax {
        path: PathBuf,
        line: usize,
        what: &'static str,
    },
}

/// Where a value was defined, for messages such as "set at ~/.aws/config:12".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    pub line: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.path.display(), self.line)
    }
}

/// Everything found in both files, after merging.
#[derive(Debug, Default)]
pub struct ProfileSet {
    /// Hash maps rather than B-trees: lookups by name are what matters, building them is
    /// measurably cheaper with thousands of profiles, and listing sorts on demand.
    profiles: HashMap<String, Profile>,
    sso_sessions: HashMap<String, Section>,
    services: HashMap<String, Section>,
    warnings: Vec<String>,
}

impl ProfileSet {
    /// The profile named `name` (`default` for `[default]` / `[profile default]`). Profile names
    /// are case-sensitive, as in the SDKs.
    pub fn profile(&self, name: &str) -> Option<&Profile> {
        self.profiles.get(name)
    }

    /// All profiles, sorted by name (sorted on each call).
    pub fn profiles(&self) -> impl Iterator<Item = &Profile> {
        let mut all: Vec<&Profile> = self.profiles.values().collect();
        all.sort_unstable_by(|a, b| a.name.cmp(&b.name));
        all.into_iter()
    }

    /// A `[services NAME]` section of the config file.
    pub fn services(&self, name: &str) -> Option<&Section> {
        self.services.get(name)
    }

    /// An `[sso-session NAME]` section of the config file.
    pub fn sso_session(&self, name: &str) -> Option<&Section> {
        self.sso_sessions.get(name)
    }

    /// What was ignored and why, each naming `file:line`; the SDKs ignore these silently (or in
    /// a log), so showing them is up to the caller.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}
/// Parses and merges both files: the config file first, then the credentials file, whose values
/// win key by key.
pub fn parse(files: &ProfileFiles) -> Result<ProfileSet, ConfigError> {
    let mut set = ProfileSet::default();
    for (file, kind) in [
        (&files.config, FileKind::Config),
        (&files.credentials, FileKind::Credentials),
    ] {
        merge_file(&mut set, kind, &file.path, Arc::clone(file.shared_text()))?;
    }
    Ok(set)
}

/// Reads one file's text into `set`, with errors naming `path`.
fn merge_file(
    set: &mut ProfileSet,
    kind: FileKind,
    path: &Path,
    text: Arc<str>,
) -> Result<(), ConfigError> {
    let origin = Arc::new(Origin {
        path: path.to_owned(),
        text,
    });
    normalize::merge_in(set, &origin, kind).map_err(|err| ConfigError::Syntax {
        path: path.to_owned(),
        line: err.line,
        what: err.problem.message(kind == FileKind::Config),
    })
}

/// Reads and parses both files. The files come back too, so that callers can tell a missing
/// file from a missing profile.
pub fn load(
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(ProfileFiles, ProfileSet), ConfigError> {
    let files = ProfileFiles::read(env)?;
    let set = parse(&files)?;
    Ok((files, set))
}

#[cfg(test)]
mod tests;
