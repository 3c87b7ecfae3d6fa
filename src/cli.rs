//! The command line: `rsume [FLAGS] PROFILE` or `rsume [FLAGS] COMMAND …`, the same with and
//! without the wrapper. A first word that names a command is that command; a profile of the
//! same name is reached with `-p NAME`. Flags that shape a run (`--debug`, `--shell`,
//! `--no-cache`, …) are global, so they go before or after the command word.

use std::ffi::OsString;

use clap::{Args, Parser, Subcommand};
use clap_complete::engine::{ArgValueCandidates, CompletionCandidate};

use crate::credentials::Secret;
use crate::shell::{Shell, Target};

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

    /// Explain each step on stderr (secrets stay redacted)
    #[arg(long, global = true)]
    pub debug: bool,

    /// Say nothing on stderr but errors
    #[arg(short, long, global = true, conflicts_with = "debug")]
    pub quiet: bool,
}

/// How to get the credentials: shared by every command that gets them.
#[derive(Clone, Debug, Args)]
#[command(next_help_heading = "Credentials")]
pub struct RequestArgs {
    /// The 6-digit MFA code, instead of asking on the terminal
    #[arg(long, global = true, value_name = "CODE",
          value_parser = |text: &str| Ok::<_, String>(Secret::new(text)))]
    pub mfa_token: Option<Secret>,

    /// Region to export (and to call STS in), instead of the profile's
    #[arg(long, global = true)]
    pub region: Option<String>,

    /// Length of a new MFA session: seconds, or with a unit (90m, 12h, 1d) [default: 12h]
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_duration)]
    pub session_duration: Option<u32>,

    /// Length of the role session for the profile's own role [default: the profile's
    /// duration_seconds, else 1h]
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_duration)]
    pub role_duration: Option<u32>,

    /// Give up on an STS attempt after this long (3 attempts at most) [default: 10s]
    #[arg(long, global = true, value_name = "DURATION", env = "RSUME_STS_TIMEOUT",
          value_parser = parse_duration)]
    pub sts_timeout: Option<u32>,

    /// Ignore cached role credentials (a cached MFA session is still used)
    #[arg(short, long, global = true)]
    pub refresh: bool,

    /// Ignore the cached MFA session too, and ask for a new code
    #[arg(long, global = true)]
    pub refresh_mfa: bool,

    /// Neither read nor write the credential cache
    #[arg(long, global = true, env = "RSUME_NO_CACHE",
          value_parser = clap::builder::FalseyValueParser::new())]
    pub no_cache: bool,

    /// Use a cached entry only while more than this is left [default: 15m for roles, 10m for
    /// MFA sessions]
    #[arg(long, global = true, value_name = "DURATION", env = "RSUME_REFRESH_MARGIN",
          value_parser = parse_duration)]
    pub refresh_margin: Option<u32>,
}

/// An ad-hoc role: assumed by its ARN, with no profile for it in the files.
#[derive(Debug, Args)]
#[command(next_help_heading = "Ad-hoc role")]
pub struct RoleArgs {
    /// Assume this role instead of a profile: an ARN, ACCOUNT:ROLE or PARTITION:ACCOUNT:ROLE
    #[arg(long, value_name = "ARN", value_parser = crate::resolve::parse_role_arn,
          conflicts_with_all = ["profile", "profile_flag", "unset", "list_profiles", "auto_refresh"])]
    pub role_arn: Option<String>,

    /// The profile whose credentials assume the role [default: the keys in the environment]
    #[arg(long, value_name = "PROFILE", requires = "role_arn",
          add = ArgValueCandidates::new(profile_candidates))]
    pub source_profile: Option<String>,

    /// The external ID the role's trust policy asks for
    #[arg(long, value_name = "ID", requires = "role_arn")]
    pub external_id: Option<String>,

    /// The role session's name, as CloudTrail shows it [default: rsume-ROLE]
    #[arg(long, value_name = "NAME", requires = "role_arn")]
    pub role_session_name: Option<String>,

    /// An MFA device: get an MFA session with it before assuming the role
    #[arg(long, value_name = "ARN", requires = "role_arn")]
    pub mfa_serial: Option<String>,

    /// Session tags: KEY=VALUE,KEY=VALUE
    #[arg(long, value_name = "KEY=VALUE,...", requires = "role_arn",
          value_parser = |text: &str| crate::resolve::parse_tags(text).map(Tags))]
    pub tags: Option<Tags>,

    /// An inline session policy (JSON), or @FILE to read it from a file
    #[arg(long, value_name = "JSON|@FILE", requires = "role_arn")]
    pub session_policy: Option<String>,

    /// Managed policies to narrow the session with: ARN,ARN
    #[arg(
        long,
        value_name = "ARN,...",
        value_delimiter = ',',
        requires = "role_arn"
    )]
    pub session_policy_arns: Vec<String>,
}

