//! The credential cache: one JSON file per key in a private directory. This module only
//! stores and finds entries; when an entry is fresh enough is the `vault::Cached` decorator's call.
//!
//! The directory is created 0700 and refused when another user could swap, plant or read
//! files in it (a symlink, someone else's, open to group or others; see `safety`); rsume never
//! changes the mode of a directory, and touches only files whose names it writes (see
//! `names`). Files are created 0600 and replaced by rename, so a crash never leaves half an
//! entry. A lock file per key lets concurrent runs make one STS call between them.

mod entry;
mod key;
mod names;
mod safety;

pub use entry::{About, EntryKind};
pub use key::Key;

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::credentials::Credentials;
use crate::log;
use names::Name;
use safety::{check_dir, check_file, open_private, private_dir_builder};

/// How long a run waits for another run working on the same entry before it goes ahead
/// alone; a normal STS call takes well under a second.
pub const LOCK_WAIT: Duration = Duration::from_secs(10);
const LOCK_POLL: Duration = Duration::from_millis(50);
/// A wait longer than an STS call usually takes is announced, well within a second.
const LOCK_ANNOUNCE: Duration = Duration::from_millis(300);

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error(
        "not using the cache directory {}: {why}; fix it or point RSUME_CACHE_DIR elsewhere",
        dir.display()
    )]
    Unsafe { dir: PathBuf, why: &'static str },
    #[error("cache: {}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    /// A file another user could have placed or changed: left alone, never trusted.
    #[error("ignoring the cache entry {}: {reason}; it will be replaced", path.display())]
    Refused { path: PathBuf, reason: &'static str },
    /// rsume's own file with content it cannot use: dropped by [`Cache::drop_entry`].
    #[error("dropping the cache entry {}: {reason}; it will be fetched again", path.display())]
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
    /// Creates the directory (0700) if needed and checks that only this user can use it. An
    /// existing directory is never changed: one that others can read is refused, since it
    /// may be a folder of the user's that was never meant to hold keys.
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

    /// The cache in `dir` if there is one, checked as [`Cache::open`] checks it; creates
    /// nothing, for commands that only look (`rsume cache list`).
    pub fn existing(dir: PathBuf) -> Result<Option<Cache>, CacheError> {
        match fs::symlink_metadata(&dir) {
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
            _ => {
                check_dir(&dir)?;
                Ok(Some(Cache { dir }))
            }
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The entry for `key`, if there is one, whatever its expiry.
    pub fn load(&self, key: &Key) -> Result<Option<(About, Credentials)>, CacheError> {
        read_entry(&self.dir.join(names::entry(key)))
    }

    /// Removes the entry for `key` after [`CacheError::Corrupt`]: a file of rsume's own
    /// (checked as such on read) whose content cannot be used.
    pub fn drop_entry(&self, key: &Key) -> Result<(), CacheError> {
        remove(&self.dir.join(names::entry(key)))
    }

    /// Writes the entry for `key`: a new 0600 file, flushed, then renamed over the old one.
    /// Leftovers of runs killed mid-write go at the same time.
    pub fn store(
        &self,
        key: &Key,
        about: &About,
        credentials: &Credentials,
    ) -> Result<(), CacheError> {
        let path = self.dir.join(names::entry(key));
        let temp = self.dir.join(names::temp(key));
        let written = (|| {
            let mut file = open_private(&temp, OpenOptions::new().write(true).create_new(true))?;
            file.write_all(&entry::encode(about, credentials))?;
            file.sync_all()?;
            fs::rename(&temp, &path)
        })();
        if written.is_err() {
            let _ = fs::remove_file(&temp);
        }
        written.map_err(io_error(&path))?;
        self.remove_stale_temps();
        Ok(())
    }

    /// Makes this process the only one working on `key` (the lock goes when the returned
    /// file is dropped or the process ends). A run that has to wait says so within a second,
    /// naming `purpose`; after [`LOCK_WAIT`] it carries on without the lock (`None`), saying so,
    /// because a run stopped with Ctrl-Z must not block every other run for good.
    pub fn lock(&self, key: &Key, purpose: &str) -> Result<Option<File>, CacheError> {
        let path = self.dir.join(names::lock(key));
        let file = open_private(&path, OpenOptions::new().write(true).create(true))
            .map_err(io_error(&path))?;
        check_file(&file, &path)?;
        let locked = |file: &File| match file.try_lock() {
            Ok(()) => Ok(true),
            Err(TryLockError::WouldBlock) => Ok(false),
            Err(TryLockError::Error(error)) => Err(io_error(&path)(error)),
        };
        let started = Instant::now();
        let mut announced = false;
        while started.elapsed() < LOCK_WAIT {
            if locked(&file)? {
                return Ok(Some(file));
            }
            if !announced && started.elapsed() >= LOCK_ANNOUNCE {
                announced = true;
                log::info(format_args!(
                    "waiting for another rsume run that is fetching {purpose} (lock {})",
                    path.display()
                ));
            }
            std::thread::sleep(LOCK_POLL);
        }
        log::warn(format_args!(
            "{purpose}: still locked by another run after {} s; carrying on without the lock",
            LOCK_WAIT.as_secs()
        ));
        Ok(None)
    }

    /// Every entry file, with what it says about itself (or why it cannot be read).
    pub fn list(&self) -> Result<Vec<Listed>, CacheError> {
        let mut listed: Vec<Listed> = self
            .own_files()?
            .into_iter()
            .filter(|(_, name)| matches!(name, OwnFile::Entry(_)))
            .filter_map(|(file, _)| {
                // An entry removed since the directory was read is simply not listed.
                let about = read_entry(&file).transpose()?.map(|(about, _)| about);
                Some(Listed { file, about })
            })
            .collect();
        listed.sort_by(|a, b| a.file.cmp(&b.file));
        Ok(listed)
    }

    /// Removes the entries of `profile` (with their locks), or every file rsume keeps here
    /// when no profile is given; either way also what killed runs left behind. Files that
    /// rsume does not write are never touched. Returns how many entries went.
    pub fn clear(&self, profile: Option<&str>) -> Result<usize, CacheError> {
        let files = self.own_files()?;
        let mut cleared_keys = Vec::new();
        for (file, name) in &files {
            let OwnFile::Entry(key) = name else { continue };
            let matches = match profile {
                None => true,
                Some(wanted) => {
                    matches!(read_entry(file), Ok(Some((about, _))) if about.profile == wanted)
                }
            };
            if matches {
                remove(file)?;
                cleared_keys.push(key.clone());
            }
        }
        for (file, name) in &files {
            let goes = match name {
                OwnFile::Entry(_) => false,
                OwnFile::Lock(key) => cleared_keys.contains(key),
                OwnFile::Temp { key, pid } => {
                    cleared_keys.contains(key) || is_stale_temp(file, *pid)
                }
            };
            if goes {
                remove(file)?;
            }
        }
        Ok(cleared_keys.len())
    }

    /// Best effort: a leftover that cannot be removed now is tried again on the next write.
    fn remove_stale_temps(&self) {
        for (file, name) in self.own_files().unwrap_or_default() {
            if let OwnFile::Temp { pid, .. } = name
                && is_stale_temp(&file, pid)
            {
                log::debug(format_args!(
                    "removing {}, left by a killed run",
                    file.display()
                ));
                let _ = fs::remove_file(&file);
            }
        }
    }

    /// The files here whose names rsume writes, whatever they are now.
    fn own_files(&self) -> Result<Vec<(PathBuf, OwnFile)>, CacheError> {
        let mut own = Vec::new();
        for item in fs::read_dir(&self.dir).map_err(io_error(&self.dir))? {
            let item = item.map_err(io_error(&self.dir))?;
            let name = item.file_name();
            let Some(parsed) = name.to_str().and_then(names::parse) else {
                continue;
            };
            let owned = match parsed {
                Name::Entry(key) => OwnFile::Entry(key.to_owned()),
                Name::Lock(key) => OwnFile::Lock(key.to_owned()),
                Name::Temp { key, pid } => OwnFile::Temp {
                    key: key.to_owned(),
                    pid,
                },
            };
            own.push((item.path(), owned));
        }
        Ok(own)
    }
}

/// [`Name`] with owned keys, for a listing that outlives the directory read.
enum OwnFile {
    Entry(String),
    Lock(String),
    Temp { key: String, pid: u32 },
}

fn is_stale_temp(file: &Path, pid: u32) -> bool {
    let modified = fs::symlink_metadata(file).and_then(|m| m.modified()).ok();
    names::is_stale_temp(pid, modified)
}

/// Removes one of rsume's files; one already gone is fine.
fn remove(file: &Path) -> Result<(), CacheError> {
    match fs::remove_file(file) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => Err(io_error(file)(error)),
        _ => Ok(()),
    }
}

/// Reads one entry, refusing anything that is not a regular file of this user's with no
/// access for others. Opening never blocks and never follows a link, so a FIFO or a
/// symlink named like an entry is reported, not waited on or read through.
fn read_entry(path: &Path) -> Result<Option<(About, Credentials)>, CacheError> {
    use crate::fs::{self as files, Contents, Links, Problem};
    let refused = |reason| CacheError::Refused {
        path: path.to_owned(),
        reason,
    };
    // A file someone else placed is refused; one of its own that is too large is dropped.
    let unreadable = |error: files::ReadError| match error.problem {
        Problem::Symlink => refused("it is a symbolic link"),
        Problem::NotRegular(_) => refused("not a regular file"),
        Problem::Io(source) => io_error(path)(source),
        other => CacheError::Corrupt {
            path: path.to_owned(),
            reason: other.to_string(),
        },
    };
    let file = match files::open(path, Links::Refuse) {
        Ok(file) => file,
        Err(error) if error.is_not_found() => return Ok(None),
        Err(error) => return Err(unreadable(error)),
    };
    check_file(&file, path)?;
    let bytes = files::read_open(&file, path, Contents::CacheEntry).map_err(unreadable)?;
    entry::decode(&bytes)
        .map(Some)
        .map_err(|why| CacheError::Corrupt {
            path: path.to_owned(),
            reason: why.to_string(),
        })
}
