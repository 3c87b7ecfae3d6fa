//! The command line: `rsume [FLAGS] PROFILE` or `rsume [FLAGS] COMMAND …`, the same with and
//! without the wrapper. A first word that names a command is that command; a profile of the
//! same name is reached with `-p NAME`. Flags that shape a run (`--debug`, `--shell`,
//! `--no-cache`, …) are global, so they go before or after the command word.

mod cache;
mod commands;
mod complete;
mod mfa;
mod request;
mod role;

pub use cache::CacheCommand;
pub use commands::{Command, DirectCommand};
pub use mfa::MfaCommand;
pub use request::RequestArgs;
pub use role::{RoleArgs, Tags};

use std::ffi::OsString;

use clap::{Args, Parser};
use clap_complete::engine::ArgValueCandidates;

use crate::shell::{Shell, Target};
use complete::{first_word_candidates, profile_candidates};

const AFTER_HELP: &str = "\
Use it as  eval \"$(rsume PROFILE)\"  (bash, zsh),  rsume PROFILE | source  (fish)
or  rsume PROFILE | Invoke-Expression  (PowerShell); with the wrapper from
`rsume init <shell>` it is just  rsume PROFILE.
A profile named like a command is assumed with  rsume -p NAME.
Exit status: 0 success, 1 failure, 2 usage error or bad value, 130 cancelled prompt.";

#[derive(Debug, Parser)]
#[command(
    name = "rsume",
    version = concat!(env!("CARGO_PKG_VERSION"), " (", env!("RSUME_COMMIT"), ")"),
    about = "Assume an AWS profile in this shell, with MFA, role chains and four shells",
    after_help = AFTER_HELP
)]
pub struct Cli {
    /// Profile to assume [default: $AWS_PROFILE, else $AWS_DEFAULT_PROFILE, else "default"]
    #[arg(value_name = "PROFILE", add = ArgValueCandidates::new(first_word_candidates))]
    pub profile: Option<String>,

    /// Words after the profile. rsume runs no program, so these only earn a message that says
    /// how to run one with the credentials.
    #[arg(hide = true, trailing_var_arg = true, allow_hyphen_values = true)]
    pub after_profile: Vec<OsString>,

    /// Profile to assume, also one named like a command (rsume -p init)
    #[arg(short = 'p', long = "profile", value_name = "PROFILE", conflicts_with = "profile",
          add = ArgValueCandidates::new(profile_candidates))]
    pub profile_flag: Option<String>,

    /// Clear every variable rsume sets
    #[arg(short, long, conflicts_with_all = ["profile", "profile_flag", "list_profiles"])]
    pub unset: bool,

    /// List the profiles in the AWS files
    #[arg(short, long)]
    pub list_profiles: bool,

    /// With --list-profiles: print a JSON array for scripts
    #[arg(long, requires = "list_profiles")]
    pub json: bool,

    /// Print the shell code even when stdout is a terminal
    #[arg(short, long)]
    pub show_commands: bool,

    /// Write the credentials into the credentials file as profile NAME, and export nothing
    #[arg(short = 'o', long, value_name = "NAME",
          conflicts_with_all = ["unset", "list_profiles", "auto_refresh"])]
    pub output_profile: Option<String>,

    /// Export AWS_PROFILE=rsume-PROFILE, a config profile that asks rsume for fresh
    /// credentials, instead of keys: tools refresh on their own while the MFA session lasts
    #[arg(long, conflicts_with_all = ["unset", "list_profiles"])]
    pub auto_refresh: bool,

    /// Assume again what the last run in this shell assumed, with the flags that shaped it
    /// (recorded in RSUME_REFRESH_ARGS): what the prompt hook of `init --auto-refresh` runs
    #[arg(long, conflicts_with_all = ["profile", "profile_flag", "unset", "list_profiles",
          "output_profile", "auto_refresh", "role_arn", "region", "session_duration",
          "role_duration"])]
    pub repeat: bool,

    /// With -o or --auto-refresh: replace the keys of a profile rsume did not write
    #[arg(long)]
    pub force: bool,

    #[command(flatten)]
    pub role: RoleArgs,

    #[command(flatten)]
    pub output: OutputArgs,

    #[command(flatten)]
    pub request: RequestArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// How rsume talks: which shell to write for, and how much to say on stderr.
