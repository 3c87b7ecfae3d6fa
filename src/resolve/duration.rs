//! How long credentials are asked for: `duration_seconds`, `--role-duration` and
//! `--session-duration`, checked against the ranges STS accepts.

use super::{Overrides, ResolveError};
use crate::config::Profile;
use crate::vault::{ROLE_DURATION_RANGE, SESSION_DURATION_DEFAULT, SESSION_DURATION_RANGE};

/// A role profile's `duration_seconds`, if it sets one.
pub(super) fn role_duration(profile: &Profile) -> Result<Option<u32>, ResolveError> {
    profile
        .get("duration_seconds")
        .map(|text| {
            let seconds = parse_seconds(text, profile, "duration_seconds")?;
            check_duration(
                seconds,
                ROLE_DURATION_RANGE,
                "duration_seconds",
                Some(profile),
            )
        })
        .transpose()
}

/// The MFA session's length: `--session-duration`, else the `duration_seconds` of the user
/// profile that holds the keys (the one making the call), else 12 hours.
pub(super) fn session_duration(
    overrides: &Overrides,
    user: Option<&Profile>,
) -> Result<u32, ResolveError> {
    if let Some(seconds) = overrides.session_duration {
        return check_duration(seconds, SESSION_DURATION_RANGE, "--session-duration", None);
    }
    let Some(user) = user.filter(|u| u.get("role_arn").is_none()) else {
        return Ok(SESSION_DURATION_DEFAULT);
    };
    match user.get("duration_seconds") {
        Some(text) => {
            let seconds = parse_seconds(text, user, "duration_seconds")?;
            check_duration(
                seconds,
                SESSION_DURATION_RANGE,
                "duration_seconds",
                Some(user),
            )
        }
        None => Ok(SESSION_DURATION_DEFAULT),
    }
}

fn parse_seconds(text: &str, profile: &Profile, key: &'static str) -> Result<u32, ResolveError> {
    text.parse().map_err(|_| ResolveError::InvalidValue {
        profile: profile.name().into(),
        key,
        location: profile.location(key),
        expected: "a whole number of seconds".into(),
    })
}

pub(super) fn check_duration(
    seconds: u32,
    (min, max): (u32, u32),
    key: &'static str,
    profile: Option<&Profile>,
) -> Result<u32, ResolveError> {
    if (min..=max).contains(&seconds) {
        return Ok(seconds);
    }
    let expected = format!("between {min} and {max} seconds");
    Err(match profile {
        Some(profile) => ResolveError::InvalidValue {
            profile: profile.name().into(),
            key,
            location: profile.location(key),
            expected,
        },
        None => ResolveError::InvalidFlag {
            flag: key,
            expected,
        },
    })
}
