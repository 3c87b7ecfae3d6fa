//! The only file names rsume writes in its cache directory. Anything else there is the
//! user's (a directory may be shared with other files by mistake), so `list` and `clear`
//! never look at it.

use std::time::{Duration, SystemTime};

use super::Key;

/// A temporary file older than this cannot belong to a write still in progress: a write
/// takes milliseconds.
const STALE_TEMP_AGE: Duration = Duration::from_secs(60);

/// What one of rsume's own file names stands for.
#[derive(Debug, PartialEq, Eq)]
pub enum Name<'a> {
    /// `<key>.json`
    Entry(&'a str),
    /// `<key>.lock`
    Lock(&'a str),
    /// `.<key>.<pid>.<nanoseconds>.tmp`: a write in progress, or left by a killed run.
    Temp { key: &'a str, pid: u32 },
}

pub fn entry(key: &Key) -> String {
    format!("{}.json", key.as_str())
}

pub fn lock(key: &Key) -> String {
    format!("{}.lock", key.as_str())
}

/// A name no other process can pick: this process's id and the current time.
pub fn temp(key: &Key) -> String {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    format!(".{}.{}.{nanos}.tmp", key.as_str(), std::process::id())
}

/// Reads a file name back; `None` for any name rsume does not write.
pub fn parse(name: &str) -> Option<Name<'_>> {
    if let Some(key) = name.strip_suffix(".json").filter(|k| is_key(k)) {
        return Some(Name::Entry(key));
    }
    if let Some(key) = name.strip_suffix(".lock").filter(|k| is_key(k)) {
        return Some(Name::Lock(key));
    }
    let inner = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let mut parts = inner.split('.');
    let (key, pid, nanos) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if parts.next().is_some() || !is_key(key) || !digits(nanos) {
        return None;
    }
    Some(Name::Temp {
        key,
        pid: pid.parse().ok().filter(|_| digits(pid))?,
    })
}

/// Whether a temporary file was left by a run that can no longer finish it: its process is
/// gone, or it is older than any write takes.
pub fn is_stale_temp(pid: u32, modified: Option<SystemTime>) -> bool {
    let old = modified
        .and_then(|at| at.elapsed().ok())
        .is_some_and(|age| age > STALE_TEMP_AGE);
    old || !process_alive(pid)
}

#[cfg(unix)]
fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: signal 0 only checks that the process exists; nothing is sent.
    let sent = unsafe { libc::kill(pid, 0) };
    // EPERM: it exists but belongs to someone else.
    sent == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Without a cheap liveness check, only age decides.
#[cfg(not(unix))]
fn process_alive(_: u32) -> bool {
    true
}

fn is_key(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn reads_back_only_its_own_names() {
        assert_eq!(parse(&format!("{KEY}.json")), Some(Name::Entry(KEY)));
        assert_eq!(parse(&format!("{KEY}.lock")), Some(Name::Lock(KEY)));
        assert_eq!(
            parse(&format!(".{KEY}.42.1700000000000000000.tmp")),
            Some(Name::Temp { key: KEY, pid: 42 })
        );
        for foreign in [
            "package.json",
            "Cargo.lock",
            "yarn.lock",
            "notes.tmp",
            ".notes.1.2.tmp",
            &format!("{}.json", KEY.to_uppercase()),
            &format!("{}.json", &KEY[1..]),
            &format!("x{KEY}.json"),
            &format!(".{KEY}.42.tmp"),
            &format!(".{KEY}.+42.1.tmp"),
            &format!(".{KEY}.42.1.2.tmp"),
            &format!("{KEY}.tmp"),
        ] {
            assert_eq!(parse(foreign), None, "{foreign}");
        }
    }

    #[test]
    fn temp_names_parse_back() {
        let key = crate::cache::Key::from_hex(KEY);
        match parse(&temp(&key)) {
            Some(Name::Temp { key, pid }) => {
                assert_eq!(key, KEY);
                assert_eq!(pid, std::process::id());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_temp_of_a_live_process_is_stale_only_when_old() {
        let me = std::process::id();
        assert!(!is_stale_temp(me, Some(SystemTime::now())));
        let long_ago = SystemTime::now() - Duration::from_secs(120);
        assert!(is_stale_temp(me, Some(long_ago)));
    }

    #[cfg(unix)]
    #[test]
    fn a_temp_of_a_dead_process_is_stale() {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        assert!(is_stale_temp(pid, Some(SystemTime::now())));
    }
}
