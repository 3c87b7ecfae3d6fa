//! One module per thing rsume does. Each returns what it wants printed; `run` turns that into
//! the single string main writes to stdout.

mod assume;
mod cache;
mod init;
mod list;
mod table;
mod unset;

use std::io::IsTerminal;

use crate::cli::{Cli, Command};
use crate::shell::{Change, Target};

/// The environment as a lookup function, so commands never read process state directly.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// What a command produces.
pub enum Output {
    /// Changes for the caller's shell to apply.
    Shell(Vec<Change>),
    /// Text for a person (a list, a script to read).
    Text(String),
}

/// Stdout is a terminal: shell code there would only show the keys to onlookers.
#[derive(Debug, thiserror::Error)]
#[error(
    "stdout is a terminal, so nothing was printed; run  {eval}  or set up the wrapper with  {init}  (-s prints the code anyway)"
)]
pub struct NotEvaluated {
    eval: String,
    init: String,
}

pub fn run(cli: &Cli, env: Env<'_>) -> anyhow::Result<String> {
    let target = cli.target_shell(env);
    let shell = target.shell();
    let wrapped = cli.wrapper.is_some();
    let writes_shell_code = cli.command.is_none() && !cli.list_profiles;
    if writes_shell_code && !wrapped && !cli.show_commands && std::io::stdout().is_terminal() {
        let args = match &cli.assume.profile {
            _ if cli.unset => "--unset".to_owned(),
            Some(profile) => profile.clone(),
            None => String::new(),
        };
        return Err(NotEvaluated {
            eval: shell.eval_hint(args.trim()),
            init: shell.eval_hint(&format!("init {}", shell.name())),
        }
        .into());
    }

    let output = match &cli.command {
        Some(Command::Init { shell }) => init::run(*shell),
        Some(Command::Cache(command)) => cache::run(command, env)?,
        None if cli.list_profiles => list::run(env, cli.json)?,
        None if cli.unset => unset::run(),
        None => assume::run(&cli.assume, env)?,
    };
    Ok(render(output, target, wrapped)?)
}

/// Turns an output into stdout text. Under a wrapper every output must be shell code, so
/// text is wrapped in a print command.
pub fn render(
    output: Output,
    target: Target,
    wrapped: bool,
) -> Result<String, crate::shell::BadValue> {
    match output {
        Output::Shell(changes) => target.render(&changes),
        Output::Text(text) if wrapped => target.render(&[Change::Print(text)]),
        Output::Text(text) => Ok(text),
    }
}
