//! Changing a user's profile file while other programs may be changing it too.
//!
//! rsume's own runs take turns: an edit holds an advisory lock on a file beside the one it
//! changes (`credentials.rsume-lock` next to `credentials`, beside the target of a symbolic
//! link), reads the file again once it holds the lock, and replaces it before letting go; so
//! eight runs of `rsume -o` at once lose none of each other's sections. Other tools
//! (`aws configure set`) take no lock: just before the rename the file is read again, and if
//! it changed since it was read the edit is made again on the new text. That narrows the
//! window in which such a tool's write can be lost to the moment between that check and the
//! rename; it cannot close it.

use std::fs::{File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::FileKind;
use super::edit::{Document, EditError};
use super::write::{create_private_dir, resolve_links};
use crate::log;

/// How long an edit waits for another rsume run's edit of the same file. Edits hold the lock
/// for milliseconds, never across a prompt or a call, so a longer wait means a stopped run.
const LOCK_WAIT: Duration = Duration::from_secs(10);
const LOCK_POLL: Duration = Duration::from_millis(20);
/// How many times an edit is made again on a file another program keeps changing.
const ATTEMPTS: usize = 5;

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

/// Makes `change` to the file of `kind` at `path` and replaces the file atomically when it
/// changed anything. `change` may run more than once, each time on the file as it is then:
/// first without the lock (a change that changes nothing takes no lock and creates nothing),
/// then under the lock, and again whenever another program changed the file meanwhile. Its
/// last answer is returned.
pub fn update<T, E: From<EditError>>(
    kind: FileKind,
    path: &Path,
    mut change: impl FnMut(&mut Document) -> Result<T, E>,
) -> Result<T, E> {
    let mut document = Document::load(kind, path)?;
    let answer = change(&mut document)?;
    if !document.is_changed() {
        return Ok(answer);
    }
    let _lock = lock(path).map_err(EditError::from)?;
    for _ in 0..ATTEMPTS {
        let mut document = Document::load(kind, path)?;
        let answer = change(&mut document)?;
        if !document.is_changed() || document.save_if_unchanged()? {
            return Ok(answer);
        }
        log::info(format_args!(
            "{} changed while rsume was editing it (another program wrote it); editing it again",
            path.display()
        ));
    }
    Err(EditError::KeptChanging(path.to_owned()).into())
}

/// Takes the lock for editing `path`, waiting up to [`LOCK_WAIT`] and saying so when it has
/// to; the lock goes when the file is dropped or the process ends.
fn lock(path: &Path) -> Result<File, LockError> {
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

    #[test]
    fn a_file_another_program_changed_meanwhile_is_edited_again_and_keeps_its_change() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        std::fs::write(&path, "[a]\nk = 1\n").unwrap();
        let mut calls = 0;
        update(FileKind::Credentials, &path, |document| {
            calls += 1;
            // The second call is the one under the lock: `aws configure set` writes then.
            if calls == 2 {
                std::fs::write(&path, "[a]\nk = 1\n\n[theirs]\nk = 2\n").unwrap();
            }
            document.set("ours", "k", "3")
        })
        .unwrap();
        assert_eq!(calls, 3);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, "[a]\nk = 1\n\n[theirs]\nk = 2\n\n[ours]\nk = 3\n");
    }

    #[test]
    fn an_edit_that_changes_nothing_takes_no_lock_and_creates_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("aws").join("credentials");
        let found = update(FileKind::Credentials, &path, |document| {
            Ok::<_, EditError>(document.remove("x", "aws_access_key_id"))
        })
        .unwrap();
        assert!(!found);
        assert!(!dir.path().join("aws").exists());
    }
}
