//! `rsume exec PROFILE -- COMMAND [ARGS…]`: runs a program with the profile's credentials in
//! its environment, with no eval and nothing left in the shell; the natural choice in
//! scripts and CI. Its exit status is the program's (128 + n for a program killed by signal
//! n, as a shell reports it).

use std::ffi::OsString;
use std::process::{Child, Command};

use super::repeat::Repeat;
use super::{Env, Output, request};
use crate::cli::RequestArgs;
use crate::exports;
use crate::shell::Change;

#[derive(Debug, thiserror::Error)]
#[error("cannot run {program}: {source}")]
pub struct CannotRun {
    program: String,
    source: std::io::Error,
}

pub fn run(
    profile: &str,
    server: bool,
    command: &[OsString],
    args: &RequestArgs,
    env: Env<'_>,
) -> anyhow::Result<Output> {
    if server {
        return super::serve::exec(profile, command, args, env);
    }
    let got = request::get(Some(profile), args, env, |_| Ok(()))?;
    // What the shell would hold after `rsume PROFILE`: the keys set, and the variables that
    // would outrank them (AWS_PROFILE and friends) removed; a shell started with them renews
    // them at its prompt as the parent would.
    let repeat = Repeat::of(&got.chain.profile, args).encode();
    let changes = exports::assume(
        &got.chain.profile,
        &got.fetched.credentials,
        got.chain.account.as_deref(),
        got.chain.region.as_deref(),
        Some(&repeat),
        env,
    );
    let (mut running, program) = start(command, changes)?;
    // Ctrl-C and Ctrl-\ reach the program from the terminal; rsume outlives them to report
    // its status. Ignored only after the spawn: an ignored signal stays ignored in a child.
    let _ignore = IgnoreTerminalSignals::new();
    let status = running
        .wait()
        .map_err(|source| cannot_run(&program, source))?;
    Ok(Output::Exited(exit_code(status)))
}

/// Starts `command` (the program and its arguments) with `changes` applied to rsume's own
/// environment; the program's name comes back for messages.
pub(super) fn start(
    command: &[OsString],
    changes: Vec<Change>,
) -> Result<(Child, OsString), CannotRun> {
    let (program, program_args) = command.split_first().expect("clap requires a command");
    let mut child = Command::new(program);
    child.args(program_args);
    for change in changes {
        match change {
            Change::Set { name, value } => child.env(name, value),
            Change::Unset(name) => child.env_remove(name),
            Change::Print(_) => unreachable!("exports print nothing"),
        };
    }
    let running = child
        .spawn()
        .map_err(|source| cannot_run(program, source))?;
    Ok((running, program.clone()))
}

pub(super) fn cannot_run(program: &OsString, source: std::io::Error) -> CannotRun {
    CannotRun {
        program: crate::log::printable(&program.to_string_lossy()).into_owned(),
        source,
    }
}

/// The status as a shell reports it: the code, or 128 + the signal that ended the program.
pub(super) fn exit_code(status: std::process::ExitStatus) -> u8 {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return 128u8.saturating_add(signal as u8);
        }
    }
    status.code().map_or(1, |code| code as u8)
}

#[cfg(unix)]
pub(super) struct IgnoreTerminalSignals([libc::sighandler_t; 2]);

#[cfg(unix)]
impl IgnoreTerminalSignals {
    pub(super) fn new() -> Self {
        // SAFETY: swapping signal dispositions touches no Rust state.
        unsafe {
            Self([
                libc::signal(libc::SIGINT, libc::SIG_IGN),
                libc::signal(libc::SIGQUIT, libc::SIG_IGN),
            ])
        }
    }
}

#[cfg(unix)]
impl Drop for IgnoreTerminalSignals {
    fn drop(&mut self) {
        // SAFETY: restores the dispositions saved in `new`.
        unsafe {
            libc::signal(libc::SIGINT, self.0[0]);
            libc::signal(libc::SIGQUIT, self.0[1]);
        }
    }
}

#[cfg(not(unix))]
pub(super) struct IgnoreTerminalSignals;

#[cfg(not(unix))]
impl IgnoreTerminalSignals {
    pub(super) fn new() -> Self {
        Self
    }
}
