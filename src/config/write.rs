//! Replacing a user's file so that a crash leaves either the old bytes or the new ones.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A file could not be replaced; it is left as it was.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {} ({source}); the file is unchanged", path.display())]
pub struct WriteError {
    /// The file that was to be replaced: the target of a symbolic link, not the link.
    pub path: PathBuf,
    pub source: io::Error,
}

/// Replaces the file at `path` with `bytes`, atomically.
///
/// A symbolic link is written through to its target (dotfile managers link these files), so
/// the link stays a link. The bytes go to a temporary file in the target's directory, are
/// synced, and renamed over the target, so readers see the old file or the new one and never
/// half of one. The old file's mode and owner are kept; a missing file is created 0600, and a
/// missing directory 0700.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    write_with(path, bytes, |_| Ok(true)).map(|_| ())
}

/// [`write_atomically`], unless `unchanged()`, asked once the new bytes are on disk and just
/// before the rename, says the file changed since it was read: then nothing is replaced and
/// the answer is `false`. Another program's write between that check and the rename is
/// still lost; the check only makes that window as short as it can be.
pub(super) fn replace_unless_changed(
    path: &Path,
    bytes: &[u8],
    unchanged: impl FnOnce() -> bool,
) -> Result<bool, WriteError> {
    write_with(path, bytes, |_| Ok(unchanged()))
}

/// [`write_atomically`], with `before_rename` called once the temporary file is complete (so
/// a test can fail or crash there); when it answers `false`, the temporary file is removed,
/// the target is left alone and the answer is `false`.
fn write_with(
    path: &Path,
    bytes: &[u8],
    before_rename: impl FnOnce(&Path) -> io::Result<bool>,
) -> Result<bool, WriteError> {
    let target = resolve_links(path).map_err(|source| WriteError {
        path: path.to_owned(),
        source,
    })?;
    let fail = |source| WriteError {
        path: target.clone(),
        source,
    };
    let old = match fs::metadata(&target) {
        Ok(meta) => Some(meta),
        Err(err) if err.kind() == io::ErrorKind::NotFound => None,
        Err(err) => return Err(fail(err)),
    };
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    if old.is_none() {
        create_private_dir(dir).map_err(fail)?;
    }
    let Some(name) = target.file_name() else {
        return Err(fail(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the path does not name a file",
        )));
    };
    let temp = dir.join(format!(
        ".{}.rsume-{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let written = (|| {
        // A leftover of an earlier run with the same process id; the name is rsume's.
        let _ = fs::remove_file(&temp);
        let mut file = create_private(&temp)?;
        file.write_all(bytes)?;
        if let Some(old) = &old {
            keep_owner_and_mode(&file, old)?;
        }
        file.sync_all()?;
        drop(file);
        if !before_rename(&temp)? {
            fs::remove_file(&temp)?;
            return Ok(false);
        }
        fs::rename(&temp, &target).map(|()| true)
    })();
    let replaced = match written {
        Ok(replaced) => replaced,
        Err(err) => {
            let _ = fs::remove_file(&temp);
            return Err(fail(err));
        }
    };
    if !replaced {
        return Ok(false);
    }
    // The rename is durable once the directory is synced; the file is already replaced, so a
    // failure here changes nothing for the caller.
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(true)
}

/// Follows symbolic links to the file they end at, which need not exist yet.
pub(super) fn resolve_links(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    // As many links as Linux follows before it gives up with ELOOP.
    for _ in 0..40 {
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = fs::read_link(&current)?;
                // A relative link is relative to the link's directory; `join` keeps an absolute
                // one as it is.
                current = match current.parent() {
                    Some(dir) => dir.join(link),
                    None => link,
                };
            }
            Ok(_) => return Ok(current),
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(current),
            Err(err) => return Err(err),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

#[cfg(unix)]
pub(super) fn create_private_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
pub(super) fn create_private_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)
}

#[cfg(unix)]
fn create_private(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn create_private(path: &Path) -> io::Result<File> {
    OpenOptions::new().write(true).create_new(true).open(path)
}

/// Gives the new file the old one's owner, then its mode (in that order: a change of owner
/// clears set-id bits).
#[cfg(unix)]
fn keep_owner_and_mode(file: &File, old: &fs::Metadata) -> io::Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let new = file.metadata()?;
    if (new.uid(), new.gid()) != (old.uid(), old.gid()) {
        std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid()))?;
    }
    file.set_permissions(fs::Permissions::from_mode(old.mode() & 0o7777))
}

