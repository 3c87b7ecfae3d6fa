//! One module per command. Each returns what it wants printed; `run` turns that into the
//! single string main writes, to stdout or to the wrapper's code file.

mod assume;
mod cache;
mod clean;
pub mod code_file;
mod completions;
mod console;
mod credential_process;
mod doctor;
mod exec;
pub use completions::answer_if_asked as answer_completion_request;
mod init;
mod list;
mod mfa;
mod output;
mod profiles;
mod repeat;
mod request;
mod serve;
mod status;
mod table;
mod unset;

use std::ffi::OsString;
use std::io::IsTerminal;

use crate::cli::{Cli, Command, DirectCommand, Prints};
use crate::shell::{Change, Shell, Target};
use code_file::CodeFile;

/// The environment as a lookup function, so commands never read process state directly.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// What a command produces.
pub enum Output {
    /// Changes for the caller's shell to apply.
    Shell(Vec<Change>),
    /// Text for a person (a list, a script to read).
    Text(String),
    /// A program ran with the terminal as its own; rsume prints nothing more and exits
    /// with this.
    Exited(u8),
    /// A report for a person or a script (status, doctor), and the exit status that says
    /// what it found.
    Report(String, u8),
}

/// A command line that parsed but asks for something rsume does not do (exit status 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Stdout is a terminal: shell code there would only show the keys to onlookers.
#[derive(Debug, thiserror::Error)]
#[error(
    "stdout is a terminal, so nothing was printed; run  {eval}  or set up the wrapper with  {init}  (-s prints the code anyway)"
)]
pub struct NotEvaluated {
    eval: String,
    init: String,
}

/// Where a command's shell code goes, known before the command asks for or fetches anything.
pub struct Destination<'a> {
    shell: Shell,
    /// A wrapper (or `-s`) evaluates or wants the code, whatever stdout is.
    wanted: bool,
    /// The user's own words, for the hint that says how to apply the output.
    args: &'a [OsString],
}

impl Destination<'_> {
    /// Refuses to print exports onto a terminal, naming the line that would apply them.
    pub fn check(&self) -> Result<(), NotEvaluated> {
        if self.wanted || !std::io::stdout().is_terminal() {
            return Ok(());
        }
        Err(NotEvaluated {
            eval: self.shell.eval_hint(&shown_words(
                self.shell,
                self.args.get(1..).unwrap_or_default(),
            )),
            init: self.shell.eval_hint(&format!("init {}", self.shell.name())),
        })
    }
}

/// How a run ends: text for stdout and the exit status, or shell code for the wrapper's code
/// file (each written once, by main), or the status of a program that ran with the terminal
/// as its own.
pub enum Finished {
    Stdout(String, u8),
    Code(CodeFile, String),
    Exited(u8),
}

