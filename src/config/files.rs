//! Finding and reading the two profile files.
//!
//! Paths follow aws-config: `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`, else
//! `~/.aws/config` / `~/.aws/credentials`, with a leading `~` component replaced by the home
//! directory. The environment comes in as a lookup function so tests never touch the process
//! environment.

use super::ConfigError;
use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// Which of the two files; they differ in how profile headers are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `~/.aws/config`: `[default]`, `[profile NAME]`, `[sso-session NAME]`, `[services NAME]`.
    Config,
    /// `~/.aws/credentials`: `[NAME]` only.
    Credentials,
}

impl FileKind {
    /// The environment variable that overrides the default path.
    pub fn env_var(self) -> &'static str {
        match self {
            FileKind::Config => "AWS_CONFIG_FILE",
            FileKind::Credentials => "AWS_SHARED_CREDENTIALS_FILE",
        }
    }

    fn default_path(self) -> &'static str {
        match self {
            FileKind::Config => "~/.aws/config",
            FileKind::Credentials => "~/.aws/credentials",
        }
    }
}

/// One file as read: its path, and whether it existed.
///
/// A missing file reads as empty, as in the SDKs; `exists` is kept so that callers can say
/// "file not found" instead of "profile not found".
pub struct SourceFile {
    /// The path after `~` expansion.
    pub path: PathBuf,
    /// False when nothing was found at `path`.
    pub exists: bool,
    /// The environment variable the path came from, if it did not come from the default.
    pub overridden_by: Option<&'static str>,
    /// Private so that the text (which holds secrets) is only reachable on purpose. Shared so
    /// that parsed values can point into it instead of being copied one by one.
    text: Arc<str>,
}

impl SourceFile {
    /// An existing file with the given text; for tests and for text that is already in memory.
    pub fn from_text(path: impl Into<PathBuf>, text: impl Into<String>) -> SourceFile {
        SourceFile {
            path: path.into(),
            exists: true,
            overridden_by: None,
            text: Arc::from(text.into()),
        }
    }

    /// The file's text; empty when the file does not exist.
    pub fn text(&self) -> &str {
        &self.text
    }

    pub(super) fn shared_text(&self) -> &Arc<str> {
        &self.text
    }

    fn read(
        kind: FileKind,
        env: &dyn Fn(&str) -> Option<String>,
        home: Option<&str>,
    ) -> Result<SourceFile, ConfigError> {
        let overridden = env(kind.env_var());
        let overridden_by = overridden.as_ref().map(|_| kind.env_var());
        let written = overridden.unwrap_or_else(|| kind.default_path().to_owned());
        let path = expand_home(&written, home);
        let text = read_text(&path)?;
        Ok(SourceFile {
            path,
            exists: text.is_some(),
            overridden_by,
            text: Arc::from(text.unwrap_or_default()),
        })
    }
}

/// The text of the file at `path`, or `None` when there is none. Symbolic links are followed.
pub(super) fn read_text(path: &Path) -> Result<Option<String>, ConfigError> {
    match crate::fs::read_text(path, crate::fs::Contents::AwsFile) {
        Ok(text) => Ok(Some(text)),
        // Like the SDKs, a missing file is simply empty (an empty path also ends up here).
        Err(error) if error.is_not_found() => Ok(None),
        // The line of the first bad byte; the bytes themselves never reach the error.
        Err(crate::fs::ReadError {
            path,
            problem: crate::fs::Problem::NotUtf8(line),
        }) => Err(ConfigError::NotUtf8 { path, line }),
        // The SDKs log a warning and carry on with an empty file here; we fail instead, so
        // that an unreadable credentials file is not reported as "profile not found".
        Err(source) => Err(ConfigError::Read(source)),
    }
}

/// Hand-written so that `{:?}` never prints the text, which holds secrets.
impl fmt::Debug for SourceFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourceFile")
            .field("path", &self.path)
            .field("exists", &self.exists)
            .field("overridden_by", &self.overridden_by)
            .field("text_len", &self.text.len())
            .finish()
    }
}

/// Both profile files as read. The credentials file is applied after the config file, so its
/// values win.
#[derive(Debug)]
pub struct ProfileFiles {
    pub config: SourceFile,
    pub credentials: SourceFile,
}

impl ProfileFiles {
    /// Locate and read both files using an env lookup function (so tests need not touch the
    /// process env).
    pub fn read(env: &dyn Fn(&str) -> Option<String>) -> Result<ProfileFiles, ConfigError> {
        let home = home_dir(env, cfg!(windows));
        Ok(ProfileFiles {
            config: SourceFile::read(FileKind::Config, env, home.as_deref())?,
            credentials: SourceFile::read(FileKind::Credentials, env, home.as_deref())?,
        })
    }

    /// For tests: from in-memory text. The paths are the unexpanded defaults, which is what
    /// messages will name.
    pub fn from_strings(config: &str, credentials: &str) -> ProfileFiles {
        ProfileFiles {
            config: SourceFile::from_text(FileKind::Config.default_path(), config),
            credentials: SourceFile::from_text(FileKind::Credentials.default_path(), credentials),
        }
    }
}

/// `HOME`, then on Windows `USERPROFILE`, then `HOMEDRIVE` + `HOMEPATH`. `windows` is a
/// parameter so the Windows order can be tested anywhere.
fn home_dir(env: &dyn Fn(&str) -> Option<String>, windows: bool) -> Option<String> {
    if let Some(home) = env("HOME") {
        return Some(home);
    }
    if windows {
        if let Some(profile) = env("USERPROFILE") {
            return Some(profile);
        }
        if let (Some(drive), Some(path)) = (env("HOMEDRIVE"), env("HOMEPATH")) {
            return Some(drive + &path);
        }
    }
    None
}

