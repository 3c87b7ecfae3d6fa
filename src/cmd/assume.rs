//! `rsume <profile>`: parse the files, resolve the profile's chain, get its credentials
//! (`vault::get`, as every command that needs them), and hand back the exports. Messages go
//! to stderr; the exports are the only output.

use std::time::Duration;

use super::profiles::{self, NameFrom};
use super::{Destination, Env, Output, UsageError};
use crate::cli::Cli;
use crate::config::{self, ProfileFiles};
use crate::resolve::{self, Overrides, ResolveError};
use crate::vault::{self, CachePolicy};
use crate::{exports, log, mfa};

pub fn run(cli: &Cli, destination: &Destination<'_>, env: Env<'_>) -> anyhow::Result<Output> {
    let args = &cli.request;
    let given = cli.profile_flag.as_deref().or(cli.profile.as_deref());
    if !cli.after_profile.is_empty() {
        return Err(after_profile(given.unwrap_or_default(), cli, destination).into());
    }
    // A malformed --mfa-token fails before any file is read or STS is called.
    let flag_code = match &args.mfa_token {
        Some(code) => Some(
            mfa::from_flag(code.expose())
                .map_err(|error| UsageError(format!("--mfa-token: {error}")))?,
        ),
        None => None,
    };
    let (files, set) = profiles::load(env)?;
    let (name, from) = profiles::choose(given, env);
    let overrides = Overrides {
        region: args.region.clone(),
        session_duration: args.session_duration,
        role_duration: args.role_duration,
        sts_timeout: args.sts_timeout,
    };
    let chain = resolve::chain(&set, &name, &overrides, env).map_err(|error| match error {
        ResolveError::UnknownProfile { .. } => {
            anyhow::anyhow!("{error} ({from}; {})", files_read(&files))
        }
        ResolveError::InvalidFlag { .. } => UsageError(error.to_string()).into(),
        other if from != NameFrom::CommandLine => {
            anyhow::Error::new(other).context(format!("profile '{name}' ({from})"))
        }
        other => other.into(),
    })?;
    // Checked before any prompt or STS call: output nobody applies is not worth a code.
    destination.check()?;
    let mut code_source = flag_code.unwrap_or_else(|| code_command(&set, &name, env));

    let policy = CachePolicy {
        off: args.no_cache,
        refresh_roles: args.refresh,
        refresh_mfa: args.refresh_mfa,
        margin: args.refresh_margin.map(|s| Duration::from_secs(s.into())),
    };
    let fetched = vault::get(&chain, &mut code_source, &policy, env)?;
    log::info(format_args!("{name}: {}", chain.summary(&fetched)));
    Ok(Output::Shell(exports::assume(
        &chain.profile,
        &fetched.credentials,
        chain.region.as_deref(),
        env,
    )))
}

/// Where a code comes from without `--mfa-token`: the profile's `mfa_process` (its own or
/// inherited along `source_profile`, like `mfa_serial`), else `RSUME_MFA_PROCESS`, else the
/// terminal. Nothing runs unless a code is needed.
fn code_command(set: &config::ProfileSet, name: &str, env: Env<'_>) -> mfa::CodeSource<'static> {
    let command = set
        .profile(name)
        .and_then(|profile| resolve::inherited(set, profile, "mfa_process"))
        .map(|inherited| inherited.value.to_owned())
        .or_else(|| env(MFA_PROCESS_VARIABLE).filter(|command| !command.trim().is_empty()));
    match command {
        Some(command) => mfa::from_process(command, crate::process::timeout(env)),
        None => mfa::from_terminal(),
    }
}

/// A command that prints MFA codes, for profiles without `mfa_process`.
const MFA_PROCESS_VARIABLE: &str = "RSUME_MFA_PROCESS";

/// `rsume admin aws s3 ls`: rsume runs no program, so say how to run one with the
/// credentials instead of guessing what was meant.
fn after_profile(profile: &str, cli: &Cli, destination: &Destination<'_>) -> UsageError {
    let shell = destination.shell;
    let program = super::shown_words(shell, &cli.after_profile);
    UsageError(format!(
        "rsume runs no program, so `{program}` was not run; assume the profile first with  \
         rsume {profile}  (through the wrapper from `rsume init {}`) or  {}  and then run  {program}",
        shell.name(),
        shell.eval_hint(&shell.word(profile)),
    ))
}

/// Which files were looked at, for an unknown profile: often the answer is a missing file.
fn files_read(files: &ProfileFiles) -> String {
    let describe = |file: &config::SourceFile| {
        let from = file
            .overridden_by
            .map(|var| format!(" from {var}"))
            .unwrap_or_default();
        let state = if file.exists { "" } else { " (not found)" };
        format!("{}{from}{state}", file.path.display())
    };
    format!(
        "looked in {} and {}",
        describe(&files.config),
        describe(&files.credentials)
    )
}
