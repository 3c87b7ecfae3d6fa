//! `rsume <profile>`: parse the files, resolve the profile, fetch the credentials, and hand
//! back the exports. Messages go to stderr; the exports are the only output.

use std::time::Duration;

use super::profiles::{self, NameFrom};
use super::{Destination, Env, Output, UsageError};
use crate::cache::{self, Cache};
use crate::cli::Cli;
use crate::config::{self, ProfileFiles};
use crate::fetch::{self, CachePolicy, Fetched};
use crate::resolve::{self, Overrides, Plan, ResolveError, Source, Step};
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
    let plan = resolve::plan(&set, &name, &overrides, env).map_err(|error| match error {
        ResolveError::UnknownProfile { .. } => {
            anyhow::anyhow!("{error} ({from}; {})", files_read(&files))
        }
        ResolveError::InvalidFlag { .. } => UsageError(error.to_string()).into(),
        other if from != NameFrom::CommandLine => {
            anyhow::Error::new(other).context(format!("profile '{name}' ({from})"))
        }
        other => other.into(),
    })?;
    log::debug(format_args!("plan for '{name}': {}", describe(&plan)));
    // Checked before any prompt or STS call: output nobody applies is not worth a code.
    destination.check()?;

    // Long-term keys need no STS call, so nothing to cache.
    let cache = if args.no_cache || plan.steps.is_empty() {
        None
    } else {
        open_cache(env)
    };
    let policy = CachePolicy {
        refresh_roles: args.refresh,
        refresh_mfa: args.refresh_mfa,
        margin: args.refresh_margin.map(|s| Duration::from_secs(s.into())),
    };
    let fetched = fetch::fetch(&plan, &mut code_source, cache.as_ref(), &policy)?;
    log::info(format_args!("{name}: {}", summary(&plan, &fetched)));
    Ok(Output::Shell(exports::assume(
        &plan.profile,
        &fetched.credentials,
        plan.region.as_deref(),
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

/// The cache, or none (with a warning) when its directory is unusable: a login never fails
/// because of the cache.
fn open_cache(env: Env<'_>) -> Option<Cache> {
    let dir = cache::default_dir(env)?;
    Cache::open(dir)
        .map_err(|error| log::warn(format_args!("{error}")))
        .ok()
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

/// The plan in one line for --debug: names and ARNs only.
fn describe(plan: &Plan) -> String {
    let mut parts = vec![match &plan.source {
        Source::Static { profile, .. } => format!("keys of '{profile}'"),
        Source::Environment { .. } => "keys from the environment".into(),
    }];
    for step in &plan.steps {
        parts.push(match step {
            Step::MfaSession {
                serial, duration, ..
            } => {
                format!("MFA session with {serial} for {duration} s")
            }
            Step::AssumeRole(role) => format!("assume {} as {}", role.role_arn, role.session_name),
        });
    }
    parts.join(" -> ")
}

/// "cached role credentials, valid until 13:07 (47 min)".
fn summary(plan: &Plan, fetched: &Fetched) -> String {
    let what = match plan.steps.last() {
        Some(Step::AssumeRole(_)) => "role credentials",
        Some(Step::MfaSession { .. }) => "MFA session",
        None => return "long-term keys, no expiry".into(),
    };
    let origin = if fetched.cached { "cached" } else { "new" };
    match fetched.credentials.expiration {
        Some(at) => format!("{origin} {what}, valid until {}", time::until(at)),
        None => format!("{origin} {what}"),
    }
}
