//! How to get the credentials: the flags every command that gets them shares.

use clap::Args;

use crate::credentials::Secret;

/// How to get the credentials: shared by every command that gets them.
#[derive(Clone, Debug, Args)]
#[command(next_help_heading = "Credentials")]
pub struct RequestArgs {
    /// The 6-digit MFA code, instead of asking on the terminal
    #[arg(long, global = true, value_name = "CODE",
          value_parser = |text: &str| Ok::<_, String>(Secret::new(text)))]
    pub mfa_token: Option<Secret>,

    /// Region to export (and to call STS in), instead of the profile's
    #[arg(long, global = true)]
    pub region: Option<String>,

    /// Length of a new MFA session: seconds, or with a unit (90m, 12h, 1d) [default: 12h]
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_duration)]
    pub session_duration: Option<u32>,

    /// Length of the role session for the profile's own role [default: the profile's
    /// duration_seconds, else 1h]
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_duration)]
    pub role_duration: Option<u32>,

    /// Give up on an STS attempt after this long (3 attempts at most) [default: 10s]
    #[arg(long, global = true, value_name = "DURATION", env = "RSUME_STS_TIMEOUT",
          value_parser = parse_duration)]
    pub sts_timeout: Option<u32>,

    /// Ignore cached role credentials (a cached MFA session is still used)
    #[arg(short, long, global = true)]
    pub refresh: bool,

    /// Ignore the cached MFA session too, and ask for a new code
    #[arg(long, global = true)]
    pub refresh_mfa: bool,

    /// Neither read nor write the credential cache
    #[arg(long, global = true, env = "RSUME_NO_CACHE",
          value_parser = clap::builder::FalseyValueParser::new())]
    pub no_cache: bool,

    /// Use a cached entry only while more than this is left [default: 15m for roles, 10m for
    /// MFA sessions]
    #[arg(long, global = true, value_name = "DURATION", env = "RSUME_REFRESH_MARGIN",
          value_parser = parse_duration)]
    pub refresh_margin: Option<u32>,
}

/// `3600`, `3600s`, `90m`, `12h` or `1d`, in seconds.
pub(super) fn parse_duration(text: &str) -> Result<u32, String> {
    const HINT: &str = "use seconds, or a number with s, m, h or d (for example 12h)";
    let (number, unit) = match text.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&text[..i], c),
        _ => (text, 's'),
    };
    let multiplier = match unit.to_ascii_lowercase() {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => return Err(HINT.into()),
    };
    number
        .parse::<u32>()
        .ok()
        .and_then(|n| n.checked_mul(multiplier))
        .ok_or_else(|| HINT.into())
}
