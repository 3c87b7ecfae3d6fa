//! Keys known before anything runs, used as they are: written in a profile (an IAM user's
//! long-term keys, or temporary ones another run wrote there with `rsume -o`, saml2aws or
//! aws-mfa, which hold until the expiry written beside them) or in the `AWS_*` variables
//! (`credential_source = Environment`). Whether they are long-term is the keys' own answer
//! (a session token makes them temporary), wherever they came from.

use super::{Fetched, Identity, Provider, Run, VaultError};
use crate::cache::EntryKind;
use crate::credentials::Credentials;
use crate::time;

#[derive(Debug)]
pub struct StaticKeys {
    /// The profile that holds them; `None` for the `AWS_*` variables.
    pub profile: Option<String>,
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
        match &self.profile {
            Some(profile) => format!("{what} of '{profile}'"),
            None => "keys from the environment".into(),
        }
    }

    fn kind(&self) -> Option<EntryKind> {
        None
    }

    /// Temporary keys past the expiry written beside them in a profile are refused here,
    /// before STS would refuse them less clearly (or a tool downstream would get keys that
    /// fail at once). The variables carry no expiry rsume reads.
    fn retrieve(&self, _: &mut Run<'_, '_>) -> Result<Fetched, VaultError> {
        let expired = self
            .credentials
            .expiration
            .filter(|at| time::seconds_left(*at) <= 0);
        if let (Some(profile), Some(at)) = (&self.profile, expired) {
            return Err(VaultError::KeysExpired {
                profile: profile.clone(),
                at: time::rfc3339(at),
            });
        }
        Ok(Fetched {
            credentials: self.credentials.clone(),
            cached: false,
        })
    }
}