#[cfg(not(unix))]
fn keep_owner_and_mode(file: &File, old: &fs::Metadata) -> io::Result<()> {
    file.set_permissions(old.permissions())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().mode() & 0o7777
    }

    /// Names in `dir` other than `keep`: a temporary file left behind would show here.
    fn others(dir: &Path, keep: &[&str]) -> Vec<String> {
        fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| !keep.contains(&name.as_str()))
            .collect()
    }

    #[test]
    fn a_missing_file_is_created_private_in_a_private_directory() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new").join(".aws").join("config");
        write_atomically(&path, b"[default]\n").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"[default]\n");
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        assert_eq!(mode(&dir.path().join("new")), 0o700);
    }

    #[test]
    fn the_old_mode_is_kept() {
        for kept in [0o600, 0o644, 0o640] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("credentials");
            fs::write(&path, "old").unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(kept)).unwrap();
            write_atomically(&path, b"new").unwrap();
            assert_eq!(fs::read(&path).unwrap(), b"new");
            assert_eq!(mode(&path), kept, "{kept:o}");
            assert!(others(dir.path(), &["credentials"]).is_empty());
        }
    }

    #[test]
    fn the_old_owner_is_kept() {
        // Only root may give a file to someone else; as anyone else, the owner is ours anyway.
        if unsafe { libc::geteuid() } != 0 {
            eprintln!("skipped: needs root to create a file owned by another user");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        fs::write(&path, "old").unwrap();
        std::os::unix::fs::chown(&path, Some(4321), Some(8765)).unwrap();
        write_atomically(&path, b"new").unwrap();
        let meta = fs::metadata(&path).unwrap();
        assert_eq!((meta.uid(), meta.gid()), (4321, 8765));
        assert_eq!(fs::read(&path).unwrap(), b"new");
    }

    #[test]
    fn a_symbolic_link_is_written_through_to_its_target() {
        let dir = tempfile::tempdir().unwrap();
        let dotfiles = dir.path().join("dotfiles");
        fs::create_dir(&dotfiles).unwrap();
        let target = dotfiles.join("aws-config");
        fs::write(&target, "old").unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o644)).unwrap();
        let home = dir.path().join("home");
        fs::create_dir(&home).unwrap();
        // A relative link to a relative link, as dotfile managers make them.
        symlink("../dotfiles/aws-config", home.join("middle")).unwrap();
        symlink("middle", home.join("config")).unwrap();

        write_atomically(&home.join("config"), b"new").unwrap();
        assert!(
            fs::symlink_metadata(home.join("config"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(&target).unwrap(), b"new");
        assert_eq!(mode(&target), 0o644);
        assert!(others(&dotfiles, &["aws-config"]).is_empty());
    }

    #[test]
    fn a_dangling_link_creates_its_target() {
        let dir = tempfile::tempdir().unwrap();
        symlink("real", dir.path().join("config")).unwrap();
        write_atomically(&dir.path().join("config"), b"new").unwrap();
        assert_eq!(fs::read(dir.path().join("real")).unwrap(), b"new");
        assert_eq!(mode(&dir.path().join("real")), 0o600);
    }

    #[test]
    fn a_failed_rename_leaves_the_old_file_whole_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        fs::write(&path, "old bytes\n").unwrap();
        let err = write_with(&path, b"new bytes\n", |temp| {
            // The new bytes are complete on disk before the rename.
            assert_eq!(fs::read(temp).unwrap(), b"new bytes\n");
            Err(io::Error::other("injected"))
        })
        .unwrap_err();
        assert_eq!(fs::read(&path).unwrap(), b"old bytes\n");
        assert!(others(dir.path(), &["config"]).is_empty());
        assert_eq!(err.path, path);
        assert!(err.to_string().contains("the file is unchanged"), "{err}");
    }

    #[test]
    fn a_file_that_changed_since_it_was_read_is_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        fs::write(&path, "theirs\n").unwrap();
        assert!(!replace_unless_changed(&path, b"ours\n", || false).unwrap());
        assert_eq!(fs::read(&path).unwrap(), b"theirs\n");
        assert!(others(dir.path(), &["credentials"]).is_empty());
        assert!(replace_unless_changed(&path, b"ours\n", || true).unwrap());
        assert_eq!(fs::read(&path).unwrap(), b"ours\n");
    }

    /// The child half of the crash test: writes, then dies before the rename.
    #[test]
    #[ignore = "run as a child process by a_process_killed_mid_write_leaves_the_old_file_whole"]
    fn crash_before_rename_child() {
        let path = std::env::var_os("RSUME_TEST_CRASH_WRITE").expect("set by the parent test");
        let _ = write_with(Path::new(&path), b"new bytes\n", |_| std::process::abort());
        unreachable!("the process aborts before the rename");
    }

    #[test]
    fn a_process_killed_mid_write_leaves_the_old_file_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        fs::write(&path, "old bytes\n").unwrap();
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "config::write::tests::crash_before_rename_child"])
            .arg("--ignored")
            .args(["--test-threads", "1", "--nocapture"])
            .env("RSUME_TEST_CRASH_WRITE", &path)
            .status()
            .unwrap();
        assert!(!status.success(), "the child should have died");
        assert_eq!(fs::read(&path).unwrap(), b"old bytes\n");
        // The complete temporary file is what the crash left behind.
        let left = others(dir.path(), &["config"]);
        assert_eq!(left.len(), 1, "{left:?}");
        assert_eq!(fs::read(dir.path().join(&left[0])).unwrap(), b"new bytes\n");
    }
}
