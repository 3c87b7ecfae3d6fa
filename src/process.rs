//! Runs a command from a profile (`credential_process`, `mfa_process`) as the AWS CLI does:
//! split like a POSIX shell splits words (quotes and backslashes, as Python's `shlex.split`),
//! no shell in between, the first word looked up on `PATH`. Its stdout is handed back and
//! never shown; its stderr is shown (escaped) only when it fails. A command that hangs is
//! killed after a timeout, and one that prints more than any answer holds is killed at once,
//! so a run never waits without saying why nor fills its memory. Its answer is what it
//! printed by the time it exited, even if something it started keeps the pipe open.

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// How long a command may run, unless [`TIMEOUT_VARIABLE`] says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Seconds a `credential_process` or `mfa_process` command may run.
pub const TIMEOUT_VARIABLE: &str = "RSUME_PROCESS_TIMEOUT";
/// The most of its stderr shown when a command fails.
const STDERR_SHOWN: usize = 2000;
/// The most of a command's stdout that is read: credentials or a code take a few kilobytes.
pub const MAX_STDOUT: usize = 1 << 20;
/// The most of its stderr kept (the rest is read and dropped, so it never blocks).
const MAX_STDERR: usize = 64 << 10;
/// After the command exits, how long its output may take to stop arriving.
const SETTLE: Duration = Duration::from_millis(500);
/// A command still running after this long is said to be waited for (it may want a touch
/// of a security key, or a passphrase on the terminal).
const SLOW_NOTICE: Duration = Duration::from_secs(2);

/// The timeout: [`TIMEOUT_VARIABLE`] in whole seconds (at least 1), else the default.
pub fn timeout(env: &dyn Fn(&str) -> Option<String>) -> Duration {
    env(TIMEOUT_VARIABLE)
        .and_then(|text| text.trim().parse::<u64>().ok())
        .map_or(DEFAULT_TIMEOUT, |seconds| {
            Duration::from_secs(seconds.max(1))
        })
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProcessError {
    #[error("the command is empty")]
    Empty,
    #[error("the command has an unclosed {0} quote")]
    UnclosedQuote(char),
    #[error("the command ends with a lone backslash")]
    TrailingBackslash,
    #[error("cannot start '{program}': {reason}")]
    Start { program: String, reason: String },
    #[error(
        "'{program}' ran longer than {seconds} s and was stopped (set {TIMEOUT_VARIABLE} to wait longer)"
    )]
    TimedOut { program: String, seconds: u64 },
    #[error(
        "'{program}' printed more than {} KiB and was stopped (an answer takes a few kilobytes)",
        MAX_STDOUT >> 10
    )]
    TooMuchOutput { program: String },
    #[error("'{program}' failed ({status}){}", stderr_shown(.stderr))]
    Failed {
        program: String,
        status: String,
        stderr: String,
    },
}

fn stderr_shown(stderr: &str) -> String {
    let stderr = stderr.trim();
    if stderr.is_empty() {
        return String::new();
    }
    let cut = stderr
        .char_indices()
        .nth(STDERR_SHOWN)
        .map_or(stderr, |(at, _)| &stderr[..at]);
    format!(": {cut}")
}

/// Splits `command` into words as `shlex.split` does: blanks separate words; single quotes
/// keep everything; double quotes keep everything but `\"` and `\\`; a backslash outside
/// quotes keeps the next character.
pub fn split(command: &str) -> Result<Vec<String>, ProcessError> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = command.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => words.extend(word.take()),
            '\\' => {
                let next = chars.next().ok_or(ProcessError::TrailingBackslash)?;
                word.get_or_insert_default().push(next);
            }
            '\'' => {
                let word = word.get_or_insert_default();
                loop {
                    match chars.next().ok_or(ProcessError::UnclosedQuote('\''))? {
                        '\'' => break,
                        c => word.push(c),
                    }
                }
            }
            '"' => {
                let word = word.get_or_insert_default();
                loop {
                    match chars.next().ok_or(ProcessError::UnclosedQuote('"'))? {
                        '"' => break,
                        '\\' => match chars.next().ok_or(ProcessError::UnclosedQuote('"'))? {
                            c @ ('"' | '\\') => word.push(c),
                            c => word.extend(['\\', c]),
                        },
                        c => word.push(c),
                    }
                }
            }
            c => word.get_or_insert_default().push(c),
        }
    }
    words.extend(word);
    if words.is_empty() {
        return Err(ProcessError::Empty);
    }
    Ok(words)
}

/// Runs `command` and returns its stdout if it exits 0 within `timeout`. Its stdin is ours,
/// as with the AWS CLI, so a command may ask on the terminal.
pub fn run(command: &str, timeout: Duration) -> Result<Vec<u8>, ProcessError> {
    run_telling(command, timeout, SLOW_NOTICE, "")
}

