//! `rsume status [--verify] [--json]`: what this shell holds, read from the variables rsume
//! exported and from the cache, with no STS call and no prompt (`--verify` makes one
//! GetCallerIdentity). The exit status says whether the credentials are live: 0 live, 1
//! expired or none, so prompts and scripts can branch on it.

use std::time::SystemTime;

use serde::Serialize;

use super::{Env, Output, output, profiles, report};
use crate::cache::Cache;
use crate::credentials::{Credentials, Secret};
use crate::resolve::{self, Overrides, Plan};
use crate::sts::{CallerIdentity, Sts, StsError};
use crate::{log, time};

/// What `status` found, as `--json` prints it.
#[derive(Debug, Default, Serialize)]
struct Status {
    profile: Option<String>,
    live: bool,
    /// The role ARN the profile assumes, from the files (or STS's answer with `--verify`).
    arn: Option<String>,
    account: Option<String>,
    /// The SSO role's name, when the chain ends at an SSO role.
    sso_role: Option<String>,
    /// `--auto-refresh`: the profile in AWS_PROFILE whose credential_process asks rsume.
    auto_refresh: Option<String>,
    /// The credentials' expiry; with `--auto-refresh`, the MFA session's.
    expiration: Option<String>,
    #[serde(skip)]
    expires_at: Option<SystemTime>,
    seconds_left: Option<i64>,
    mfa_session: Option<MfaSession>,
    /// `--verify`: whether STS accepted the credentials.
    verified: Option<bool>,
    problem: Option<String>,
}

/// The cached MFA session behind a profile, shown when it has ended too (`seconds_left` is
/// then negative), so status can say when.
#[derive(Debug, Serialize)]
pub(super) struct MfaSession {
    pub device: String,
    pub expiration: String,
    #[serde(skip)]
    pub expires_at: SystemTime,
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
    let set = profiles::load(env).ok().map(|(_, set)| set);
    let plan = set
        .as_ref()
        .and_then(|set| resolve::plan(set, &profile, &Overrides::default(), env).ok());
    if let Some(plan) = &plan {
        identify(&mut status, plan);
    }
    let keys = var("AWS_ACCESS_KEY_ID").is_some();
    status.auto_refresh = output::refresh_profile_name(&profile)
        .ok()
        .filter(|name| !keys && var("AWS_PROFILE").as_ref() == Some(name));
    if let Some(name) = status.auto_refresh.clone() {
        let written = set.as_ref().is_some_and(|set| set.profile(&name).is_some());
        refreshing(&mut status, &name, written, plan, env);
        return status;
    }
    let expiration = var("AWS_CREDENTIAL_EXPIRATION").and_then(|t| time::parse_rfc3339(&t));
    status.expiration = expiration.map(time::rfc3339);
    status.expires_at = expiration;
    status.seconds_left = expiration.map(time::seconds_left);
    status.live = keys && status.seconds_left.is_none_or(|s| s > 0);
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

/// Who the credentials are, as far as the files tell (`--verify` fills in what only AWS
/// knows, such as an SSO role's ARN).
fn identify(status: &mut Status, plan: &Plan) {
    let destination = plan.destination();
    status.arn = destination.role_arn.map(str::to_owned);
    status.account = destination.account;
    status.sso_role = destination.sso_role.map(str::to_owned);
}

/// `--auto-refresh`: no keys in the shell, and tools ask rsume through `AWS_PROFILE`'s
/// credential_process, which works without a code for as long as the MFA session lasts.
fn refreshing(status: &mut Status, name: &str, written: bool, plan: Option<Plan>, env: Env<'_>) {
    let profile = status.profile.clone().unwrap_or_default();
    let again = || {
        let shell = crate::shell::detect(env).shell();
        format!("rsume {} --auto-refresh", shell.word(&profile))
    };
    let Some(plan) = plan.filter(|_| written) else {
        status.problem = Some(if written {
            format!(
                "AWS_PROFILE={name} asks rsume for profile '{profile}', which no longer resolves; run  rsume doctor {profile}"
            )
        } else {
            format!(
                "AWS_PROFILE={name} but the config file has no such profile; run  {}",
                again()
            )
        });
        return;
    };
    let needs_session = plan.mfa_session().is_some();
    status.mfa_session = cached_mfa_session(plan, env);
    match &status.mfa_session {
        Some(session) if session.seconds_left > 0 => {
            status.live = true;
            status.expires_at = Some(session.expires_at);
            status.expiration = Some(session.expiration.clone());
            status.seconds_left = Some(session.seconds_left);
        }
        _ if !needs_session => status.live = true,
        _ => {
            status.problem = Some(format!(
                "the MFA session has ended, so the next AWS call asks for a code; run  {}  to enter it now",
                again()
            ))
        }
    }
}

/// GetCallerIdentity with the credentials in the environment.
fn check_with_sts(status: &mut Status, profile: &str, sts: &crate::sts::StsTarget, env: Env<'_>) {
    let credentials = Credentials {
        access_key_id: env("AWS_ACCESS_KEY_ID").unwrap_or_default(),
        secret_access_key: Secret::new(env("AWS_SECRET_ACCESS_KEY").unwrap_or_default()),
        // Long-term keys have none: an empty token would be sent, and refused.
        session_token: env("AWS_SESSION_TOKEN")
            .filter(|token| !token.is_empty())
            .map(Secret::new),
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

/// The cached MFA session a plan would use, live or expired, found by its cache key: no STS
/// call, no prompt, and the cache directory is only read (never created).
pub(super) fn cached_mfa_session(plan: Plan, env: Env<'_>) -> Option<MfaSession> {
    let key = plan.mfa_session_key()?;
    let dir = crate::cache::default_dir(env).filter(|dir| dir.is_dir())?;
    let (about, _) = Cache::open(dir).ok()?.load(&key).ok()??;
    Some(MfaSession {
        device: about.subject,
        expiration: time::rfc3339(about.expiration),
        expires_at: about.expiration,
        seconds_left: time::seconds_left(about.expiration),
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
    let account = status
        .account
        .as_deref()
        .map(|a| format!(" (account {a})"))
        .unwrap_or_default();
    let checked = match status.verified {
        Some(true) => ", confirmed by STS",
        _ => "",
    };
    match (&status.arn, &status.sso_role) {
        (Some(arn), _) => line("identity", format!("{arn}{account}{checked}")),
        (None, Some(role)) => line("identity", format!("SSO role {role}{account}")),
        (None, None) => {}
    }
    if let Some(name) = &status.auto_refresh {
        line(
            "refresh",
            format!("AWS_PROFILE={name}: tools get fresh credentials from rsume (--auto-refresh)"),
        );
    }
    match (&status.expires_at, status.seconds_left) {
        (Some(at), left) if left > Some(0) => line("expires", time::until(*at)),
        (Some(at), _) => line("expired", time::rfc3339(*at)),
        (None, _) if status.auto_refresh.is_some() => {}
        (None, _) if status.profile.is_some() => line("expires", "never (long-term keys)".into()),
        (None, _) => {}
    }
    if status.profile.is_some() {
        line(
            "MFA session",
            match &status.mfa_session {
                Some(s) if s.seconds_left > 0 => {
                    format!("{} cached, {} left", s.device, time::left(s.expires_at))
                }
                Some(s) => format!("{} expired at {}", s.device, s.expiration),
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
