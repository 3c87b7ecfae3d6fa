//! The checks only AWS can answer, with the long-term keys the chain starts from: the local
//! clock against STS's `Date` header, who the keys belong to (GetCallerIdentity) and whether
//! they may call GetSessionToken. Two calls, no MFA code, nothing cached.

use super::Check;
use crate::resolve::{Plan, RootKeys};
use crate::sts::{CLOCK_NOISE_SECONDS, CallerIdentity, Sts, StsCalls, StsError};

/// TOTP codes change every 30 s and AWS accepts about one step either way.
const SKEW_LIMIT_SECONDS: i64 = 30;
/// The shortest session STS gives: the least a probe can ask for.
const PROBE_SECONDS: u32 = 900;

pub(super) fn check(plan: &Plan, checks: &mut Vec<Check>) {
    let sts = match Sts::new(&plan.sts) {
        Ok(sts) => sts,
        Err(error) => {
            checks.push(Check::fail("STS", error.to_string(), "see the message"));
            return;
        }
    };
    let Some(keys) = plan.root_keys() else {
        checks.push(Check::skip(
            "identity",
            "the chain starts from credentials that are fetched (a process or a service), not keys in a file",
        ));
        return;
    };
    let identity = sts.caller_identity(keys.credentials);
    checks.push(clock(sts.clock_offset(), identity.as_ref().err()));
    let accepted = identity.is_ok();
    checks.push(identity_check(keys, identity));
    checks.push(if plan.mfa_session().is_none() {
        Check::skip(
            "GetSessionToken",
            "not needed: this chain has no MFA session",
        )
    } else if !accepted {
        Check::skip("GetSessionToken", "needs keys that STS accepts")
    } else {
        session_token(&sts, keys)
    });
}

fn clock(offset: Option<i64>, failure: Option<&StsError>) -> Check {
    const CHECK: &str = "clock";
    let Some(offset) = offset else {
        return Check::skip(
            CHECK,
            match failure {
                Some(error) => format!("not measured: {error}"),
                None => "not measured: STS's reply had no Date header".into(),
            },
        );
    };
    let measured = match crate::sts::describe_offset(offset) {
        Some(text) => text,
        None => format!("this computer's clock agrees with AWS's (within {CLOCK_NOISE_SECONDS} s)"),
    };
    if offset.abs() <= SKEW_LIMIT_SECONDS {
        Check::pass(CHECK, measured)
    } else {
        Check::fail(
            CHECK,
            format!("{measured}; MFA codes fail beyond about {SKEW_LIMIT_SECONDS} s of skew"),
            "set the clock from the network (for example  timedatectl set-ntp true), and check the MFA device's clock too",
        )
    }
}

fn identity_check(keys: RootKeys<'_>, identity: Result<CallerIdentity, StsError>) -> Check {
    const CHECK: &str = "identity";
    let whose = keys.whose();
    match identity {
        Ok(CallerIdentity { arn, account, .. }) => Check::pass(
            CHECK,
            format!("{whose} belong to {arn} (account {account})"),
        ),
        Err(error @ StsError::InvalidKeys { .. }) => Check::fail(
            CHECK,
            format!("STS refused {whose}: {error}"),
            "copy the access key id and secret again, or create new keys in IAM (Security credentials) and put them in the profile",
        ),
        Err(error @ StsError::ExpiredToken) => Check::fail(
            CHECK,
            format!("STS refused {whose}: {error}"),
            "these are temporary keys that expired; get new ones before running rsume",
        ),
        Err(error) => Check::fail(
            CHECK,
            format!("GetCallerIdentity failed: {error}"),
            "see the message; `rsume --debug doctor` shows the call",
        ),
    }
}

/// GetSessionToken without a code, for the shortest session; the credentials are dropped.
fn session_token(sts: &Sts, keys: RootKeys<'_>) -> Check {
    const CHECK: &str = "GetSessionToken";
    match sts.session_token(keys.credentials, PROBE_SECONDS, None) {
        Ok(_discarded) => Check::pass(
            CHECK,
            "the keys may call sts:GetSessionToken (tried without an MFA code; the session was discarded)",
        ),
        Err(StsError::AccessDenied(message)) => Check::fail(
            CHECK,
            format!("STS denied GetSessionToken without an MFA code: {message}"),
            "allow sts:GetSessionToken for this user without an MFA condition (AWS's usual \"require MFA\" policy exempts it); if your policy denies it without MFA on purpose, rsume's call with a code may still work",
        ),
        Err(error) => Check::fail(
            CHECK,
            format!("GetSessionToken failed: {error}"),
            "see the message; `rsume --debug doctor` shows the call",
        ),
    }
}
