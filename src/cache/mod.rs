//! The credential cache: one JSON file per key in a private directory. This module only
//! stores and finds entries; when an entry is fresh enough is `fetch`'s call.
//!
//! The directory is created 0700 and refused when another user could swap or plant files in
//! it (a symlink, someone else's, writable by group or others). Files are created 0600 and
//! replaced by rename, so a crash never leaves half an entry. A lock file per key lets
//! concurrent runs make one STS call between them.

mod entry;
mod key;

pub use entry::{About, EntryKind};
pub use key::{Key, keys};

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use crate::credentials::Credentials;

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error(
        "not using the cache directory {}: {why}; fix it or point RSUME_CACHE_DIR elsewhere",
        dir.display()
    )]
    Unsafe { dir: PathBuf, why: &'static str },
    #[error("cache: {}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("ignoring the cache entry {}: {reason}; it will be replaced", path.display())]
    Corrupt { path: PathBuf, reason: String },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> CacheError + '_ {
    move |source| CacheError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Where the cache lives: `RSUME_CACHE_DIR`, else `$XDG_CACHE_HOME/rsume`, else
/// `~/.cache/rsume` (`%LOCALAPPDATA%\rsume` on Windows).
pub fn default_dir(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let var = |name| env(name).filter(|v: &String| !v.is_empty());
    if let Some(dir) = var("RSUME_CACHE_DIR") {
        return Some(PathBuf::from(dir));
    }
    if let Some(xdg) = var("XDG_CACHE_HOME").filter(|d| Path::new(d).is_absolute()) {
        return Some(Path::new(&xdg).join("rsume"));
    }
    if cfg!(windows) {
        return var("LOCALAPPDATA").map(|d| Path::new(&d).join("rsume"));
    }
    var("HOME").map(|home| Path::new(&home).join(".cache").join("rsume"))
}

/// An opened, checked cache directory.
#[derive(Debug)]
pub struct Cache {
    dir: PathBuf,
}

/// One entry as `rsume cache list` shows it.
pub struct Listed {
    pub file: PathBuf,
    pub about: Result<About, CacheError>,
}

impl Cache {
    /// Creates the directory (0700) if needed and checks that only this user controls it.
    pub fn open(dir: PathBuf) -> Result<Cache, CacheError> {
        if let Some(parent) = dir.parent() {
            fs::create_dir_all(parent).map_err(io_error(parent))?;
        }
        match private_dir_builder().create(&dir) {
            Ok(()) => {}
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {}
            Err(error) => return Err(io_error(&dir)(error)),
        }
        check_dir(&dir)?;
        Ok(Cache { dir })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn entry_path(&self, key: &Key) -> PathBuf {
        self.dir.join(format!("{}.json", key.as_str()))
    }

    /// The entry for `key`, if there is one, whatever its expiry.
    pub fn load(&self, key: &Key) -> Result<Option<(About, Credentials)>, CacheError> {
        let path = self.entry_path(key);
        let mut file = match open_private(&path, OpenOptions::new().read(true)) {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(io_error(&path)(error)),
        };
        check_file(&file, &path)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(io_error(&path))?;
        entry::decode(&bytes)
            .map(Some)
            .map_err(|corrupt| CacheError::Corrupt {
                path,
                reason: corrupt.to_string(),
            })
    }

    /// Writes the entry for `key`: a new 0600 file, flushed, then renamed over the old one.
    pub fn store(
        &self,
        key: &Key,
        about: &About,
        credentials: &Credentials,
    ) -> Result<(), CacheError> {
        let path = self.entry_path(key);
        let temp = self.dir.join(format!(
            ".{}.{}.{}.tmp",
            key.as_str(),
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                .as_nanos()
        ));
        let written = (|| {
            let mut file = open_private(&temp, OpenOptions::new().write(true).create_new(true))?;
            file.write_all(&entry::encode(about, credentials))?;
            file.sync_all()?;
            fs::rename(&temp, &path)
        })();
        if written.is_err() {
            let _ = fs::remove_file(&temp);
        }
        written.map_err(io_error(&path))
    }

    /// Blocks until this process is the only one working on `key`; the lock is released when
    /// the returned file is dropped (or the process ends).
    pub fn lock(&self, key: &Key) -> Result<File, CacheError> {
        let path = self.dir.join(format!("{}.lock", key.as_str()));
        let file = open_private(&path, OpenOptions::new().write(true).create(true))
            .map_err(io_error(&path))?;
        file.lock().map_err(io_error(&path))?;
        Ok(file)
    }

    /// Every entry file, with what it says about itself (or why it cannot be read).
    pub fn list(&self) -> Result<Vec<Listed>, CacheError> {
        let mut listed = Vec::new();
        for item in fs::read_dir(&self.dir).map_err(io_error(&self.dir))? {
            let path = item.map_err(io_error(&self.dir))?.path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let about = fs::read(&path)
                .map_err(io_error(&path))
                .and_then(|bytes| {
                    entry::decode(&bytes).map_err(|corrupt| CacheError::Corrupt {
                        path: path.clone(),
                        reason: corrupt.to_string(),
                    })
                })
                .map(|(about, _)| about);
            listed.push(Listed { file: path, about });
        }
        listed.sort_by(|a, b| a.file.cmp(&b.file));
        Ok(listed)
    }

    /// Removes the entries of `profile`, or everything rsume keeps here (entries, locks,
    /// leftovers) when no profile is given. Returns how many entries went.
    pub fn clear(&self, profile: Option<&str>) -> Result<usize, CacheError> {
        let mut removed = 0;
        for listed in self.list()? {
            let matches = match (profile, &listed.about) {
                (None, _) => true,
                (Some(name), Ok(about)) => about.profile == name,
                (Some(_), Err(_)) => false,
            };
            if matches {
                fs::remove_file(&listed.file).map_err(io_error(&listed.file))?;
                let _ = fs::remove_file(listed.file.with_extension("lock"));
                removed += 1;
            }
        }
        if profile.is_none() {
            for item in fs::read_dir(&self.dir).map_err(io_error(&self.dir))? {
                let path = item.map_err(io_error(&self.dir))?.path();
                if path.extension().is_some_and(|e| e == "lock" || e == "tmp") {
                    let _ = fs::remove_file(path);
                }
            }
        }
        Ok(removed)
    }
}

#[cfg(unix)]
fn private_dir_builder() -> fs::DirBuilder {
    use std::os::unix::fs::DirBuilderExt;
    let mut builder = fs::DirBuilder::new();
    builder.mode(0o700);
    builder
}

#[cfg(not(unix))]
fn private_dir_builder() -> fs::DirBuilder {
    fs::DirBuilder::new()
}

/// Opens without following a symlink at `path`, creating files 0600.
fn open_private(path: &Path, options: &mut OpenOptions) -> io::Result<File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    options.open(path)
}

#[cfg(unix)]
fn check_dir(dir: &Path) -> Result<(), CacheError> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let unsafe_dir = |why| {
        Err(CacheError::Unsafe {
            dir: dir.to_owned(),
            why,
        })
    };
    let meta = fs::symlink_metadata(dir).map_err(io_error(dir))?;
    if meta.file_type().is_symlink() {
        return unsafe_dir("it is a symbolic link");
    }
    if !meta.is_dir() {
        return unsafe_dir("it is not a directory");
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    if meta.uid() != unsafe { libc::geteuid() } {
        return unsafe_dir("it belongs to another user");
    }
    if meta.mode() & 0o022 != 0 {
        return unsafe_dir("other users can write to it");
    }
    if meta.mode() & 0o077 != 0 {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(io_error(dir))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_dir(dir: &Path) -> Result<(), CacheError> {
    let meta = fs::symlink_metadata(dir).map_err(io_error(dir))?;
    if !meta.is_dir() {
        return Err(CacheError::Unsafe {
            dir: dir.to_owned(),
            why: "it is not a directory",
        });
    }
    Ok(())
}

/// An entry another user could have written is not trusted.
#[cfg(unix)]
fn check_file(file: &File, path: &Path) -> Result<(), CacheError> {
    use std::os::unix::fs::MetadataExt;
    let meta = file.metadata().map_err(io_error(path))?;
    // SAFETY: as above.
    let reason = if !meta.is_file() {
        "not a regular file"
    } else if meta.uid() != unsafe { libc::geteuid() } {
        "it belongs to another user"
    } else if meta.mode() & 0o077 != 0 {
        "other users can read or write it"
    } else {
        return Ok(());
    };
    Err(CacheError::Corrupt {
        path: path.to_owned(),
        reason: reason.into(),
    })
}

#[cfg(not(unix))]
fn check_file(_: &File, _: &Path) -> Result<(), CacheError> {
    Ok(())
}