pub fn run(cli: &Cli, args: &[OsString], env: Env<'_>) -> anyhow::Result<Finished> {
    if let Some(flag) = cli.command.as_ref().and(cli.assume_only_flag()) {
        return Err(UsageError(format!(
            "{flag} cannot be used with a command; to assume a profile named like a command, use  rsume -p NAME  alone"
        ))
        .into());
    }
    let target = cli.output.target(env);
    let shell = target.shell();
    let wrapped = cli.output.wrapper.is_some();
    // The wrapper's code file, claimed before anything is asked or fetched: a run that fails
    // after this leaves none. Without one, a wrapper evaluates stdout (one loaded before
    // rsume had code files), so every output there must be shell code.
    let code_file = match &cli.output.code_file {
        Some(path) => Some(CodeFile::claim(path, shell, env)?),
        None => None,
    };
    let evaluated = wrapped && code_file.is_none();
    let destination = Destination {
        shell,
        wanted: wrapped || cli.show_commands,
        args,
    };
    let output = match &cli.command {
        Some(Command::Init {
            shell,
            auto_refresh,
        }) => init::run(*shell, *auto_refresh, env)?,
        Some(Command::Cache(command)) => cache::run(command, env)?,
        Some(Command::Clean { all }) => clean::run(*all, env)?,
        Some(Command::Direct(_)) if evaluated => {
            return Err(UsageError(
                "this command runs on the terminal and the wrapper evaluated its output; reload the wrapper with  rsume init"
                    .into(),
            )
            .into());
        }
        Some(Command::Direct(DirectCommand::Completions { shell })) => completions::run(*shell),
        Some(Command::Direct(DirectCommand::Mfa(command))) => mfa::run(command, env)?,
        Some(Command::Direct(DirectCommand::Exec {
            profile,
            server,
            command,
        })) => exec::run(profile, *server, command, &cli.request, env)?,
        Some(Command::Direct(DirectCommand::Serve { profile })) => {
            serve::run(profile, cli.output.shell, &cli.request, env)?
        }
        Some(Command::Direct(DirectCommand::Console {
            profile,
            print,
            service,
        })) => console::run(profile, *print, service.as_deref(), &cli.request, env)?,
        Some(Command::Direct(DirectCommand::CredentialProcess { profile })) => {
            credential_process::run(profile, &cli.request, env)?
        }
        Some(Command::Direct(DirectCommand::Status { verify, json })) => {
            status::run(*verify, *json, env)?
        }
        Some(Command::Direct(DirectCommand::Doctor { profile, json })) => {
            doctor::run(profile.as_deref(), *json, &cli.request, env)?
        }
        None if cli.list_profiles => list::run(env, cli.json)?,
        None if cli.unset => {
            destination.check()?;
            unset::run(env)
        }
        None => assume::run(cli, &destination, env)?,
    };
    // Only shell code goes to the wrapper: after anything else, the file is removed, so no
    // code a child of `exec` wrote there is evaluated.
    let code_file = match (&output, code_file) {
        (Output::Shell(_), file) => file,
        (_, file) => {
            if let Some(file) = file {
                file.discard();
            }
            None
        }
    };
    Ok(match (output, code_file) {
        (Output::Exited(code), _) => {
            debug_assert!(cli.prints() == Prints::Direct);
            Finished::Exited(code)
        }
        (Output::Report(text, code), _) => {
            debug_assert!(cli.prints() == Prints::Direct);
            Finished::Stdout(text, code)
        }
        (Output::Shell(changes), Some(file)) => Finished::Code(file, target.render(&changes)?),
        (output, _) => Finished::Stdout(render(output, target, evaluated)?, 0),
    })
}

/// A report for a person or a script (status, doctor), and the run's exit status `code`,
/// which says what the report found.
fn report(text: &str, code: u8) -> anyhow::Result<Output> {
    Ok(Output::Report(text.to_owned(), code))
}

/// Turns an output into stdout text. When a wrapper evaluates stdout, every output must be
/// shell code, so text is wrapped in a print command.
pub fn render(
    output: Output,
    target: Target,
    evaluated: bool,
) -> Result<String, crate::shell::BadValue> {
    match output {
        Output::Shell(changes) => target.render(&changes),
        Output::Text(text) if evaluated => target.render(&[Change::Print(text)]),
        Output::Text(text) | Output::Report(text, _) => Ok(text),
        Output::Exited(_) => Ok(String::new()),
    }
}

/// The arguments as the user typed them, for a hint: without the wrapper's flags or an MFA
/// code (which must not be repeated on screen), each quoted for `shell` where needed.
pub fn shown_words(shell: Shell, words: &[OsString]) -> String {
    let mut shown = Vec::new();
    let mut words = words.iter().map(|a| a.to_string_lossy());
    while let Some(word) = words.next() {
        match word.as_ref() {
            "--mfa-token" | "--wrapper" | "--code-file" => {
                words.next();
            }
            w if ["--mfa-token=", "--wrapper=", "--code-file="]
                .iter()
                .any(|flag| w.starts_with(flag)) => {}
            "--" => {}
            w => shown.push(shell.word(w)),
        }
    }
    shown.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_repeat_the_arguments_but_no_mfa_code() {
        let args: Vec<OsString> = ["--mfa-token", "123456", "my admin", "--region=x"]
            .iter()
            .map(OsString::from)
            .collect();
        assert_eq!(shown_words(Shell::Bash, &args), "'my admin' --region=x");
        let args: Vec<OsString> = ["admin", "--mfa-token=123456", "--code-file=/r/rsume/1"]
            .iter()
            .map(OsString::from)
            .collect();
        assert_eq!(shown_words(Shell::Fish, &args), "admin");
    }
}
