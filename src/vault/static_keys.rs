//! Keys written in a profile, used as they are: an IAM user's long-term keys, or temporary
//! ones another run wrote there (`rsume -o`, saml2aws, aws-mfa), which hold until the
//! expiry written beside them.

use super::{Fetched, Identity, Provider, Run, VaultError};
use crate::cache::EntryKind;
use crate::credentials::Credentials;
use crate::time;

#[derive(Debug)]
pub struct StaticKeys {
    /// The profile that holds them.
    pub profile: String,
    pub credentials: Credentials,
}

impl Provider for StaticKeys {
    /// The access key id: it is in the file, and it tells two users apart.
    fn identity(&self) -> Identity {
        Identity::access_key(&self.credentials.access_key_id)
    }

    fn describe(&self) -> String {
        let what = if self.credentials.is_long_term() {
            "keys"
        } else {
            "temporary keys"
        };
        format!("{what} of '{}'", self.profile)
    }

    fn kind(&self) -> Option<EntryKind> {
        None
    }

    /// Temporary keys past their written expiry are refused here, before STS would refuse
    /// them less clearly (or a tool downstream would get keys that fail at once).
    fn retrieve(&self, _: &mut Run<'_, '_>) -> Result<Fetched, VaultError> {
        if let Some(at) = self
            .credentials
            .expiration
            .filter(|at| time::seconds_left(*at) <= 0)
        {
            return Err(VaultError::KeysExpired {
                profile: self.profile.clone(),
                at: time::rfc3339(at),
            });
        }
        Ok(Fetched {
            credentials: self.credentials.clone(),
            cached: false,
        })
    }
}
