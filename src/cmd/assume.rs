//! `rsume <profile>`: get the profile's credentials (as every command that needs them does)
//! and hand back the exports. Messages go to stderr; the exports are the only output.

use super::repeat::Repeat;
use super::{Destination, Env, Output, UsageError, output, profiles, request};
use crate::cli::{Cli, RequestArgs};
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
    let recorded = cli.repeat.then(|| Repeat::from_env(env)).transpose()?;
    let (given, args) = match &recorded {
        Some(recorded) => (Some(recorded.profile.as_str()), recorded.args(&cli.request)),
        None => (given, cli.request.clone()),
    };
    // Checked before any prompt or STS call: output nobody applies is not worth a code.
    let before = |_: &crate::vault::Chain| Ok(destination.check()?);
    let got = get(cli, given, &args, env, before)?;
    let credentials = &got.fetched.credentials;
    // The hook repeats a profile with its flags; an ad-hoc role has no name to repeat, so
    // it is not armed, and where the hook is loaded (`init --auto-refresh` exports the
    // marker) that is said.
    let repeat = match &cli.role.role_arn {
        None => Some(Repeat::of(&got.chain.profile, &args).encode()),
        Some(_) => {
            if let (Some(at), Some(_)) = (credentials.expiration, env("RSUME_PROMPT_HOOK")) {
                log::info(format_args!(
                    "{}: the prompt hook (init --auto-refresh) does not repeat an ad-hoc role (--role-arn), so it will not renew these; run this again before {}",
                    log::printable(&got.chain.profile),
                    time::rfc3339(at)
                ));
            }
            None
        }
    };
    Ok(Output::Shell(exports::assume(
        &got.chain.profile,
        credentials,
        got.chain.account.as_deref(),
        got.chain.region.as_deref(),
        repeat.as_deref(),
        env,
    )))
}

/// The credentials asked for: an ad-hoc role's, else the profile's.
fn get(
    cli: &Cli,
    given: Option<&str>,
    args: &RequestArgs,
    env: Env<'_>,
    before: impl FnOnce(&crate::vault::Chain) -> anyhow::Result<()>,
) -> anyhow::Result<request::Got> {
    match &cli.role.role_arn {
        Some(_) => request::get_role(&cli.role, args, env, before),
        None => request::get(given, args, env, before),
    }
}

/// `-o NAME`: the credentials go into the credentials file, and stdout stays empty (so the
/// wrapper evaluates nothing, and a terminal is no reason to refuse).
fn to_profile(name: &str, cli: &Cli, env: Env<'_>) -> anyhow::Result<Output> {
    let check = |chain: &crate::vault::Chain| {
        Ok(output::check_output_profile(name, chain, cli.force, env)?)
    };
    let given = cli.profile_flag.as_deref().or(cli.profile.as_deref());
    let got = get(cli, given, &cli.request, env, check)?;
    let credentials = &got.fetched.credentials;
    let region = got.chain.region.as_deref();
    let account = got.chain.account.as_deref();
    let path = output::write_credentials(name, credentials, account, region, cli.force, env)?;
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
/// with the credentials instead of guessing what was meant. Through the wrapper, assuming
/// is plain `rsume PROFILE`; without it, the shell's eval line.
fn after_profile(profile: &str, cli: &Cli, destination: &Destination<'_>) -> UsageError {
    let shell = destination.shell;
    let program = super::shown_words(shell, &cli.after_profile);
    let profile = shell.word(profile);
    let assume = match cli.output.wrapper {
        Some(_) => format!("rsume {profile}"),
        None => shell.eval_hint(&profile),
    };
    UsageError(format!(
        "rsume {profile} sets the credentials in this shell and runs no program; run  \
         rsume exec {profile} -- {program}  or assume the profile first ({assume}) and then run  {program}",
    ))
}
