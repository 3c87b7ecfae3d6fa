//! Getting a profile's credentials, the same for every command that needs them (assume,
//! exec, credential-process): resolve the profile's chain, run the command's own checks,
//! then `vault::get`. Commands differ only in what they do with the result.

use std::path::Path;
use std::time::Duration;

use super::profiles::{self, NameFrom};
use super::{Env, UsageError};
use crate::cli::{RequestArgs, RoleArgs};
use crate::config::{self, ProfileFiles};
use crate::resolve::{self, AdHoc, Overrides, ResolveError};
use crate::sts::SessionScope;
use crate::vault::{self, CachePolicy, Chain, Fetched};
use crate::{log, mfa};

/// A profile's credentials and the chain that produced them.
pub struct Got {
    pub chain: Chain,
    pub fetched: Fetched,
}

/// The credentials of `given` (else `AWS_PROFILE`, …), shaped by the flags in `args`.
/// `before` runs once the profile resolved (with its chain) and before any prompt or call: a
/// check that would make the credentials useless belongs there, so it costs no MFA code.
pub fn get(
    given: Option<&str>,
    args: &RequestArgs,
    env: Env<'_>,
    before: impl FnOnce(&Chain) -> anyhow::Result<()>,
) -> anyhow::Result<Got> {
    get_for(given, args, env, before, Asked::Now)
}

/// As [`get`], for a renewal nobody asked for at that moment (the endpoint of `exec
/// --server` and `serve`): an MFA prompt first says `why`, and credentials still in the cache
/// are not announced, since a client may ask many times a minute.
pub fn renew(given: &str, args: &RequestArgs, env: Env<'_>, why: &str) -> anyhow::Result<Got> {
    get_for(Some(given), args, env, |_| Ok(()), Asked::Renewal(why))
}

/// Who wants the credentials: the user, now, or a client of the endpoint.
#[derive(Clone, Copy)]
enum Asked<'a> {
    Now,
    Renewal(&'a str),
}

fn get_for(
    given: Option<&str>,
    args: &RequestArgs,
    env: Env<'_>,
    before: impl FnOnce(&Chain) -> anyhow::Result<()>,
    asked: Asked<'_>,
) -> anyhow::Result<Got> {
    let flag_code = flag_code(args)?;
    let (files, set) = profiles::load(env)?;
    let (name, from) = profiles::choose(given, env);
    let chain =
        resolve::chain(&set, &name, &overrides(args), env).map_err(|error| match error {
            ResolveError::UnknownProfile { .. } => {
                anyhow::anyhow!("{error} ({from}; {})", files_read(&files))
            }
            ResolveError::InvalidFlag { .. } => UsageError(error.to_string()).into(),
            other if from != NameFrom::CommandLine => {
                anyhow::Error::new(other).context(format!("profile '{name}' ({from})"))
            }
            other => other.into(),
        })?;
    before(&chain)?;
    let mut code_source = flag_code.unwrap_or_else(|| code_command(&set, &name, env));
    match asked {
        Asked::Now => fetch(chain, &mut code_source, args, env, true),
        Asked::Renewal(why) => fetch(chain, &mut explained(code_source, why), args, env, false),
    }
}

/// `source`, saying `why` before it is asked for a code.
fn explained<'a>(mut source: mfa::CodeSource<'a>, why: &'a str) -> mfa::CodeSource<'a> {
    let again = source.can_ask_again();
    mfa::CodeSource::new(
        move |serial| {
            log::info(format_args!("{why}"));
            source.code(serial)
        },
        again,
    )
}

