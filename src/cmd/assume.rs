//! `rsume <profile>`: parse the files, resolve the profile's chain, get its credentials
//! (`vault::get`, as every command that needs them), and hand back the exports. Messages go
//! to stderr; the exports are the only output.

use std::time::Duration;

use super::profiles::{self, NameFrom};
use super::{Destination, Env, Output, UsageError};
use crate::cache::EntryKind;
use crate::cli::Cli;
use crate::config::{self, ProfileFiles};
use crate::resolve::{self, Overrides, ResolveError};
use crate::vault::{self, CachePolicy, Chain, Fetched};
use crate::{exports, log, mfa, time};

pub fn run(cli: &Cli, destination: &Destination<'_>, env: Env<'_>) -> anyhow::Result<Output> {
    let args = &cli.request;
    let given = cli.profile_flag.as_deref().or(cli.profile.as_deref());
    if !cli.after_profile.is_empty() {
        return Err(after_profile(given.unwrap_or_default(), cli, destination).into());
    }
    // A malformed --mfa-token fails before any file is read or STS is called.
    let mut code_source = match &args.mfa_token {
        Some(code) => mfa::from_flag(code.expose())
            .map_err(|error| UsageError(format!("--mfa-token: {error}")))?,
        None => mfa::from_terminal(),
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
    log::debug(format_args!(
        "plan for '{name}': {}",
        chain.provider.describe()
    ));
    // Checked before any prompt or STS call: output nobody applies is not worth a code.
    destination.check()?;

    // Long-term keys need no call, so nothing to cache.
    let cache = if args.no_cache || chain.provider.kind().is_none() {
        None
    } else {
        vault::open_cache(env)
    };
    let policy = CachePolicy {
        refresh_roles: args.refresh,
        refresh_mfa: args.refresh_mfa,
        margin: args.refresh_margin.map(|s| Duration::from_secs(s.into())),
    };
    let fetched = vault::get(&chain, &mut code_source, cache.as_ref(), &policy)?;
    log::info(format_args!("{name}: {}", summary(&chain, &fetched)));
    Ok(Output::Shell(exports::assume(
        &chain.profile,
        &fetched.credentials,
        chain.region.as_deref(),
        env,
    )))
}

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

/// "cached role credentials, valid until 13:07 (47 min)".
fn summary(chain: &Chain, fetched: &Fetched) -> String {
    let what = match chain.provider.kind() {
        Some(EntryKind::Role) => "role credentials",
        Some(EntryKind::MfaSession) => "MFA session",
        None => return "long-term keys, no expiry".into(),
    };
    let origin = if fetched.cached { "cached" } else { "new" };
    match fetched.credentials.expiration {
        Some(at) => format!("{origin} {what}, valid until {}", time::until(at)),
        None => format!("{origin} {what}"),
    }
}