#[derive(Debug, Args)]
#[command(next_help_heading = "Output")]
pub struct OutputArgs {
    /// Shell to write code for [default: the calling shell]
    #[arg(long, value_enum, global = true)]
    pub shell: Option<Shell>,

    /// Set by the wrapper functions: stdout is evaluated, so every output is shell code
    #[arg(long, value_enum, global = true, hide = true)]
    pub wrapper: Option<Shell>,

    /// Set by the wrapper functions with --wrapper: the shell code goes into this file
    /// (`cmd::code_file`), and stdout stays the terminal's
    #[arg(
        long,
        global = true,
        hide = true,
        value_name = "FILE",
        requires = "wrapper"
    )]
    pub code_file: Option<std::path::PathBuf>,

    /// Explain each step on stderr (secrets stay redacted)
    #[arg(long, global = true)]
    pub debug: bool,

    /// Say nothing on stderr but errors
    #[arg(short, long, global = true, conflicts_with = "debug")]
    pub quiet: bool,
}

/// What a command writes to stdout (the wrapper's code file takes the exports instead).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prints {
    /// Shell code that changes the caller's shell (assume, `--unset`): the wrapper evaluates
    /// it, and without a wrapper it is refused on a terminal.
    Exports,
    /// Text for a person or for the caller's own `eval` (`-l`, `cache`, `init`, help): where
    /// a wrapper evaluates stdout it is wrapped in a print command, so it shows as without.
    Text,
    /// The command talks to the terminal or runs a program: never captured.
    Direct,
}

impl Cli {
    /// A flag given that only means something without a command (clap cannot say "conflicts
    /// with every subcommand" while letting global flags stand before the command word).
    pub fn assume_only_flag(&self) -> Option<&'static str> {
        [
            (self.profile_flag.is_some(), "-p/--profile"),
            (self.unset, "--unset"),
            (self.list_profiles, "--list-profiles"),
            (self.show_commands, "--show-commands"),
            (self.output_profile.is_some(), "-o/--output-profile"),
            (self.auto_refresh, "--auto-refresh"),
            (self.repeat, "--repeat"),
            (self.force, "--force"),
            (self.role.role_arn.is_some(), "--role-arn"),
        ]
        .into_iter()
        .find_map(|(given, flag)| given.then_some(flag))
    }

    pub fn prints(&self) -> Prints {
        match &self.command {
            Some(Command::Direct(_)) => Prints::Direct,
            Some(_) => Prints::Text,
            None if self.list_profiles => Prints::Text,
            None => Prints::Exports,
        }
    }
}

impl OutputArgs {
    /// The shell whose code to write: the wrapper's or `--shell` (known), else detected.
    pub fn target(&self, env: &dyn Fn(&str) -> Option<String>) -> Target {
        self.wrapper
            .or(self.shell)
            .map(Target::Known)
            .unwrap_or_else(|| crate::shell::detect(env))
    }
}

/// `--wrapper` read before clap runs, so `--help`, `--version` and usage errors can still be
/// shaped as shell code when a wrapper is evaluating stdout; with `--code-file` it is not.
pub fn wrapper_in(args: &[OsString]) -> Option<Shell> {
    use clap::ValueEnum;
    let mut shell = None;
    let mut iter = args.iter().filter_map(|a| a.to_str());
    while let Some(arg) = iter.next() {
        let value = match arg.strip_prefix("--wrapper") {
            Some("") => iter.next(),
            Some(rest) => rest.strip_prefix('='),
            None if arg == "--" => break,
            None if arg == "--code-file" || arg.starts_with("--code-file=") => return None,
            None => continue,
        };
        shell = shell.or(value.and_then(|v| Shell::from_str(v, true).ok()));
    }
    shell
}

#[cfg(test)]
mod tests;