/// The credentials of an ad-hoc role (`--role-arn`), through the same cache and calls as a
/// profile's.
pub fn get_role(
    role: &RoleArgs,
    args: &RequestArgs,
    env: Env<'_>,
    before: impl FnOnce(&Chain) -> anyhow::Result<()>,
) -> anyhow::Result<Got> {
    let flag_code = flag_code(args)?;
    let (_, set) = profiles::load(env)?;
    let adhoc = AdHoc {
        role_arn: role.role_arn.clone().unwrap_or_default(),
        source_profile: role.source_profile.clone(),
        external_id: role.external_id.clone(),
        session_name: role.role_session_name.clone(),
        mfa_serial: role.mfa_serial.clone(),
        scope: SessionScope {
            tags: role.tags.clone().map(|tags| tags.0).unwrap_or_default(),
            policy: role
                .session_policy
                .as_deref()
                .map(session_policy)
                .transpose()?,
            policy_arns: role.session_policy_arns.clone(),
        },
    };
    let chain = resolve::adhoc_chain(&set, &adhoc, &overrides(args), env).map_err(
        |error| -> anyhow::Error {
            match error {
                ResolveError::InvalidFlag { .. } => UsageError(error.to_string()).into(),
                other => other.into(),
            }
        },
    )?;
    before(&chain)?;
    let source = role.source_profile.as_deref().unwrap_or_default();
    let mut code_source = flag_code.unwrap_or_else(|| code_command(&set, source, env));
    fetch(chain, &mut code_source, args, env, true)
}

/// `--session-policy`: the JSON itself, or `@FILE`.
fn session_policy(text: &str) -> anyhow::Result<String> {
    let Some(path) = text.strip_prefix('@') else {
        return Ok(text.to_owned());
    };
    crate::fs::read_text(Path::new(path), crate::fs::Contents::Policy)
        .map_err(|error| UsageError(format!("--session-policy: {error}")).into())
}

/// `--mfa-token`, checked up front: a malformed code fails before any file is read or STS
/// is called.
fn flag_code(args: &RequestArgs) -> Result<Option<mfa::CodeSource<'static>>, UsageError> {
    args.mfa_token
        .as_ref()
        .map(|code| {
            mfa::from_flag(code.expose())
                .map_err(|error| UsageError(format!("--mfa-token: {error}")))
        })
        .transpose()
}

/// Where a code comes from without `--mfa-token`: the profile's `mfa_process` (its own or
/// inherited along `source_profile`, like `mfa_serial`), else `RSUME_MFA_PROCESS`, else the
/// terminal. Nothing runs unless a code is needed.
fn code_command(set: &config::ProfileSet, name: &str, env: Env<'_>) -> mfa::CodeSource<'static> {
    let command = resolve::survey(set, name)
        .setting("mfa_process")
        .map(|inherited| inherited.value.to_owned())
        .or_else(|| env(MFA_PROCESS_VARIABLE).filter(|command| !command.trim().is_empty()));
    match command {
        Some(command) => mfa::from_process(command, crate::process::timeout(env)),
        None => mfa::from_terminal(),
    }
}

/// A default `mfa_process` for profiles that name none.
const MFA_PROCESS_VARIABLE: &str = "RSUME_MFA_PROCESS";

fn overrides(args: &RequestArgs) -> Overrides {
    Overrides {
        region: args.region.clone(),
        session_duration: args.session_duration,
        role_duration: args.role_duration,
        sts_timeout: args.sts_timeout,
    }
}

/// Runs the chain, through the cache as the flags allow; says what it got, unless
/// `announce_cached` is false and the cache had it.
fn fetch(
    chain: Chain,
    code_source: &mut mfa::CodeSource<'_>,
    args: &RequestArgs,
    env: Env<'_>,
    announce_cached: bool,
) -> anyhow::Result<Got> {
    let policy = CachePolicy {
        off: args.no_cache,
        refresh_roles: args.refresh,
        refresh_mfa: args.refresh_mfa,
        margin: args.refresh_margin.map(|s| Duration::from_secs(s.into())),
    };
    let fetched = vault::get(&chain, code_source, &policy, env)?;
    if announce_cached || !fetched.cached {
        log::info(format_args!(
            "{}: {}",
            chain.profile,
            chain.summary(&fetched)
        ));
    }
    Ok(Got { chain, fetched })
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
