use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{CommandFactory, FromArgMatches};
use rsume::cli::{self, Cli};
use rsume::cmd::{self, Finished, Output, UsageError};
use rsume::mfa::MfaError;
use rsume::shell::Target::Known;

fn main() -> ExitCode {
    quiet_panics();
    let args: Vec<_> = std::env::args_os().collect();
    cmd::answer_completion_request(cli::wrapper_in(&args).is_some());
    let env = |name: &str| std::env::var(name).ok();
    let cli = match parse(&args) {
        Ok(cli) => cli,
        Err(error) => return clap_exit(&error, cli::wrapper_in(&args)),
    };
    if cli.output.debug {
        rsume::log::enable();
    }
    if cli.output.quiet {
        rsume::log::quiet();
    }
    match cmd::run(cli, &args, &env) {
        Ok(Finished::Stdout(text, code)) => write_stdout(&text, code),
        Ok(Finished::Code(file, code)) => match file.write(&code) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                report(&error.into());
                ExitCode::FAILURE
            }
        },
        Ok(Finished::Exited(code)) => ExitCode::from(code),
        Err(error) => {
            report(&error);
            exit_code(&error)
        }
    }
}

/// The command line as clap reads it. clap's command tree, its matches and the `Cli` live
/// until the process exits: freeing them then is wasted work, about 150,000 instructions
/// of a cached run's 990,000 (docs/performance.md, "Start-up").
fn parse(args: &[OsString]) -> Result<&'static Cli, clap::Error> {
    let command = Box::leak(Box::new(Cli::command()));
    let matches = Box::leak(Box::new(command.try_get_matches_from_mut(args)?));
    let cli = Cli::from_arg_matches_mut(matches).map_err(|error| error.format(command))?;
    Ok(Box::leak(Box::new(cli)))
}

/// A bug should say so in one line, without the panic's message: that text is built from
/// whatever the failing code had at hand, and must not carry a secret to the terminal.
fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        rsume::log::error(format_args!(
            "internal error{place}; this is a bug, please report it"
        ));
    }));
}

/// `--help` and `--version` succeed with text (shell code under a wrapper); anything else
/// clap rejected is a usage error on stderr.
fn clap_exit(error: &clap::Error, wrapper: Option<rsume::shell::Shell>) -> ExitCode {
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let text = error.render().to_string();
            match wrapper {
                Some(shell) => match cmd::render(Output::Text(text), Known(shell), true) {
                    Ok(code) => write_stdout(&code, 0),
                    Err(_) => ExitCode::FAILURE,
                },
                None => write_stdout(&text, 0),
            }
        }
        _ => {
            let _ = error.print();
            ExitCode::from(2)
        }
    }
}

/// The one write to stdout, once the command has finished (the wrapper's shell code goes to
/// its code file instead, written once beside this).
fn write_stdout(text: &str, code: u8) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => ExitCode::from(code),
        Err(error) => {
            rsume::log::error(format_args!("could not write to stdout: {error}"));
            ExitCode::FAILURE
        }
    }
}

/// One line: the error and its causes, outermost first.
fn report(error: &anyhow::Error) {
    rsume::log::error(format_args!("{}", one_line(error)));
}

/// The causes joined as anyhow's `{:#}` does, but a cause whose text the message above it
/// already holds (an error that shows its source itself) is not said twice.
fn one_line(error: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}

/// 130 for a cancelled prompt (as a shell reports Ctrl-C), 2 for a command line rsume cannot
/// act on, 1 for any other failure.
fn exit_code(error: &anyhow::Error) -> ExitCode {
    let cancelled = error
        .chain()
        .any(|cause| matches!(cause.downcast_ref(), Some(MfaError::Cancelled)));
    if cancelled {
        ExitCode::from(130)
    } else if error.chain().any(|cause| cause.is::<UsageError>()) {
        ExitCode::from(2)
    } else {
        ExitCode::FAILURE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot run x: {source}")]
    struct ShowsItsSource {
        source: std::io::Error,
    }

    #[test]
    fn a_cause_is_said_once() {
        let io = || std::io::Error::from(std::io::ErrorKind::NotFound);
        let error = anyhow::Error::new(ShowsItsSource { source: io() }).context("outer");
        assert_eq!(one_line(&error), format!("outer: cannot run x: {}", io()));
        let error = anyhow::Error::new(io()).context("reading f");
        assert_eq!(one_line(&error), format!("reading f: {}", io()));
    }
}
