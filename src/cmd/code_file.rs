//! The wrappers' code file: how `rsume PROFILE` through the wrapper hands its shell code to
//! the shell while rsume runs as a foreground job on the real terminal (docs/shells.md, "The
//! wrapper"). Each shell has one file, named by the wrapper after the shell's process id, in
//! a directory only this user can enter. A run removes what an earlier one left there before
//! it does anything, and creates the file anew (`O_EXCL`, `O_NOFOLLOW`, 0600) once at the
//! end, only on success and only for shell code; the wrapper empties it with a builtin as it
//! reads it. The file is opened close-on-exec after every child rsume started has ended, so
//! no child ever holds it.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::Env;
use crate::shell::Shell;

/// A file left here longer than this was never read (its shell died or the run was
/// suspended), or a shell's emptied file: either may go. The wrapper reads its file at once.
const LEFTOVER_AGE: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum CodeFileError {
    #[error(
        "the wrapper names the code file {}, but this rsume writes them as a number in {}; reload the wrapper:  {hint}",
        path.display(),
        dir.as_deref().map_or("(no directory: set XDG_RUNTIME_DIR or HOME)".into(), |d| d.display().to_string())
    )]
    NotOurs {
        path: PathBuf,
        dir: Option<PathBuf>,
        hint: String,
    },
    #[error("not writing shell code in {}: {why}", dir.display())]
    Unsafe { dir: PathBuf, why: &'static str },
    #[error("the wrapper's code file {}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    /// Suspended (Ctrl-Z) and resumed with `fg`: the wrapper returned at the stop, so no
    /// shell would read the code, which would only leave the keys on disk.
    #[error(
        "nothing applied: rsume was suspended, and the wrapper gave the prompt back then; run the same command again (what was fetched is cached)"
    )]
    Resumed,
}

/// Where the code files live: `$XDG_RUNTIME_DIR/rsume` when `XDG_RUNTIME_DIR` is a private
/// directory (a tmpfs on most Linux systems, emptied at logout), else `wrapper` in the
/// cache directory. `rsume init` writes this path into the wrapper.
pub fn dir(env: Env<'_>) -> Option<PathBuf> {
    env("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .filter(|d| d.is_absolute() && private(d).is_ok())
        .map(|d| d.join("rsume"))
        .or_else(|| crate::cache::default_dir(env).map(|d| d.join("wrapper")))
        // The wrapper reads the file by this path from any working directory.
        .filter(|d| d.is_absolute())
}

/// This run's code file, claimed: checked, and emptied of what an earlier run left.
pub struct CodeFile {
    path: PathBuf,
    name: OsString,
    /// The directory, opened once and checked, so a swap after the check changes nothing.
    dir: File,
}

impl CodeFile {
    /// Accepts only a file the wrappers name (a number) in the directory [`dir`] names,
    /// which it creates (0700) when missing and refuses when another user could enter it;
    /// then removes the file, so after this run it holds this run's code or nothing.
    pub fn claim(path: &Path, shell: Shell, env: Env<'_>) -> Result<CodeFile, CodeFileError> {
        let expected = dir(env);
        let name = path.file_name().filter(|n| {
            n.to_str().is_some_and(|n| {
                !n.is_empty() && n.len() <= 20 && n.bytes().all(|b| b.is_ascii_digit())
            })
        });
        let (Some(name), Some(dir)) = (
            name,
            expected.as_deref().filter(|d| path.parent() == Some(*d)),
        ) else {
            return Err(CodeFileError::NotOurs {
                path: path.to_owned(),
                dir: expected,
                hint: shell.eval_hint(&format!("init {}", shell.name())),
            });
        };
        let io_error = |source| CodeFileError::Io {
            path: dir.to_owned(),
            source,
        };
        private_dir_builder().create(dir).map_err(io_error)?;
        let handle = open_dir(dir).map_err(io_error)?;
        check_private(dir, &handle.metadata().map_err(io_error)?)?;
        check_ancestors(&fs::canonicalize(dir).map_err(io_error)?)?;
        let file = CodeFile {
            path: path.to_owned(),
            name: name.to_owned(),
            dir: handle,
        };
        file.remove(&file.name).map_err(|source| file.io(source))?;
        resumed::watch();
        Ok(file)
    }

    /// Writes `code` into a new file (created 0600, never through a symlink, never over a
    /// file that appeared since the claim), then removes leftovers of other shells.
    pub fn write(self, code: &str) -> Result<(), CodeFileError> {
        if resumed::since_watch() {
            return Err(CodeFileError::Resumed);
        }
        let mut file = self.create().map_err(|source| self.io(source))?;
        file.write_all(code.as_bytes())
            .map_err(|source| self.io(source))?;
        drop(file);
        self.remove_leftovers();
        Ok(())
    }

    /// For a run that ends with no code (a program it ran, a report): removes whatever a
    /// child wrote under this run's name meanwhile, so the wrapper finds nothing to run.
    pub fn discard(self) {
        let _ = self.remove(&self.name);
    }

    fn io(&self, source: io::Error) -> CodeFileError {
        CodeFileError::Io {
            path: self.path.clone(),
            source,
        }
    }

    /// Best effort: what cannot go now goes on a later run.
    fn remove_leftovers(&self) {
        let Some(dir) = self.path.parent() else {
            return;
        };
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        let now = SystemTime::now();
        for entry in entries.flatten() {
            let name = entry.file_name();
            let numbered = name
                .to_str()
                .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()));
            let old = entry
                .metadata()
                .ok()
                .filter(|m| m.is_file())
                .and_then(|m| m.modified().ok())
                .is_some_and(|t| now.duration_since(t).is_ok_and(|age| age > LEFTOVER_AGE));
            if numbered && old && name != self.name {
                let _ = self.remove(&name);
            }
        }
    }
}

