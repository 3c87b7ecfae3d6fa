//! `rsume -l`: the profiles as a table, or with `--json` as objects for scripts. Never shows
//! a secret: only names, ARNs, regions and the like.

use serde::Serialize;

use super::{Env, Output};
use crate::config::{self, Profile, ProfileFiles};
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
    let set = config::parse(&ProfileFiles::read(env)?)?;
    let rows: Vec<Row> = set.profiles().map(Row::of).collect();
    if json {
        let mut text = serde_json::to_string_pretty(&rows)?;
        text.push('\n');
        return Ok(Output::Text(text));
    }
    Ok(Output::Text(table(&rows)))
}

fn table(rows: &[Row]) -> String {
    const HEADER: [&str; 6] = ["PROFILE", "KIND", "SOURCE", "ROLE ARN", "MFA", "REGION"];
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|row| {
            let show = |value: Option<&str>| printable(value.unwrap_or("-"));
            [
                printable(row.name),
                kind_name(row.kind).to_owned(),
                show(row.source_profile.or(row.credential_source)),
                show(row.role_arn),
                show(row.mfa_serial),
                show(row.region),
            ]
        })
        .collect();
    let mut widths = HEADER.map(str::len);
    for row in &cells {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |fields: [&str; 6]| {
        let mut text = String::new();
        for (i, (field, width)) in fields.iter().zip(widths).enumerate() {
            if i + 1 == fields.len() {
                text.push_str(field);
            } else {
                text.push_str(&format!("{field:<width$}  "));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(HEADER);
    for row in &cells {
        line(row.each_ref().map(String::as_str));
    }
    out
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Static => "static",
        Kind::Mfa => "mfa",
        Kind::Role => "role",
        Kind::Source => "source",
        Kind::Other => "other",
    }
}

/// Control characters would break the table (or worse, drive the terminal): show them
/// escaped.
fn printable(value: &str) -> String {
    if value.chars().any(char::is_control) {
        value.escape_debug().to_string()
    } else {
        value.to_owned()
    }
}
