//! `rsume <profile>`: get the profile's credentials (as every command that needs them does)
//! and hand back the exports. Messages go to stderr; the exports are the only output.

use super::{Destination, Env, Output, UsageError, output, profiles, request};
use crate::cli::Cli;
use crate::config::FileKind;
use crate::{exports, log, time};

pub fn run(cli: &Cli, destination: &Destination<'_>, env: Env<'_>) -> anyhow::Result<Output> {
    let given = cli.profile_flag.as_deref().or(cli.profile.as_deref());
    if !cli.after_profile.is_empty() {
        return Err(after_profile(given.unwrap_or_default(), cli, destination).into());
    }
    if let Some(name) = &cli.output_profile {
        return to_profile(name, cli, env);
    }
    if cli.auto_refresh {
        return auto_refresh(given, cli, destination, env);
    }
    // Checked before any prompt or STS call: output nobody applies is not worth a code.
    let got = get(cli, env, |_| Ok(destination.check()?))?;
    Ok(Output::Shell(exports::assume(
        &got.chain.profile,
        &got.fetched.credentials,
        got.chain.region.as_deref(),
        env,
    )))
}

/// The credentials asked for: an ad-hoc role's, else the profile's.
fn get(
    cli: &Cli,
    env: Env<'_>,
    before: impl FnOnce(&crate::vault::Chain) -> anyhow::Result<()>,
) -> anyhow::Result<request::Got> {
    match &cli.role.role_arn {
        Some(_) => request::get_role(&cli.role, &cli.request, env, before),
        None => {
            let given = cli.profile_flag.as_deref().or(cli.profile.as_deref());
            request::get(given, &cli.request, env, before)
        }
    }
}

/// `-o NAME`: the credentials go into the credentials file, and stdout stays empty (so the
/// wrapper evaluates nothing, and a terminal is no reason to refuse).
fn to_profile(name: &str, cli: &Cli, env: Env<'_>) -> anyhow::Result<Output> {
    let check = |chain: &crate::vault::Chain| {
        Ok(output::check_output_profile(name, chain, cli.force, env)?)
    };
    let got = get(cli, env, check)?;
    let credentials = &got.fetched.credentials;
    let region = got.chain.region.as_deref();
    let path = output::write_credentials(name, credentials, region, cli.force, env)?;
    let until = credentials
        .expiration
        .map(|at| format!(", valid until {}", time::rfc3339(at)))
        .unwrap_or_default();
    log::info(format_args!(
        "wrote profile {name} into {}{until}; use it with  --profile {name}  or  AWS_PROFILE={name}",
        path.display()
    ));
    Ok(Output::Shell(Vec::new()))
}

/// `--auto-refresh`: gets the credentials once (so the MFA session is cached, asking for a
/// code now), writes `[profile rsume-PROFILE]` whose credential_process asks rsume again,
/// and exports AWS_PROFILE naming it instead of keys.
fn auto_refresh(
    given: Option<&str>,
    cli: &Cli,
    destination: &Destination<'_>,
    env: Env<'_>,
) -> anyhow::Result<Output> {
    let (profile, _) = profiles::choose(given, env);
    let name = output::refresh_profile_name(&profile)?;
    let check = |_: &crate::vault::Chain| {
        destination.check()?;
        Ok(output::check_writable(
            FileKind::Config,
            &name,
            cli.force,
            env,
        )?)
    };
    let got = request::get(given, &cli.request, env, check)?;
    let region = got.chain.region.as_deref();
    let name = output::write_refresh_profile(&got.chain.profile, region, cli.force, env)?;
    log::info(format_args!(
        "AWS_PROFILE={name}: tools get fresh credentials from rsume while the MFA session lasts; rsume --unset stops it"
    ));
    Ok(Output::Shell(exports::refreshing(
        &got.chain.profile,
        &name,
        region,
        env,
    )))
}

/// `rsume admin aws s3 ls`: rsume sets variables in this shell, so say how to run a program
/// with the credentials instead of guessing what was meant.
fn after_profile(profile: &str, cli: &Cli, destination: &Destination<'_>) -> UsageError {
    let shell = destination.shell;
    let program = super::shown_words(shell, &cli.after_profile);
    let profile = shell.word(profile);
    UsageError(format!(
        "rsume {profile} sets the credentials in this shell and runs no program; run  \
         rsume exec {profile} -- {program}  or assume the profile first ({}) and then run  {program}",
        shell.eval_hint(&profile),
    ))
}