/// Replaces a leading `~` path component (`~`, `~/x`, and on Windows `~\x`) with the home
/// directory. `~user/x` is left alone, as is everything when no home directory is known (the
/// path then stays relative, as in the SDKs).
fn expand_home(path: &str, home: Option<&str>) -> PathBuf {
    let written = Path::new(path);
    let mut components = written.components();
    match (components.next(), home) {
        (Some(Component::Normal(first)), Some(home)) if first == "~" => {
            let mut expanded = PathBuf::from(home);
            // Re-joining component by component gives the platform's separators.
            expanded.extend(components);
            expanded
        }
        _ => written.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| vars.get(name).cloned()
    }

    /// A fresh directory for one test; removed by the test when done.
    fn scratch_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("rsume-config-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn default_paths_are_under_home() {
        let dir = scratch_dir("defaults");
        let env = env_of(&[("HOME", dir.to_str().unwrap())]);
        let files = ProfileFiles::read(&env).unwrap();
        assert_eq!(files.config.path, dir.join(".aws").join("config"));
        assert_eq!(files.credentials.path, dir.join(".aws").join("credentials"));
        assert_eq!(files.config.overridden_by, None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn missing_files_are_empty_and_remembered_as_missing() {
        let dir = scratch_dir("missing");
        let env = env_of(&[("HOME", dir.to_str().unwrap())]);
        let files = ProfileFiles::read(&env).unwrap();
        assert!(!files.config.exists && !files.credentials.exists);
        assert_eq!(files.config.text(), "");
        assert_eq!(files.credentials.text(), "");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn env_vars_override_paths_and_files_are_read() {
        let dir = scratch_dir("override");
        let config = dir.join("my-config");
        std::fs::write(&config, "[default]\nregion = eu-west-1\n").unwrap();
        let env = env_of(&[
            ("HOME", "/nonexistent-home"),
            ("AWS_CONFIG_FILE", config.to_str().unwrap()),
        ]);
        let files = ProfileFiles::read(&env).unwrap();
        assert_eq!(files.config.path, config);
        assert!(files.config.exists);
        assert_eq!(files.config.overridden_by, Some("AWS_CONFIG_FILE"));
        assert_eq!(files.config.text(), "[default]\nregion = eu-west-1\n");
        assert!(!files.credentials.exists);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn tilde_is_expanded_only_as_a_whole_leading_component() {
        assert_eq!(
            expand_home("~/.aws/config", Some("/home/a")),
            Path::new("/home/a/.aws/config")
        );
        assert_eq!(expand_home("~", Some("/home/a")), Path::new("/home/a"));
        assert_eq!(
            expand_home("~other/config", Some("/home/a")),
            Path::new("~other/config")
        );
        assert_eq!(
            expand_home("/etc/~/config", Some("/home/a")),
            Path::new("/etc/~/config")
        );
        // Without a home directory the path is left as written.
        assert_eq!(expand_home("~/config", None), Path::new("~/config"));
    }

    #[test]
    fn tilde_in_env_var_is_expanded() {
        let dir = scratch_dir("tilde");
        std::fs::write(dir.join("creds"), "[a]\nk = v\n").unwrap();
        let env = env_of(&[
            ("HOME", dir.to_str().unwrap()),
            ("AWS_SHARED_CREDENTIALS_FILE", "~/creds"),
        ]);
        let files = ProfileFiles::read(&env).unwrap();
        assert_eq!(files.credentials.path, dir.join("creds"));
        assert!(files.credentials.exists);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn home_falls_back_to_windows_variables_only_on_windows() {
        let env = env_of(&[("USERPROFILE", r"C:\Users\a")]);
        assert_eq!(home_dir(&env, true).as_deref(), Some(r"C:\Users\a"));
        assert_eq!(home_dir(&env, false), None);
        let env = env_of(&[("HOMEDRIVE", "D:"), ("HOMEPATH", r"\Users\b")]);
        assert_eq!(home_dir(&env, true).as_deref(), Some(r"D:\Users\b"));
        let env = env_of(&[("HOME", "/h"), ("USERPROFILE", r"C:\Users\a")]);
        assert_eq!(home_dir(&env, true).as_deref(), Some("/h"));
    }

    #[test]
    fn unreadable_file_is_an_error_naming_the_path() {
        let dir = scratch_dir("unreadable");
        // A directory exists but cannot be read as a file (reliable even when running as root,
        // unlike file permissions).
        let env = env_of(&[("AWS_CONFIG_FILE", dir.to_str().unwrap())]);
        let err = ProfileFiles::read(&env).unwrap_err();
        assert!(matches!(err, ConfigError::Read(_)), "{err:?}");
        assert!(err.to_string().contains(dir.to_str().unwrap()), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn non_utf8_file_is_an_error_naming_path_and_line() {
        let dir = scratch_dir("utf8");
        let file = dir.join("config");
        std::fs::write(&file, b"[default]\naws_secret_access_key = s\xffcret\n").unwrap();
        let env = env_of(&[("AWS_CONFIG_FILE", file.to_str().unwrap())]);
        let err = ProfileFiles::read(&env).unwrap_err();
        let message = err.to_string();
        assert!(
            message.starts_with(&format!("{}:2: ", file.display())),
            "{message}"
        );
        assert!(!message.contains("cret"), "{message}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn debug_never_shows_file_text() {
        let files = ProfileFiles::from_strings("", "[a]\naws_secret_access_key = hunter2\n");
        let shown = format!("{files:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}