/// Session tags from `--tags`, in order.
#[derive(Clone, Debug)]
pub struct Tags(pub Vec<(String, String)>);

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the wrapper function (and completions) for a shell: eval "$(rsume init bash)"
    Init {
        #[arg(value_enum)]
        shell: Shell,
        /// Also refresh the credentials before a prompt once they are near their expiry
        /// (bash, zsh, fish)
        #[arg(long)]
        auto_refresh: bool,
    },
    /// Show or clear cached credentials
    #[command(subcommand)]
    Cache(CacheCommand),
    /// Remove expired profiles that rsume wrote (-o) from the credentials file
    Clean {
        /// Every profile rsume wrote, expired or not, and the --auto-refresh ones too
        #[arg(long)]
        all: bool,
    },
    #[command(flatten)]
    Direct(DirectCommand),
}

/// Commands that write to the terminal themselves or run a program: the wrappers run these
/// as they are, never capturing their output. The wrapper text lists their names, taken
/// from this enum (see `direct_command_names`).
#[derive(Debug, Subcommand)]
pub enum DirectCommand {
    /// Run a program with a profile's credentials: rsume exec PROFILE -- COMMAND [ARGS]...
    Exec {
        /// Profile whose credentials the program gets
        #[arg(add = ArgValueCandidates::new(profile_candidates))]
        profile: String,
        /// Serve the credentials on a local endpoint that renews them, instead of putting
        /// keys in the program's environment (for programs that outlive one session)
        #[arg(long)]
        server: bool,
        /// The program and its arguments (put them after --)
        #[arg(
            required = true,
            trailing_var_arg = true,
            allow_hyphen_values = true,
            value_name = "COMMAND"
        )]
        command: Vec<OsString>,
    },
    /// Serve a profile's credentials on 127.0.0.1 for containers and IDEs, renewed from the
    /// cache, until interrupted; prints the two variables a program needs
    Serve {
        /// Profile whose credentials to serve
        #[arg(add = ArgValueCandidates::new(profile_candidates))]
        profile: String,
    },
    /// Print a profile's credentials for an SDK: credential_process = rsume credential-process NAME
    CredentialProcess {
        /// Profile whose credentials to print
        #[arg(add = ArgValueCandidates::new(profile_candidates))]
        profile: String,
    },
    /// Open the AWS console signed in with a profile's role (or print the link with --print)
    Console {
        /// Profile that ends in a role
        #[arg(add = ArgValueCandidates::new(profile_candidates))]
        profile: String,
        /// Print the sign-in URL instead of opening a browser (it signs in for 15 minutes)
        #[arg(long)]
        print: bool,
        /// Land on this service's page (s3, ec2, iam, …)
        #[arg(long, value_name = "SERVICE")]
        service: Option<String>,
    },
    /// Print the completion script for a shell (rsume init loads it for you)
    Completions {
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Show the profile active in this shell and how long its credentials last, without
    /// calling AWS. Exit status: 0 live, 1 expired or none
    Status {
        /// Ask STS (GetCallerIdentity) whether the credentials still work
        #[arg(long)]
        verify: bool,
        /// Print a JSON report for scripts
        #[arg(long)]
        json: bool,
    },
    /// Check the setup for a profile, with a fix for each problem. Exit status: 0 when every
    /// check passes
    Doctor {
        /// Profile to check [default: $AWS_PROFILE, else $AWS_DEFAULT_PROFILE, else "default"]
        #[arg(add = ArgValueCandidates::new(profile_candidates))]
        profile: Option<String>,
        /// Print the checklist as JSON for scripts
        #[arg(long)]
        json: bool,
    },
    /// Register, list or remove the virtual MFA device of an IAM user's profile
    #[command(subcommand)]
    Mfa(MfaCommand),
}

