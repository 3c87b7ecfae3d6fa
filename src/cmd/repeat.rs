//! What the prompt hook of `rsume init --auto-refresh` runs again. A run whose credentials
//! expire exports `RSUME_REFRESH_ARGS`: its profile and the flags that shaped the result, in
//! a form rsume writes and parses back itself (JSON), so the hook runs `rsume --repeat` and
//! evaluates no text of its own.

use serde::{Deserialize, Serialize};

use super::Env;
use crate::cli::RequestArgs;

const VARIABLE: &str = "RSUME_REFRESH_ARGS";

/// A run the hook can repeat: the flags that change which credentials come back, or where
/// they are kept. Per-run choices (`--refresh`, `--debug`, timeouts) are the hook's own.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Repeat {
    pub profile: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    session_duration: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    role_duration: Option<u32>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    no_cache: bool,
}

/// `--repeat` with nothing (or something unreadable) to repeat.
#[derive(Debug, thiserror::Error)]
pub enum NoRepeat {
    #[error(
        "--repeat: {VARIABLE} is not set; it comes with credentials from  rsume PROFILE  that expire"
    )]
    Unset,
    #[error(
        "--repeat: {VARIABLE} is not a run rsume recorded ({0}); assume the profile again with  rsume PROFILE"
    )]
    Unreadable(serde_json::Error),
}

impl Repeat {
    /// The run of `profile` with `args`. A code from `--mfa-token` is not kept (it is a
    /// secret, and used once): the repeat uses the cached MFA session, or asks on the
    /// terminal when that has ended, as any run without the flag does.
    pub fn of(profile: &str, args: &RequestArgs) -> Self {
        Repeat {
            profile: profile.to_owned(),
            region: args.region.clone(),
            session_duration: args.session_duration,
            role_duration: args.role_duration,
            no_cache: args.no_cache,
        }
    }

    /// The value of `RSUME_REFRESH_ARGS`.
    pub fn encode(&self) -> String {
        serde_json::to_string(self).expect("strings and numbers always serialize")
    }

    /// The run the last assume in this shell recorded.
    pub fn from_env(env: Env<'_>) -> Result<Self, NoRepeat> {
        let text = env(VARIABLE).ok_or(NoRepeat::Unset)?;
        serde_json::from_str(&text).map_err(NoRepeat::Unreadable)
    }

    /// The recorded flags over the ones given now (which keep the rest: `--debug`,
    /// `--refresh`, timeouts).
    pub fn args(&self, now: &RequestArgs) -> RequestArgs {
        RequestArgs {
            region: self.region.clone(),
            session_duration: self.session_duration,
            role_duration: self.role_duration,
            no_cache: self.no_cache || now.no_cache,
            ..now.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn request(args: &[&str]) -> RequestArgs {
        crate::cli::Cli::try_parse_from(std::iter::once("rsume").chain(args.iter().copied()))
            .unwrap()
            .request
    }

    #[test]
    fn a_recorded_run_comes_back_with_its_flags() {
        let given = request(&[
            "--region",
            "us-west-2",
            "--role-duration",
            "2h",
            "--no-cache",
        ]);
        let repeat = Repeat::of("team admin's", &given);
        let text = repeat.encode();
        let back = Repeat::from_env(&|name| (name == VARIABLE).then(|| text.clone())).unwrap();
        assert_eq!(back, repeat);
        let args = back.args(&request(&["--debug", "--refresh"]));
        assert_eq!(args.region.as_deref(), Some("us-west-2"));
        assert_eq!(args.role_duration, Some(7200));
        assert!(args.no_cache && args.refresh);
    }

    #[test]
    fn a_flag_code_is_not_recorded() {
        let repeat = Repeat::of("admin", &request(&["--mfa-token", "975310"]));
        assert!(!repeat.encode().contains("975310"));
    }

    #[test]
    fn only_what_rsume_wrote_is_read_back() {
        for text in ["", "admin", r#"{"profile":"a","command":"touch x"}"#] {
            let owned = text.to_owned();
            assert!(
                Repeat::from_env(&|_| Some(owned.clone())).is_err(),
                "{text}"
            );
        }
        assert!(matches!(Repeat::from_env(&|_| None), Err(NoRepeat::Unset)));
    }
}
