//! The command words: the top-level commands, and the direct ones that the wrappers never
//! capture.

use std::ffi::OsString;

use clap::Subcommand;
use clap_complete::engine::ArgValueCandidates;

use super::complete::profile_candidates;
use super::{CacheCommand, MfaCommand};
use crate::shell::Shell;

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

/// Commands that write to the terminal themselves or run a program: never evaluated, so a
/// wrapper that evaluates stdout (`--wrapper` without `--code-file`) is refused them.
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
