//! `rsume -l`: the profiles as a table, or with `--json` as objects for scripts. Never shows
//! a secret: only names, ARNs, regions and the like.

use serde::Serialize;

use super::{Env, Output};
use crate::config::{self, Profile};
use crate::resolve::{self, Kind};

/// Every property rsume reads from a profile, except the keys themselves.
#[derive(Serialize)]
struct Row<'a> {
    name: &'a str,
    kind: Kind,
    source_profile: Option<&'a str>,
    credential_source: Option<&'a str>,
    role_arn: Option<&'a str>,
    mfa_serial: Option<&'a str>,
    external_id: Option<&'a str>,
    role_session_name: Option<&'a str>,
    duration_seconds: Option<&'a str>,
    region: Option<&'a str>,
    endpoint_url: Option<&'a str>,
}

impl<'a> Row<'a> {
    fn of(profile: &'a Profile) -> Self {
        Row {
            name: profile.name(),
            kind: resolve::kind(profile),
            source_profile: profile.get("source_profile"),
            credential_source: profile.get("credential_source"),
            role_arn: profile.get("role_arn"),
            mfa_serial: profile.get("mfa_serial"),
            external_id: profile.get("external_id"),
            role_session_name: profile.get("role_session_name"),
            duration_seconds: profile.get("duration_seconds"),
            region: profile.get("region"),
            endpoint_url: profile.get("endpoint_url"),
        }
    }
}

pub fn run(env: Env<'_>, json: bool) -> anyhow::Result<Output> {
    let (_, set) = config::load(env)?;
    let rows: Vec<Row> = set.profiles().map(Row::of).collect();
    if json {
        let mut text = serde_json::to_string_pretty(&rows)?;
        text.push('\n');
        return Ok(Output::Text(text));
    }
    Ok(Output::Text(table(&rows)))
}

fn table(rows: &[Row]) -> String {
    let header = ["PROFILE", "KIND", "SOURCE", "ROLE ARN", "MFA", "REGION"].map(String::from);
    let show = |value: Option<&str>| value.unwrap_or("-").to_owned();
    let cells = rows.iter().map(|row| {
        [
            row.name.to_owned(),
            row.kind.name().to_owned(),
            show(row.source_profile.or(row.credential_source)),
            show(row.role_arn),
            show(row.mfa_serial),
            show(row.region),
        ]
    });
    super::table::table(&std::iter::once(header).chain(cells).collect::<Vec<_>>())
}
