//! `mfa_process` (or `RSUME_MFA_PROCESS`): a command whose stdout is the code, such as
//! `oathtool --totp -b SECRET` or `ykman oath accounts code -s NAME`. Run like
//! `credential_process`; its output is never shown.

use std::time::Duration;

use super::{CodeSource, MfaCode, MfaError};
use crate::process;

/// A YubiKey's OATH account may wait for a touch (`ykman oath accounts add --touch`); after
/// a second without an answer the person is told, as aws-vault does.
const TOUCH_NOTICE: Duration = Duration::from_secs(1);
const TOUCH_HINT: &str = ": touch your key if it blinks";

/// Runs `command` each time a code is needed. A rejected code is not asked again: the
/// command would print the same one until its device moves to the next.
pub fn from_process(command: String, timeout: Duration) -> CodeSource<'static> {
    CodeSource::new(
        move |_serial| {
            let stdout = process::run_telling(&command, timeout, TOUCH_NOTICE, TOUCH_HINT)
                .map_err(MfaError::Process)?;
            MfaCode::parse(&String::from_utf8_lossy(&stdout)).map_err(|_| MfaError::ProcessOutput)
        },
        false,
    )
}
