//! Changing a user's profile file while other programs may be changing it too.
//!
//! An edit holds the file's lock (`lock.rs`), so rsume's own runs take turns, and reads the
//! file again once it holds it. Other tools (`aws configure set`) take no lock: just before
//! the rename the file is read again, and if it changed since it was read the edit is made
//! again on the new text. That narrows the window in which such a tool's write can be lost to
//! the moment between that check and the rename; it cannot close it.

use std::path::Path;

use super::FileKind;
use super::edit::{Document, EditError};
pub use super::lock::LockError;
use super::lock::lock;
use crate::log;

/// How many times an edit is made again on a file another program keeps changing.
const ATTEMPTS: usize = 5;

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

#[cfg(test)]
mod tests {
    use super::*;

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