/// [`run`], saying on stderr after `after` that it waits, with `hint` (what the person can
/// do) after the program's name.
pub fn run_telling(
    command: &str,
    timeout: Duration,
    after: Duration,
    hint: &str,
) -> Result<Vec<u8>, ProcessError> {
    let words = split(command)?;
    let program = words[0].clone();
    crate::log::debug(format_args!("running '{program}'"));
    let mut child = Command::new(&program)
        .args(&words[1..])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| ProcessError::Start {
            program: program.clone(),
            reason: start_failure(&error),
        })?;
    // Read on threads, so a command that fills a pipe cannot stall while we wait on it.
    let stdout = Pipe::drain(child.stdout.take(), MAX_STDOUT);
    let stderr = Pipe::drain(child.stderr.take(), MAX_STDERR);
    let started = Instant::now();
    let deadline = started + timeout;
    let mut told = false;
    let stop = |child: &mut std::process::Child| {
        let _ = child.kill();
        let _ = child.wait();
    };
    let status = loop {
        if stdout.overflowed() {
            stop(&mut child);
            return Err(ProcessError::TooMuchOutput { program });
        }
        if let Some(status) = child.try_wait().ok().flatten() {
            break status;
        }
        if Instant::now() >= deadline {
            stop(&mut child);
            return Err(ProcessError::TimedOut {
                program,
                seconds: timeout.as_secs(),
            });
        }
        if !told && started.elapsed() >= after {
            told = true;
            crate::log::info(format_args!(
                "waiting for '{program}'{hint} (stopped after {} s)",
                timeout.as_secs()
            ));
        }
        thread::sleep(Duration::from_millis(5));
    };
    let (stdout, complete) = stdout.taken();
    if stdout.len() > MAX_STDOUT {
        return Err(ProcessError::TooMuchOutput { program });
    }
    if !complete {
        crate::log::debug(format_args!(
            "'{program}' exited while something it started still holds its output open; \
             using what it printed before it exited"
        ));
    }
    if status.success() {
        return Ok(stdout);
    }
    let (stderr, _) = stderr.taken();
    Err(ProcessError::Failed {
        program,
        status: status.to_string(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    })
}

/// "not found on PATH" says more than "No such file or directory (os error 2)".
fn start_failure(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such program (looked on PATH)".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied (is it executable?)".into(),
        _ => error.to_string(),
    }
}

/// A pipe read on its own thread into a buffer that keeps at most `limit` bytes and one
/// more, to tell a full answer from an overflow; past that the rest is read and dropped. A
/// grandchild that keeps the pipe open past the command's exit is not waited for: its
/// thread is left behind.
struct Pipe {
    shared: Arc<(Mutex<Captured>, Condvar)>,
    limit: usize,
}

#[derive(Default)]
struct Captured {
    bytes: Vec<u8>,
    /// The pipe reached its end (or failed): nothing more will come.
    closed: bool,
}

impl Pipe {
    fn drain(pipe: Option<impl Read + Send + 'static>, limit: usize) -> Pipe {
        let shared = Arc::new((Mutex::new(Captured::default()), Condvar::new()));
        let filled = Arc::clone(&shared);
        let read_all = move |mut pipe: Box<dyn Read + Send>| {
            let (captured, changed) = &*filled;
            let mut chunk = [0u8; 8192];
            loop {
                let read = pipe.read(&mut chunk);
                let mut captured = captured.lock().unwrap_or_else(|e| e.into_inner());
                match read {
                    Ok(0) | Err(_) => captured.closed = true,
                    Ok(n) => {
                        let room = (limit + 1).saturating_sub(captured.bytes.len());
                        captured.bytes.extend_from_slice(&chunk[..n.min(room)]);
                    }
                }
                changed.notify_all();
                if captured.closed {
                    return;
                }
            }
        };
        match pipe {
            Some(pipe) => drop(thread::spawn(move || read_all(Box::new(pipe)))),
            None => read_all(Box::new(std::io::empty())),
        }
        Pipe { shared, limit }
    }

    fn overflowed(&self) -> bool {
        self.lock().bytes.len() > self.limit
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Captured> {
        self.shared.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// What the pipe holds once the command has exited: at its end, or once nothing more
    /// has arrived for [`SETTLE`] (everything the command wrote is in the pipe by then, so
    /// only a grandchild can still be writing). `true` when the pipe was read to its end.
    fn taken(self) -> (Vec<u8>, bool) {
        let (_, changed) = &*self.shared;
        let mut captured = self.lock();
        loop {
            let before = captured.bytes.len();
            if captured.closed {
                break;
            }
            let (next, waited) = changed
                .wait_timeout(captured, SETTLE)
                .unwrap_or_else(|e| e.into_inner());
            captured = next;
            if waited.timed_out() && captured.bytes.len() == before {
                break;
            }
        }
        (std::mem::take(&mut captured.bytes), captured.closed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(command: &str) -> Vec<String> {
        split(command).unwrap()
    }

    #[test]
    fn splits_like_shlex() {
        assert_eq!(words("a b  c"), ["a", "b", "c"]);
        assert_eq!(words(" 'a b' \"c d\" e\\ f"), ["a b", "c d", "e f"]);
        assert_eq!(words(r#""a\"b\\c\d" 'x\y'"#), [r#"a"b\c\d"#, r"x\y"]);
        assert_eq!(words("pre'mid'\"post\" ''"), ["premidpost", ""]);
        assert_eq!(words("a#b $HOME ~"), ["a#b", "$HOME", "~"]);
        assert_eq!(split("  "), Err(ProcessError::Empty));
        assert_eq!(split("a 'b"), Err(ProcessError::UnclosedQuote('\'')));
        assert_eq!(split("a \"b"), Err(ProcessError::UnclosedQuote('"')));
        assert_eq!(split("a \\"), Err(ProcessError::TrailingBackslash));
    }

    #[test]
    fn runs_without_a_shell_and_reports_failures() {
        let second = Duration::from_secs(5);
        assert_eq!(run("echo 'a  b' $HOME", second).unwrap(), b"a  b $HOME\n");
        match run("sh -c 'echo oops >&2; exit 3'", second) {
            Err(ProcessError::Failed { stderr, status, .. }) => {
                assert_eq!(stderr, "oops\n");
                assert!(status.contains('3'), "{status}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            run("rsume-no-such-program", second),
            Err(ProcessError::Start { .. })
        ));
        let started = Instant::now();
        assert!(matches!(
            run("sleep 10", Duration::from_millis(200)),
            Err(ProcessError::TimedOut { .. })
        ));
        assert!(started.elapsed() < Duration::from_secs(3));
    }
}
