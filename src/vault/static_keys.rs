//! Long-term keys written in a profile, used as they are.

use super::{Fetched, Identity, Provider, Run, VaultError};
use crate::cache::EntryKind;
use crate::credentials::Credentials;

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
        format!("keys of '{}'", self.profile)
    }

    fn kind(&self) -> Option<EntryKind> {
        None
    }

    fn retrieve(&self, _: &mut Run<'_, '_>) -> Result<Fetched, VaultError> {
        Ok(Fetched {
            credentials: self.credentials.clone(),
            cached: false,
        })
    }
}
