//! The lock an edit of a profile file holds, so that rsume's own runs take turns.
//!
//! It is an advisory lock on a file beside the one changed (`credentials.rsume-lock` next to
//! `credentials`, beside the target of a symbolic link), held until the file is replaced; so
//! eight runs of `rsume -o` at once lose none of each other's sections.

use std::fs::{File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::write::{create_private_dir, resolve_links};
use crate::log;

/// How long an edit waits for another rsume run's edit of the same file. Edits hold the lock
/// for milliseconds, never across a prompt or a call, so a longer wait means a stopped run.
const LOCK_WAIT: Duration = Duration::from_secs(10);
const LOCK_POLL: Duration = Duration::from_millis(20);

/// Why the lock was not taken; the file is unchanged.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("cannot lock {} to edit {} ({source}); the file is unchanged", lock.display(), path.display())]
    Io {
        path: PathBuf,
        lock: PathBuf,
        source: io::Error,
    },
    #[error(
        "another rsume run has been editing {} for {} s (lock {}); the file is unchanged: let it finish (a run stopped with Ctrl-Z holds it until resumed) and try again",
        path.display(), LOCK_WAIT.as_secs(), lock.display()
    )]
    Busy { path: PathBuf, lock: PathBuf },
}

/// Takes the lock for editing `path`, waiting up to [`LOCK_WAIT`] and saying so when it has
/// to; the lock goes when the file is dropped or the process ends.
pub(super) fn lock(path: &Path) -> Result<File, LockError> {
    lock_within(path, LOCK_WAIT)
}

fn lock_within(path: &Path, wait: Duration) -> Result<File, LockError> {
    let target = resolve_links(path).unwrap_or_else(|_| path.to_owned());
    let lock = lock_path(&target);
    let failed = |source| LockError::Io {
        path: path.to_owned(),
        lock: lock.clone(),
        source,
    };
    if let Some(dir) = lock.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        create_private_dir(dir).map_err(failed)?;
    }
    let file = open_private(&lock).map_err(failed)?;
    let started = Instant::now();
    let mut announced = false;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(TryLockError::WouldBlock) => {}
            Err(TryLockError::Error(error)) => return Err(failed(error)),
        }
        if !announced {
            announced = true;
            log::info(format_args!(
                "waiting for another rsume run to finish editing {} (lock {})",
                path.display(),
                lock.display()
            ));
        }
        if started.elapsed() >= wait {
            return Err(LockError::Busy {
                path: path.to_owned(),
                lock,
            });
        }
        std::thread::sleep(LOCK_POLL);
    }
}

/// `credentials.rsume-lock` beside `credentials`.
fn lock_path(target: &Path) -> PathBuf {
    let mut name = target.file_name().unwrap_or_default().to_owned();
    name.push(".rsume-lock");
    target.with_file_name(name)
}

#[cfg(unix)]
fn open_private(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn open_private(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_is_a_private_file_beside_the_target_of_a_link() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("dotfiles")).unwrap();
        std::fs::write(dir.path().join("dotfiles/credentials"), "").unwrap();
        let link = dir.path().join("credentials");
        #[cfg(unix)]
        std::os::unix::fs::symlink("dotfiles/credentials", &link).unwrap();
        #[cfg(not(unix))]
        let link = dir.path().join("dotfiles/credentials");
        let held = lock(&link).unwrap();
        let lock_file = dir.path().join("dotfiles/credentials.rsume-lock");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&lock_file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // A second holder (another open file, as another process has) waits, then gives up
        // naming the file and the lock; once the first lets go, it gets the lock.
        let err = lock_within(&link, Duration::ZERO).unwrap_err();
        assert!(matches!(&err, LockError::Busy { .. }), "{err}");
        let text = err.to_string();
        assert!(text.contains("credentials.rsume-lock"), "{text}");
        assert!(text.contains("the file is unchanged"), "{text}");
        drop(held);
        lock_within(&link, Duration::ZERO).unwrap();
    }
}
