//! `rsume status [--verify] [--json]`: what this shell holds, read from the variables rsume
//! exported and from the cache, with no STS call and no prompt (`--verify` makes one
//! GetCallerIdentity). The exit status says whether the credentials are live: 0 live, 1
//! expired or none, so prompts and scripts can branch on it.

use std::time::SystemTime;

use serde::Serialize;

use super::{Env, Output, profiles, report};
use crate::cache::Cache;
use crate::credentials::{Credentials, Secret};
use crate::resolve::{self, Overrides, Plan, Step};
use crate::sts::{CallerIdentity, Sts, StsError};
use crate::vault::{Fetch, SessionToken};
use crate::{log, time};

/// What `status` found, as `--json` prints it.
#[derive(Debug, Default, Serialize)]
struct Status {
    profile: Option<String>,
    live: bool,
    /// The role ARN the profile assumes, from the files (or STS's answer with `--verify`).
    arn: Option<String>,
    account: Option<String>,
    expiration: Option<String>,
    #[serde(skip)]
    expires_at: Option<SystemTime>,
    seconds_left: Option<i64>,
    mfa_session: Option<MfaSession>,
    /// `--verify`: whether STS accepted the credentials.
    verified: Option<bool>,
    problem: Option<String>,
}

/// The cached MFA session behind a profile.
#[derive(Debug, Serialize)]
pub(super) struct MfaSession {
    pub device: String,
    pub expiration: String,
    pub seconds_left: i64,
}

pub fn run(verify: bool, json: bool, env: Env<'_>) -> anyhow::Result<Output> {
    let status = inspect(verify, env);
    let text = if json {
        serde_json::to_string_pretty(&status)? + "\n"
    } else {
        describe(&status)
    };
    report(&text, if status.live { 0 } else { 1 })
}

fn inspect(verify: bool, env: Env<'_>) -> Status {
    let var = |name| env(name).filter(|v: &String| !v.is_empty());
    let mut status = Status {
        profile: var("RSUME_PROFILE"),
        ..Status::default()
    };
    let Some(profile) = status.profile.clone() else {
        status.problem =
            Some("no rsume profile is active in this shell; run  rsume PROFILE  to get one".into());
        return status;
    };
    let expiration = var("AWS_CREDENTIAL_EXPIRATION").and_then(|t| time::parse_rfc3339(&t));
    status.expiration = expiration.map(time::rfc3339);
    status.expires_at = expiration;
    status.seconds_left = expiration.map(time::seconds_left);
    status.live = var("AWS_ACCESS_KEY_ID").is_some() && status.seconds_left.is_none_or(|s| s > 0);
    let plan = profiles::load(env)
        .ok()
        .and_then(|(_, set)| resolve::plan(&set, &profile, &Overrides::default(), env).ok());
    if let Some(plan) = &plan {
        status.arn = plan.steps.iter().rev().find_map(|step| match step {
            Step::AssumeRole(role) => Some(role.role_arn.clone()),
            Step::MfaSession(_) => None,
        });
        status.account = status.arn.as_deref().and_then(account_of);
    }
    if !status.live {
        status.problem = Some(expired(&profile, env));
    }
    if let Some(plan) = plan {
        let sts = plan.sts.clone();
        status.mfa_session = cached_mfa_session(plan, env);
        if verify && status.live {
            check_with_sts(&mut status, &profile, &sts, env);
        }
    } else if verify {
        status.problem = Some(format!(
            "profile '{profile}' no longer resolves, so rsume cannot tell which STS to ask; run  rsume doctor {profile}"
        ));
    }
    status
}

