//! The one way rsume reads a file: every path it reads comes from a setting a user (or
//! something in their environment) chose, so none may hang a run or fill its memory. Only a
//! regular file is read, opened without waiting (a FIFO opens at once and is then refused,
//! as is a device such as `/dev/zero`), and no more than a limit for what the file should
//! hold. Errors name the file and what is wrong with it, never its content.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// What a file is expected to hold, which sets how large it may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Contents {
    /// `~/.aws/config` or `~/.aws/credentials` (50,000 profiles are about 6 MiB).
    AwsFile,
    /// A bearer or web identity token (STS takes at most 20,000 characters).
    Token,
    /// PEM certificates for `AWS_CA_BUNDLE` (a whole system bundle is about 200 KiB).
    CaBundle,
    /// An IAM session policy (STS takes at most 2,048 characters, packed).
    Policy,
    /// One of rsume's cache entries, or the SSO token `aws sso login` caches.
    CacheEntry,
    /// A process's command line under `/proc`.
    CommandLine,
}

impl Contents {
    fn limit(self) -> u64 {
        match self {
            Contents::AwsFile => 64 << 20,
            Contents::CaBundle => 16 << 20,
            Contents::Token | Contents::Policy | Contents::CommandLine => 1 << 20,
            Contents::CacheEntry => 1 << 20,
        }
    }

    fn what(self) -> &'static str {
        match self {
            Contents::AwsFile => "an AWS config or credentials file",
            Contents::Token => "a token",
            Contents::CaBundle => "a CA bundle",
            Contents::Policy => "a session policy",
            Contents::CacheEntry => "a cache entry",
            Contents::CommandLine => "a command line",
        }
    }
}

/// Whether a symbolic link at the path itself is followed (the user's files) or refused
/// (rsume's own cache, where a link is someone else's doing).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Links {
    Follow,
    Refuse,
}

/// A file that could not be read, and why.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {}: {problem}", path.display())]
pub struct ReadError {
    pub path: PathBuf,
    pub problem: Problem,
}

#[derive(Debug, thiserror::Error)]
pub enum Problem {
    #[error("{0}")]
    Io(io::Error),
    #[error("it is {0}, not a regular file")]
    NotRegular(&'static str),
    #[error("it is a symbolic link")]
    Symlink,
    #[error("it is larger than {} MiB, far more than {} holds", .0.limit() >> 20, .0.what())]
    TooLarge(Contents),
    #[error("line {0} is not valid UTF-8 text (save it as UTF-8)")]
    NotUtf8(usize),
}

impl ReadError {
    fn new(path: &Path, problem: Problem) -> ReadError {
        ReadError {
            path: path.to_owned(),
            problem,
        }
    }

    /// Nothing at the path: some callers take that as an empty file, as the SDKs do.
    pub fn is_not_found(&self) -> bool {
        matches!(&self.problem, Problem::Io(error) if error.kind() == io::ErrorKind::NotFound)
    }
}

/// The bytes of the regular file at `path`, at most `contents`' limit.
pub fn read(path: &Path, contents: Contents) -> Result<Vec<u8>, ReadError> {
    let file = open(path, Links::Follow)?;
    read_open(&file, path, contents)
}

/// As [`read`], as UTF-8 text.
pub fn read_text(path: &Path, contents: Contents) -> Result<String, ReadError> {
    String::from_utf8(read(path, contents)?).map_err(|error| {
        // The line of the first bad byte; the bytes themselves go with `error`.
        let valid = &error.as_bytes()[..error.utf8_error().valid_up_to()];
        let line = 1 + valid.iter().filter(|&&b| b == b'\n').count();
        ReadError::new(path, Problem::NotUtf8(line))
    })
}

/// Opens `path` for reading without waiting, and refuses anything but a regular file: the
/// check is made on what was opened, so nothing can be swapped in between.
pub fn open(path: &Path, links: Links) -> Result<File, ReadError> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let nofollow = if links == Links::Refuse {
            libc::O_NOFOLLOW
        } else {
            0
        };
        options.custom_flags(libc::O_NONBLOCK | nofollow);
    }
    let file = options.open(path).map_err(|error| {
        #[cfg(unix)]
        if links == Links::Refuse && error.raw_os_error() == Some(libc::ELOOP) {
            return ReadError::new(path, Problem::Symlink);
        }
        ReadError::new(path, Problem::Io(error))
    })?;
    let meta = file
        .metadata()
        .map_err(|error| ReadError::new(path, Problem::Io(error)))?;
    if !meta.is_file() {
        return Err(ReadError::new(
            path,
            Problem::NotRegular(file_type(&meta.file_type())),
        ));
    }
    Ok(file)
}

/// Reads a file from [`open`] to its end, refusing one past `contents`' limit (also one that
/// grows while it is read, or that says it is empty, as files under `/proc` do).
pub fn read_open(file: &File, path: &Path, contents: Contents) -> Result<Vec<u8>, ReadError> {
    let limit = contents.limit();
    let too_large = || ReadError::new(path, Problem::TooLarge(contents));
    let size = file.metadata().map(|meta| meta.len()).unwrap_or(0);
    if size > limit {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| ReadError::new(path, Problem::Io(error)))?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(bytes)
}

fn file_type(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if kind.is_char_device() {
            return "a character device";
        }
        if kind.is_block_device() {
            return "a block device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else {
        "not a file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_regular_files_within_their_limit_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("token");
        std::fs::write(&file, "abc\n").unwrap();
        assert_eq!(read_text(&file, Contents::Token).unwrap(), "abc\n");

        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'x'; (1 << 20) + 1]).unwrap();
        let error = read(&big, Contents::Token).unwrap_err().to_string();
        assert!(
            error.contains("larger than 1 MiB, far more than a token"),
            "{error}"
        );
        assert!(error.contains(&big.display().to_string()), "{error}");

        for (path, says) in [
            (Path::new("/dev/zero"), "a character device"),
            (dir.path(), "a directory"),
        ] {
            let error = read(path, Contents::AwsFile).unwrap_err().to_string();
            assert!(error.contains(says), "{error}");
        }
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.unwrap().success());
        let error = read(&fifo, Contents::Policy).unwrap_err().to_string();
        assert!(
            error.contains("a FIFO (named pipe), not a regular file"),
            "{error}"
        );

        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        assert!(open(&link, Links::Follow).is_ok());
        assert!(matches!(
            open(&link, Links::Refuse).unwrap_err().problem,
            Problem::Symlink
        ));
        assert!(
            read(&dir.path().join("none"), Contents::Token)
                .unwrap_err()
                .is_not_found()
        );
    }

    #[test]
    fn files_that_claim_no_size_are_still_bounded() {
        // Files under /proc say they are empty; this one is a few hundred bytes.
        let bytes = read(Path::new("/proc/self/status"), Contents::CommandLine).unwrap();
        assert!(bytes.len() > 10);
    }

    #[test]
    fn text_that_is_not_utf8_names_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config");
        std::fs::write(&file, b"a\nb\xff\n").unwrap();
        let error = read_text(&file, Contents::AwsFile).unwrap_err();
        assert!(matches!(error.problem, Problem::NotUtf8(2)), "{error}");
    }
}
