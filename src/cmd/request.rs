//! Getting a profile's credentials, the same for every command that needs them (assume,
//! exec, credential-process): resolve the profile's chain, run the command's own checks,
//! then `vault::get`. Commands differ only in what they do with the result.

use std::time::Duration;

use super::profiles::{self, NameFrom};
use super::{Env, UsageError};
use crate::cli::RequestArgs;
use crate::config::{self, ProfileFiles};
use crate::resolve::{self, Overrides, ResolveError};
use crate::vault::{self, CachePolicy, Chain, Fetched};
use crate::{log, mfa};

/// A profile's credentials and the chain that produced them.
pub struct Got {
    pub chain: Chain,
    pub fetched: Fetched,
}

/// The credentials of `given` (else `AWS_PROFILE`, …), shaped by the flags in `args`.
/// `before` runs once the profile resolved and before any prompt or call: a check that
/// would make the credentials useless belongs there, so it costs no MFA code.
pub fn get(
    given: Option<&str>,
    args: &RequestArgs,
    env: Env<'_>,
    before: impl FnOnce() -> anyhow::Result<()>,
) -> anyhow::Result<Got> {
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
    before()?;

    let policy = CachePolicy {
        off: args.no_cache,
        refresh_roles: args.refresh,
        refresh_mfa: args.refresh_mfa,
        margin: args.refresh_margin.map(|s| Duration::from_secs(s.into())),
    };
    let fetched = vault::get(&chain, &mut code_source, &policy, env)?;
    log::info(format_args!("{name}: {}", chain.summary(&fetched)));
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