/// Whether rsume was continued (SIGCONT) after a stop, noted by a signal handler.
#[cfg(unix)]
mod resumed {
    use std::sync::atomic::{AtomicBool, Ordering};

    static RESUMED: AtomicBool = AtomicBool::new(false);

    extern "C" fn note(_: libc::c_int) {
        RESUMED.store(true, Ordering::Relaxed);
    }

    pub fn watch() {
        // SAFETY: the handler only stores to an atomic, which is async-signal-safe; the
        // sigaction struct is zeroed (no flags, an empty mask) before the handler is set.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = note as extern "C" fn(libc::c_int) as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART;
            libc::sigaction(libc::SIGCONT, &action, std::ptr::null_mut());
        }
    }

    pub fn since_watch() -> bool {
        RESUMED.load(Ordering::Relaxed)
    }
}

#[cfg(not(unix))]
mod resumed {
    pub fn watch() {}
    pub fn since_watch() -> bool {
        false
    }
}

/// Whether `dir` is a directory of this user's that nobody else can enter.
fn private(dir: &Path) -> Result<(), CodeFileError> {
    let meta = fs::symlink_metadata(dir).map_err(|source| CodeFileError::Io {
        path: dir.to_owned(),
        source,
    })?;
    if meta.file_type().is_symlink() {
        return Err(CodeFileError::Unsafe {
            dir: dir.to_owned(),
            why: "it is a symbolic link",
        });
    }
    check_private(dir, &meta)
}

#[cfg(unix)]
fn check_private(dir: &Path, meta: &fs::Metadata) -> Result<(), CodeFileError> {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let why = if !meta.is_dir() {
        "it is not a directory"
    } else if meta.uid() != unsafe { libc::geteuid() } {
        "it belongs to another user"
    } else if meta.mode() & 0o077 != 0 {
        "other users can enter it (rsume changes no directory's mode)"
    } else {
        return Ok(());
    };
    Err(CodeFileError::Unsafe {
        dir: dir.to_owned(),
        why,
    })
}