/// `rsume mfa …`: each takes the profile that holds the IAM user's long-term keys.
#[derive(Debug, Subcommand)]
pub enum MfaCommand {
    /// Create a virtual MFA device, show its QR code, enable it with two codes and set the
    /// profile's mfa_serial
    Setup {
        #[arg(add = ArgValueCandidates::new(profile_candidates))]
        profile: String,
        /// Name of the new device [default: the IAM user's name]
        #[arg(long, value_name = "NAME")]
        device_name: Option<String>,
        /// Also write the QR code to this new PNG file (created private: it holds the seed)
        #[arg(long, value_name = "FILE")]
        qr_png: Option<std::path::PathBuf>,
    },
    /// List the IAM user's MFA devices and mark the one the profile uses
    List {
        #[arg(add = ArgValueCandidates::new(profile_candidates))]
        profile: String,
    },
    /// Deactivate and delete the profile's MFA device, and drop its mfa_serial
    Remove {
        #[arg(add = ArgValueCandidates::new(profile_candidates))]
        profile: String,
        /// The device to remove [default: the profile's mfa_serial, else the user's only one]
        #[arg(long, value_name = "ARN")]
        serial: Option<String>,
        /// Do not ask for confirmation (for scripts)
        #[arg(short, long)]
        yes: bool,
    },
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

/// What a command writes to stdout, which decides what the wrapper does with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prints {
    /// Shell code that changes the caller's shell (assume, `--unset`): the wrapper evaluates
    /// it, and without a wrapper it is refused on a terminal.
    Exports,
    /// Text for a person or for the caller's own `eval` (`-l`, `cache`, `init`, help): under
    /// the wrapper it is wrapped in a print command, so it shows as it would without.
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

/// The names of the direct commands, for the wrapper text.
pub fn direct_command_names() -> Vec<String> {
    let holder = DirectCommand::augment_subcommands(clap::Command::new("rsume"));
    holder
        .get_subcommands()
        .flat_map(|c| std::iter::once(c.get_name()).chain(c.get_all_aliases()))
        .map(str::to_owned)
        .collect()
}

/// Every top-level flag that takes its value as the next word (`--region X`, `-p X`), so the
/// wrapper can find the command word without parsing the rest.
pub fn flags_with_values() -> Vec<String> {
    use clap::CommandFactory;
    let command = Cli::command();
    let mut flags = Vec::new();
    for arg in command.get_arguments() {
        if arg.is_positional() || !arg.get_action().takes_values() {
            continue;
        }
        flags.extend(arg.get_long().map(|l| format!("--{l}")));
        flags.extend(arg.get_short().map(|s| format!("-{s}")));
    }
    flags
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
/// shaped as shell code when a wrapper is evaluating stdout.
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

/// Profile names for completion, read from the user's files at TAB time.
/// Profile names for a word that takes one. A name that starts with `-` is left out: clap
/// would read it there as a flag.
fn profile_candidates() -> Vec<CompletionCandidate> {
    profile_names()
        .into_iter()
        .filter(|name| !name.starts_with('-'))
        .map(CompletionCandidate::new)
        .collect()
}

/// rsume's first word: a profile name, or for a name that starts with `-` (a flag there)
/// `--profile=NAME`, the one form clap reads it in (`-p NAME` is refused as a flag too).
fn first_word_candidates() -> Vec<CompletionCandidate> {
    profile_names()
        .into_iter()
        .map(|name| {
            if name.starts_with('-') {
                format!("--profile={name}")
            } else {
                name
            }
        })
        .map(CompletionCandidate::new)
        .collect()
}

fn profile_names() -> Vec<String> {
    let env = |name: &str| std::env::var(name).ok();
    let Ok((_, set)) = crate::config::load(&env) else {
        return Vec::new();
    };
    set.profiles().map(|p| p.name().to_owned()).collect()
}

/// `3600`, `3600s`, `90m`, `12h` or `1d`, in seconds.
fn parse_duration(text: &str) -> Result<u32, String> {
    const HINT: &str = "use seconds, or a number with s, m, h or d (for example 12h)";
    let (number, unit) = match text.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&text[..i], c),
        _ => (text, 's'),
    };
    let multiplier = match unit.to_ascii_lowercase() {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => return Err(HINT.into()),
    };
    number
        .parse::<u32>()
        .ok()
        .and_then(|n| n.checked_mul(multiplier))
        .ok_or_else(|| HINT.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("rsume").chain(args.iter().copied()))
    }

    #[test]
    fn definition_is_valid() {
        Cli::command().debug_assert();
    }

    #[test]
    fn debug_hides_the_mfa_code() {
        let cli = parse(&["admin", "--mfa-token", "975310"]).unwrap();
        assert!(!format!("{cli:?}").contains("975310"));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("3600"), Ok(3600));
        assert_eq!(parse_duration("90m"), Ok(5400));
        assert_eq!(parse_duration("12h"), Ok(43200));
        assert_eq!(parse_duration("1d"), Ok(86400));
        assert!(parse_duration("h").is_err());
        assert!(parse_duration("12w").is_err());
        assert!(parse_duration("-5").is_err());
    }

    #[test]
    fn global_flags_go_before_or_after_the_command_word() {
        for args in [
            &["--debug", "cache", "list"][..],
            &["cache", "list", "--debug"],
            &["--wrapper", "bash", "cache", "clear"],
            &["--shell", "fish", "init", "bash"],
            &["init", "bash", "--no-cache", "-q"],
        ] {
            let cli = parse(args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
            assert!(cli.command.is_some(), "{args:?}");
        }
        let cli = parse(&["--region", "eu-west-1", "admin", "--no-cache"]).unwrap();
        assert_eq!(cli.profile.as_deref(), Some("admin"));
        assert!(cli.request.no_cache);
    }

    #[test]
    fn a_command_word_is_the_command_and_p_reaches_the_profile() {
        let cli = parse(&["init", "bash"]).unwrap();
        assert!(matches!(cli.command, Some(Command::Init { .. })));
        let cli = parse(&["-p", "init"]).unwrap();
        assert!(cli.command.is_none());
        assert_eq!(cli.profile_flag.as_deref(), Some("init"));
        let cli = parse(&["-p", "admin", "cache", "list"]).unwrap();
        assert_eq!(cli.assume_only_flag(), Some("-p/--profile"));
    }

    #[test]
    fn words_after_the_profile_are_kept_for_a_message() {
        let cli = parse(&["admin", "aws", "s3", "ls", "--recursive"]).unwrap();
        assert_eq!(cli.profile.as_deref(), Some("admin"));
        assert_eq!(cli.after_profile, ["aws", "s3", "ls", "--recursive"]);
    }

    #[test]
    fn each_command_declares_what_it_prints() {
        assert_eq!(parse(&["admin"]).unwrap().prints(), Prints::Exports);
        assert_eq!(parse(&["-u"]).unwrap().prints(), Prints::Exports);
        assert_eq!(parse(&["-l"]).unwrap().prints(), Prints::Text);
        assert_eq!(parse(&["cache", "list"]).unwrap().prints(), Prints::Text);
        assert_eq!(parse(&["init", "zsh"]).unwrap().prints(), Prints::Text);
        assert_eq!(
            parse(&["completions", "fish"]).unwrap().prints(),
            Prints::Direct
        );
        assert_eq!(
            parse(&["mfa", "list", "admin"]).unwrap().prints(),
            Prints::Direct
        );
        assert_eq!(
            parse(&["exec", "admin", "--", "aws", "s3", "ls"])
                .unwrap()
                .prints(),
            Prints::Direct
        );
        assert_eq!(
            direct_command_names(),
            [
                "exec",
                "serve",
                "credential-process",
                "console",
                "completions",
                "status",
                "doctor",
                "mfa"
            ]
        );
    }

    #[test]
    fn output_and_role_flags_belong_to_assuming() {
        assert!(parse(&["admin", "-o", "mfa", "--auto-refresh"]).is_err());
        assert!(parse(&["admin", "--role-arn", "123456789012:ops"]).is_err());
        assert!(parse(&["--role-arn", "123456789012:ops", "--auto-refresh"]).is_err());
        assert!(parse(&["--tags", "a=b"]).is_err(), "needs --role-arn");
        let cli = parse(&["-o", "mfa", "cache", "list"]).unwrap();
        assert_eq!(cli.assume_only_flag(), Some("-o/--output-profile"));
        let cli = parse(&["--role-arn", "123456789012:ops", "--tags", "a=b,c=d"]).unwrap();
        assert_eq!(
            cli.role.role_arn.as_deref(),
            Some("arn:aws:iam::123456789012:role/ops")
        );
        assert_eq!(cli.role.tags.unwrap().0.len(), 2);
        assert_eq!(parse(&["clean"]).unwrap().prints(), Prints::Text);
    }

    #[test]
    fn lists_the_flags_that_take_a_value() {
        let flags = flags_with_values();
        for flag in ["--region", "-p", "--profile", "--shell", "--mfa-token"] {
            assert!(flags.iter().any(|f| f == flag), "{flag} in {flags:?}");
        }
        assert!(!flags.iter().any(|f| f == "--debug" || f == "-l"));
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
