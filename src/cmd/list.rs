//! `rsume -l`: the profiles as a table, or with `--json` as objects for scripts. Shows what a
//! run would use (an MFA device or region set on a source profile, marked as inherited) and
//! never a secret: only names, ARNs, regions and the like.

use std::borrow::Cow;

use clap::CommandFactory;
use serde::Serialize;

use super::{Env, Output, profiles};
use crate::cli::Cli;
use crate::config::{Profile, ProfileSet};
use crate::log;
use crate::resolve::{self, Inherited, Kind};

/// Every property rsume reads from a profile, except the keys themselves, and what a run
/// would use.
#[derive(Serialize)]
struct Row<'a> {
    name: &'a str,
    kind: Kind,
    /// Reached only with `rsume -p NAME`, since the bare word is a command.
    named_like_command: bool,
    source_profile: Option<&'a str>,
    credential_source: Option<&'a str>,
    role_arn: Option<&'a str>,
    mfa_serial: Option<&'a str>,
    external_id: Option<&'a str>,
    role_session_name: Option<&'a str>,
    duration_seconds: Option<&'a str>,
    region: Option<&'a str>,
    endpoint_url: Option<&'a str>,
    /// The MFA device a run would use, and the profile that names it.
    uses_mfa_serial: Option<Inherited<'a>>,
    /// The region a run would export, and the profile that names it.
    uses_region: Option<Inherited<'a>>,
    /// The account a run's credentials belong to, when the files name it (the role's ARN,
    /// the SSO account): what a run exports as AWS_ACCOUNT_ID.
    account_id: Option<String>,
    /// The variables a run of it reads for what the files leave open (the keys of
    /// `credential_source = Environment`, or the web identity variables).
    environment: &'static [&'static str],
    /// Why the walk from this profile fails (its kind is then `other`).
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

impl<'a> Row<'a> {
    /// The profile's settings, and what the walk a run takes makes of them.
    fn of(set: &'a ProfileSet, profile: &'a Profile, commands: &[String]) -> Self {
        let walk = resolve::survey(set, profile.name());
        Row {
            name: profile.name(),
            kind: walk.kind,
            named_like_command: commands.iter().any(|c| c == profile.name()),
            source_profile: profile.get("source_profile"),
            credential_source: profile.get("credential_source"),
            role_arn: profile.get("role_arn"),
            mfa_serial: profile.get("mfa_serial"),
            external_id: profile.get("external_id"),
            role_session_name: profile.get("role_session_name"),
            duration_seconds: profile.get("duration_seconds"),
            region: profile.get("region"),
            endpoint_url: profile.get("endpoint_url"),
            uses_mfa_serial: walk.setting("mfa_serial"),
            uses_region: walk.setting("region"),
            account_id: walk.account(),
            environment: walk.environment,
            error: walk.error.as_ref().map(ToString::to_string),
        }
    }
}

impl Serialize for Inherited<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Inherited", 2)?;
        s.serialize_field("value", self.value)?;
        s.serialize_field("from", self.from)?;
        s.end()
    }
}

pub fn run(env: Env<'_>, json: bool) -> anyhow::Result<Output> {
    let (files, set) = profiles::load(env)?;
    let commands = command_words();
    let rows: Vec<Row> = set
        .profiles()
        .map(|p| Row::of(&set, p, &commands))
        .collect();
    if rows.is_empty() {
        // An empty table would say nothing about why; the JSON stays a list for scripts.
        let why = profiles::nothing_to_use(&files);
        if json {
            log::info(format_args!("{why}"));
            return Ok(Output::Text("[]\n".into()));
        }
        return Ok(Output::Text(format!("{}\n", log::printable(&why))));
    }
    if json {
        let mut text = serde_json::to_string_pretty(&rows)?;
        text.push('\n');
        return Ok(Output::Text(text));
    }
    Ok(Output::Text(table(&rows)))
}

/// Every word that is a command, so a profile of that name needs `-p`.
pub(super) fn command_words() -> Vec<String> {
    Cli::command()
        .get_subcommands()
        .flat_map(|c| std::iter::once(c.get_name()).chain(c.get_all_aliases()))
        .chain(["help"])
        .map(str::to_owned)
        .collect()
}

fn table<'a>(rows: &[Row<'a>]) -> String {
    let header = ["PROFILE", "KIND", "SOURCE", "ROLE ARN", "MFA", "REGION"].map(Cow::from);
    let show = |value: Option<&'a str>| Cow::from(value.unwrap_or("-"));
    let used = |value: Option<Inherited<'a>>, name: &str| match value {
        Some(v) if v.from == name => Cow::from(v.value),
        // Joined rather than format!ted: a third of the rows of a large config inherit.
        Some(v) => Cow::from([v.value, " (from ", v.from, ")"].concat()),
        None => Cow::from("-"),
    };
    let cells = rows.iter().map(|row| {
        let name = if row.named_like_command {
            Cow::from([row.name, "*"].concat())
        } else {
            Cow::from(row.name)
        };
        [
            name,
            Cow::from(row.kind.name()),
            show(row.source_profile.or(row.credential_source)),
            show(row.role_arn),
            used(row.uses_mfa_serial, row.name),
            used(row.uses_region, row.name),
        ]
    });
    let mut text = super::table::table(&std::iter::once(header).chain(cells).collect::<Vec<_>>());
    if rows.iter().any(|row| row.named_like_command) {
        text.push_str("* named like a command: assume it with  rsume -p NAME\n");
    }
    let from_environment: Vec<&str> = rows
        .iter()
        .filter(|row| !row.environment.is_empty())
        .map(|row| row.name)
        .collect();
    if !from_environment.is_empty() {
        text.push_str(&format!(
            "depend on the environment (rsume -l --json names the variables): {}\n",
            log::printable(&from_environment.join(", "))
        ));
    }
    text
}