/// The wrapper opens the file by its path, so no directory above it may let another user
/// rename what it holds (swap the code directory for one of theirs): each must belong to
/// this user or root, and be writable by no one else unless sticky, as `/tmp` is.
#[cfg(unix)]
fn check_ancestors(dir: &Path) -> Result<(), CodeFileError> {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    for ancestor in dir.ancestors().skip(1) {
        let meta = fs::metadata(ancestor).map_err(|source| CodeFileError::Io {
            path: ancestor.to_owned(),
            source,
        })?;
        let owner_trusted = meta.uid() == me || meta.uid() == 0;
        let others_rename = meta.mode() & 0o022 != 0 && meta.mode() & 0o1000 == 0;
        if !owner_trusted || others_rename {
            return Err(CodeFileError::Unsafe {
                dir: ancestor.to_owned(),
                why: "another user could swap the code directory inside it (set XDG_RUNTIME_DIR or RSUME_CACHE_DIR to a private place)",
            });
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_ancestors(_: &Path) -> Result<(), CodeFileError> {
    Ok(())
}

#[cfg(not(unix))]
fn check_private(dir: &Path, meta: &fs::Metadata) -> Result<(), CodeFileError> {
    if meta.is_dir() {
        return Ok(());
    }
    Err(CodeFileError::Unsafe {
        dir: dir.to_owned(),
        why: "it is not a directory",
    })
}

#[cfg(unix)]
fn private_dir_builder() -> fs::DirBuilder {
    use std::os::unix::fs::DirBuilderExt;
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true).mode(0o700);
    builder
}

#[cfg(not(unix))]
fn private_dir_builder() -> fs::DirBuilder {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    builder
}

#[cfg(unix)]
fn open_dir(dir: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY | libc::O_NOFOLLOW)
        .open(dir)
}

#[cfg(not(unix))]
fn open_dir(dir: &Path) -> io::Result<File> {
    OpenOptions::new().read(true).open(dir)
}

#[cfg(unix)]
impl CodeFile {
    fn c_name(name: &std::ffi::OsStr) -> std::ffi::CString {
        use std::os::unix::ffi::OsStrExt;
        // Names are checked digits (or read from the directory), so they hold no NUL.
        std::ffi::CString::new(name.as_bytes()).unwrap_or_default()
    }

    /// Removes `name` in the opened directory; one that is not there is fine.
    fn remove(&self, name: &std::ffi::OsStr) -> io::Result<()> {
        use std::os::fd::AsRawFd;
        let name = Self::c_name(name);
        // SAFETY: a valid directory descriptor and a NUL-terminated name.
        if unsafe { libc::unlinkat(self.dir.as_raw_fd(), name.as_ptr(), 0) } == 0 {
            return Ok(());
        }
        match io::Error::last_os_error() {
            error if error.kind() == io::ErrorKind::NotFound => Ok(()),
            error => Err(error),
        }
    }

    fn create(&self) -> io::Result<File> {
        use std::os::fd::{AsRawFd, FromRawFd};
        let name = Self::c_name(&self.name);
        let flags =
            libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW | libc::O_CLOEXEC;
        // SAFETY: as above; the mode is the variadic third argument openat takes with O_CREAT.
        let fd = unsafe {
            libc::openat(
                self.dir.as_raw_fd(),
                name.as_ptr(),
                flags,
                0o600 as libc::c_uint,
            )
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: a descriptor just opened and owned by nobody else.
        Ok(unsafe { File::from_raw_fd(fd) })
    }
}

#[cfg(not(unix))]
impl CodeFile {
    fn remove(&self, name: &std::ffi::OsStr) -> io::Result<()> {
        let _ = &self.dir;
        let path = self.path.with_file_name(name);
        match fs::remove_file(path) {
            Err(error) if error.kind() != io::ErrorKind::NotFound => Err(error),
            _ => Ok(()),
        }
    }

    fn create(&self) -> io::Result<File> {
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&self.path)
    }
}

#[cfg(test)]
mod tests;
