//! Cache keys: a digest of everything that changes what a provider would hand back. A
//! provider derives its key from its own settings and its source's identity (see
//! `vault::Identity`), so a role reached from different users never shares an entry, and
//! the key is known without running anything.

use sha2::{Digest, Sha256};

/// A file-name-safe digest (64 hex characters).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Key(String);

impl Key {
    /// The key for a list of fields. Length-prefixed, so no choice of values can make two
    /// different lists hash alike.
    pub fn derive(fields: &[&str]) -> Key {
        let mut hasher = Sha256::new();
        hasher.update(b"rsume-cache-v1");
        for field in fields {
            hasher.update((field.len() as u64).to_le_bytes());
            hasher.update(field.as_bytes());
        }
        Key(hex::encode(hasher.finalize()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    #[cfg(test)]
    pub(crate) fn from_hex(hex: &str) -> Key {
        Key(hex.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_cannot_run_into_each_other() {
        assert_ne!(Key::derive(&["ab", "c"]), Key::derive(&["a", "bc"]));
        assert_eq!(Key::derive(&["x"]).as_str().len(), 64);
    }
}
