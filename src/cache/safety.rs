//! Who else could reach the cache: the directory and each file must be this user's alone,
//! and opening one never follows a link nor waits. On Unix that is modes and owners; elsewhere
//! only the directory's type is checked.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::Path;

use super::{CacheError, io_error};

#[cfg(unix)]
pub(super) fn private_dir_builder() -> fs::DirBuilder {
    use std::os::unix::fs::DirBuilderExt;
    let mut builder = fs::DirBuilder::new();
    builder.mode(0o700);
    builder
}

#[cfg(not(unix))]
pub(super) fn private_dir_builder() -> fs::DirBuilder {
    fs::DirBuilder::new()
}

/// Opens without following a symlink at `path` and without waiting (a FIFO opens at once,
/// then fails the regular-file check), creating files 0600.
pub(super) fn open_private(path: &Path, options: &mut OpenOptions) -> io::Result<File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    options.open(path)
}

#[cfg(unix)]
pub(super) fn check_dir(dir: &Path) -> Result<(), CacheError> {
    use std::os::unix::fs::MetadataExt;
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
        return unsafe_dir(
            "other users can read it (rsume changes no directory it did not create)",
        );
    }
    Ok(())
}

#[cfg(not(unix))]
pub(super) fn check_dir(dir: &Path) -> Result<(), CacheError> {
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
pub(super) fn check_file(file: &File, path: &Path) -> Result<(), CacheError> {
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
    Err(CacheError::Refused {
        path: path.to_owned(),
        reason,
    })
}

#[cfg(not(unix))]
pub(super) fn check_file(_: &File, _: &Path) -> Result<(), CacheError> {
    Ok(())
}
