//! `credential_source = Environment`: keys from `AWS_ACCESS_KEY_ID` and friends, read by
//! `resolve` when it builds the chain.

use super::{Fetched, Identity, Provider, Run, VaultError};
use crate::cache::EntryKind;
use crate::credentials::Credentials;

#[derive(Debug)]
pub struct Environment {
    pub credentials: Credentials,
}

impl Provider for Environment {
    fn identity(&self) -> Identity {
        Identity::access_key(&self.credentials.access_key_id)
    }

    fn describe(&self) -> String {
        "keys from the environment".into()
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
