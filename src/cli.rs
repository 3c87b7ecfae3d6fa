//! The command line. `rsume <profile>` is the main job, so it needs no subcommand.

use std::ffi::OsString;

use clap::{Args, Parser, Subcommand};

use crate::credentials::Secret;
use crate::shell::Shell;

#[derive(Debug, Parser)]
#[command(
    name = "rsume",
    version = concat!(env!("CARGO_PKG_VERSION"), " (", env!("RSUME_COMMIT"), ")"),
    about = "Assume an AWS profile in this shell, with MFA, role chains and four shells",
    args_conflicts_with_subcommands = true,
    after_help = "Use it as  eval \"$(rsume PROFILE)\"  (bash, zsh),  rsume PROFILE | source  (fish)\n\
                  or  rsume PROFILE | Invoke-Expression  (PowerShell); with the wrapper from\n\
                  `rsume init <shell>` it is just  rsume PROFILE."
)]
pub struct Cli {
    #[command(flatten)]
    pub assume: AssumeArgs,

    /// Clear every variable rsume sets
    #[arg(short, long, conflicts_with_all = ["profile", "list_profiles"])]
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

    /// Shell to write code for [default: the calling shell]
    #[arg(long, value_enum, global = true)]
    pub shell: Option<Shell>,

    /// Set by the wrapper functions: stdout is evaluated, so every output is shell code
    #[arg(long, value_enum, global = true, hide = true)]
    pub wrapper: Option<Shell>,

    /// Explain each step on stderr (secrets stay redacted)
    #[arg(long, global = true)]
    pub debug: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args)]
pub struct AssumeArgs {
    /// Profile to assume [default: $AWS_PROFILE, else "default"]
    pub profile: Option<String>,

    /// The 6-digit MFA code, instead of asking on the terminal
    #[arg(long, value_name = "CODE", value_parser = |text: &str| Ok::<_, String>(Secret::new(text)))]
    pub mfa_token: Option<Secret>,

    /// Region to export (and to call STS in), instead of the profile's
    #[arg(long)]
    pub region: Option<String>,

    /// Length of the MFA session: seconds, or with a unit (90m, 12h) [default: 12h]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub session_duration: Option<u32>,

    /// Length of the role session for the profile's own role [default: the profile's
    /// duration_seconds, else 1h]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub role_duration: Option<u32>,

    /// Give up on an STS attempt after this long (3 attempts at most) [default: 10s]
    #[arg(long, value_name = "DURATION", env = "RSUME_STS_TIMEOUT", value_parser = parse_duration)]
    pub sts_timeout: Option<u32>,

    /// Ignore cached role credentials (a cached MFA session is still used)
    #[arg(short, long)]
    pub refresh: bool,

    /// Ignore the cached MFA session too, and ask for a new code
    #[arg(long)]
    pub refresh_mfa: bool,

    /// Neither read nor write the credential cache
    #[arg(long, env = "RSUME_NO_CACHE", value_parser = clap::builder::FalseyValueParser::new())]
    pub no_cache: bool,

    /// Use a cached entry only while more than this is left [default: 15m for roles, 10m for
    /// MFA sessions]
    #[arg(long, value_name = "DURATION", env = "RSUME_REFRESH_MARGIN", value_parser = parse_duration)]
    pub refresh_margin: Option<u32>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the wrapper function for a shell, e.g. eval "$(rsume init bash)"
    Init {
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Show or clear cached credentials
    #[command(subcommand)]
    Cache(CacheCommand),
}

#[derive(Debug, Subcommand)]
pub enum CacheCommand {
    /// List cached entries: profile, kind, expiry (never a secret)
    List,
    /// Remove the entries of one profile, or all of them
    Clear {
        /// Only this profile's entries
        profile: Option<String>,
    },
}

impl Cli {
    /// The shell whose code to write: the wrapper's, `--shell`, or the detected one.
    pub fn target_shell(&self, env: &dyn Fn(&str) -> Option<String>) -> Shell {
        self.wrapper
            .or(self.shell)
            .unwrap_or_else(|| crate::shell::detect(env))
    }
}

/// `--wrapper` read before clap runs, so `--help` and `--version` can still be shaped as
/// shell code when a wrapper is evaluating stdout.
pub fn wrapper_in(args: &[OsString]) -> Option<Shell> {
    use clap::ValueEnum;
    let mut iter = args.iter().filter_map(|a| a.to_str());
    while let Some(arg) = iter.next() {
        let value = match arg.strip_prefix("--wrapper") {
            Some("") => iter.next(),
            Some(rest) => rest.strip_prefix('='),
            None if arg == "--" => return None,
            None => continue,
        };
        return value.and_then(|v| Shell::from_str(v, true).ok());
    }
    None
}

/// `3600`, `3600s`, `90m` or `12h`, in seconds.
fn parse_duration(text: &str) -> Result<u32, String> {
    let (number, unit) = match text.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&text[..i], c),
        _ => (text, 's'),
    };
    let multiplier = match unit.to_ascii_lowercase() {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        _ => return Err("use seconds, or a number with s, m or h".into()),
    };
    number
        .parse::<u32>()
        .ok()
        .and_then(|n| n.checked_mul(multiplier))
        .ok_or_else(|| "use seconds, or a number with s, m or h (for example 12h)".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definition_is_valid() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn debug_hides_the_mfa_code() {
        use clap::Parser;
        let cli = Cli::try_parse_from(["rsume", "admin", "--mfa-token", "975310"]).unwrap();
        assert!(!format!("{cli:?}").contains("975310"));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("3600"), Ok(3600));
        assert_eq!(parse_duration("90m"), Ok(5400));
        assert_eq!(parse_duration("12h"), Ok(43200));
        assert!(parse_duration("h").is_err());
        assert!(parse_duration("12d").is_err());
        assert!(parse_duration("-5").is_err());
    }

    #[test]
    fn finds_the_wrapper_flag() {
        let args = |list: &[&str]| list.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(
            wrapper_in(&args(&["rsume", "--wrapper", "fish", "-h"])),
            Some(Shell::Fish)
        );
        assert_eq!(
            wrapper_in(&args(&["rsume", "--wrapper=zsh"])),
            Some(Shell::Zsh)
        );
        assert_eq!(
            wrapper_in(&args(&["rsume", "--", "--wrapper", "fish"])),
            None
        );
        assert_eq!(wrapper_in(&args(&["rsume", "-l"])), None);
    }
}
