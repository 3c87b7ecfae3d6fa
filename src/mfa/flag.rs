//! The code given on the command line (`--mfa-token`), for scripts and CI.

use super::{CodeSource, MfaCode, MfaError};

/// Checks the code up front, so a typo fails before any STS call.
pub fn from_flag(text: &str) -> Result<CodeSource<'static>, MfaError> {
    let code = MfaCode::parse(text)?;
    Ok(CodeSource::new(move |_serial| Ok(code.clone()), false))
}
