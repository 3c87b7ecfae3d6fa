//! `rsume <profile>`: get the profile's credentials (as every command that needs them does)
//! and hand back the exports. Messages go to stderr; the exports are the only output.

use super::{Destination, Env, Output, UsageError, request};
use crate::cli::Cli;
use crate::exports;

pub fn run(cli: &Cli, destination: &Destination<'_>, env: Env<'_>) -> anyhow::Result<Output> {
    let given = cli.profile_flag.as_deref().or(cli.profile.as_deref());
    if !cli.after_profile.is_empty() {
        return Err(after_profile(given.unwrap_or_default(), cli, destination).into());
    }
    // Checked before any prompt or STS call: output nobody applies is not worth a code.
    let got = request::get(given, &cli.request, env, || Ok(destination.check()?))?;
    Ok(Output::Shell(exports::assume(
        &got.chain.profile,
        &got.fetched.credentials,
        got.chain.region.as_deref(),
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