/// GetCallerIdentity with the credentials in the environment.
fn check_with_sts(status: &mut Status, profile: &str, sts: &crate::sts::StsTarget, env: Env<'_>) {
    let credentials = Credentials {
        access_key_id: env("AWS_ACCESS_KEY_ID").unwrap_or_default(),
        secret_access_key: Secret::new(env("AWS_SECRET_ACCESS_KEY").unwrap_or_default()),
        session_token: env("AWS_SESSION_TOKEN").map(Secret::new),
        expiration: None,
    };
    let answer = Sts::new(sts).and_then(|sts| sts.caller_identity(&credentials));
    match answer {
        Ok(CallerIdentity { arn, account, .. }) => {
            status.arn = Some(arn);
            status.account = Some(account);
            status.verified = Some(true);
        }
        Err(error @ (StsError::ExpiredToken | StsError::InvalidKeys { .. })) => {
            log::debug(format_args!("GetCallerIdentity: {error}"));
            status.live = false;
            status.verified = Some(false);
            status.problem = Some(expired(profile, env));
        }
        Err(error) => {
            status.live = false;
            status.problem = Some(format!("could not verify the credentials: {error}"));
        }
    }
}

fn expired(profile: &str, env: Env<'_>) -> String {
    let shell = crate::shell::detect(env).shell();
    format!("expired: run  rsume {}", shell.word(profile))
}

/// The account in an ARN (`arn:aws:iam::123456789012:role/x`).
pub(super) fn account_of(arn: &str) -> Option<String> {
    let account = arn.split(':').nth(4)?;
    (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())).then(|| account.to_owned())
}

/// The cached MFA session a plan would use, found by its cache key: no STS call, no prompt,
/// and the cache directory is only read (never created).
pub(super) fn cached_mfa_session(plan: Plan, env: Env<'_>) -> Option<MfaSession> {
    let endpoint = plan.sts.endpoint.as_deref().unwrap_or("").to_owned();
    let session = plan.steps.into_iter().find_map(|step| match step {
        Step::MfaSession(session) => Some(session),
        Step::AssumeRole(_) => None,
    })?;
    let source = plan.source.into_provider(&endpoint);
    let fetch = SessionToken {
        session,
        endpoint,
        source,
    };
    let dir = crate::cache::default_dir(env).filter(|dir| dir.is_dir())?;
    let (about, _) = Cache::open(dir).ok()?.load(&fetch.key()).ok()??;
    let seconds_left = time::seconds_left(about.expiration);
    (seconds_left > 0).then(|| MfaSession {
        device: about.subject,
        expiration: time::rfc3339(about.expiration),
        seconds_left,
    })
}

/// The report for a person.
fn describe(status: &Status) -> String {
    let mut lines = Vec::new();
    let mut line = |label: &str, value: String| {
        lines.push(format!("{label:<12}{}", log::printable(&value)));
    };
    if let Some(profile) = &status.profile {
        line("profile", profile.clone());
    }
    if let Some(arn) = &status.arn {
        let account = status
            .account
            .as_deref()
            .map(|a| format!(" (account {a})"))
            .unwrap_or_default();
        let checked = match status.verified {
            Some(true) => ", confirmed by STS",
            _ => "",
        };
        line("identity", format!("{arn}{account}{checked}"));
    }
    match (&status.expires_at, status.seconds_left) {
        (Some(at), left) if left > Some(0) => line("expires", time::until(*at)),
        (Some(at), _) => line("expired", time::rfc3339(*at)),
        (None, _) if status.profile.is_some() => line("expires", "never (long-term keys)".into()),
        (None, _) => {}
    }
    if status.profile.is_some() {
        line(
            "MFA session",
            match &status.mfa_session {
                Some(s) => format!("{} cached, {} left", s.device, left_text(s.seconds_left)),
                None => "none cached".into(),
            },
        );
    }
    if let Some(problem) = &status.problem {
        line(if status.live { "note" } else { "status" }, problem.clone());
    } else {
        line("status", "live".into());
    }
    lines.join("\n") + "\n"
}

fn left_text(seconds: i64) -> String {
    time::left(SystemTime::now() + std::time::Duration::from_secs(seconds.max(0) as u64))
}
