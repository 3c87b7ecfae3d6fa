//! Asking on the terminal. The prompt and the typing go to `/dev/tty` (CONIN$ on Windows),
//! never to stdout, so `eval "$(rsume …)"` still sees only shell code. The one place that
//! opens the terminal: everything else that talks to it goes through [`open`].

use super::{CodeSource, MfaCode, MfaError};

/// The controlling terminal on Unix.
const DEV_TTY: &str = "/dev/tty";

/// The controlling terminal, to write to and read from, for what only the person at it may
/// see or answer (a device's seed, a confirmation). Never stdout, which may be a file or a
/// pipe.
pub fn open() -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(DEV_TTY)
}

const TRIES: u32 = 3;

pub fn from_terminal() -> CodeSource<'static> {
    CodeSource::new(ask, true)
}

/// Up to three tries for a well-formed code.
fn ask(serial: &str) -> Result<MfaCode, MfaError> {
    for _ in 0..TRIES {
        let prompt = format!("MFA code for {}: ", crate::log::printable(serial));
        let typed = read_hidden(&prompt).map_err(|error| match error.kind() {
            std::io::ErrorKind::Interrupted => MfaError::Cancelled,
            std::io::ErrorKind::UnexpectedEof => {
                // Ctrl-D leaves the cursor after the prompt; the message gets its own line.
                end_prompt_line();
                MfaError::Cancelled
            }
            _ => {
                crate::log::debug(format_args!("cannot prompt on the terminal: {error}"));
                MfaError::NoTerminal
            }
        })?;
        match MfaCode::parse(&typed) {
            Ok(code) => return Ok(code),
            Err(error) => crate::log::info(format_args!("{error}, try again")),
        }
    }
    Err(MfaError::TooManyTries(TRIES))
}

/// Ends the prompt's line on the terminal the prompt went to.
fn end_prompt_line() {
    use std::io::Write;
    let tty = if cfg!(windows) { "CONOUT$" } else { DEV_TTY };
    if let Ok(mut terminal) = std::fs::OpenOptions::new().write(true).open(tty) {
        let _ = terminal.write_all(b"\n");
    }
}

/// Reads one line with echo off, showing a `*` per key. Ctrl-C makes rpassword raise
/// SIGINT while the terminal is still in raw mode; ignoring SIGINT for the duration lets it
/// return an error instead, so the terminal's settings are restored before we exit.
fn read_hidden(prompt: &str) -> std::io::Result<String> {
    let config = rpassword::ConfigBuilder::new()
        .password_feedback_mask('*')
        .build();
    let _guard = IgnoreSigint::new();
    rpassword::prompt_password_with_config(prompt, config)
}

#[cfg(unix)]
struct IgnoreSigint(libc::sighandler_t);

#[cfg(unix)]
impl IgnoreSigint {
    fn new() -> Self {
        // SAFETY: swapping a signal disposition is async-signal-safe and touches no Rust state.
        Self(unsafe { libc::signal(libc::SIGINT, libc::SIG_IGN) })
    }
}

#[cfg(unix)]
impl Drop for IgnoreSigint {
    fn drop(&mut self) {
        // SAFETY: restores the disposition saved in `new`.
        unsafe {
            libc::signal(libc::SIGINT, self.0);
        }
    }
}

#[cfg(not(unix))]
struct IgnoreSigint;

#[cfg(not(unix))]
impl IgnoreSigint {
    fn new() -> Self {
        Self
    }
}
