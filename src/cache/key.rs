//! Cache keys: a hash of everything that changes what STS would hand back, chained so that a
//! role's key includes the key of the session that assumed it. Two profiles reaching the same
//! role from different users therefore never share an entry.

use sha2::{Digest, Sha256};

use crate::resolve::{Plan, Step};

/// A file-name-safe digest (64 hex characters).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Key(String);

impl Key {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    #[cfg(test)]
    pub(crate) fn from_hex(hex: &str) -> Key {
        Key(hex.to_owned())
    }
}

/// One key per step of `plan`, in step order.
pub fn keys(plan: &Plan) -> Vec<Key> {
    let mut upstream = format!("akid:{}", plan.source.credentials().access_key_id);
    let endpoint = plan.sts.endpoint.as_deref().unwrap_or("");
    plan.steps
        .iter()
        .map(|step| {
            let key = match step {
                // Not the duration: a session serves every run while it lasts, whatever
                // length each run asks for (`--refresh-mfa` gets one of another length).
                Step::MfaSession { serial, .. } => {
                    digest(&["mfa-session", &upstream, serial, endpoint])
                }
                Step::AssumeRole(role) => digest(&[
                    "role",
                    &upstream,
                    &role.role_arn,
                    role.external_id.as_deref().unwrap_or(""),
                    &role.session_name,
                    &role.duration.map(|d| d.to_string()).unwrap_or_default(),
                    endpoint,
                ]),
            };
            upstream = format!("key:{}", key.0);
            key
        })
        .collect()
}

/// Length-prefixed fields, so no choice of values can make two different lists hash alike.
fn digest(fields: &[&str]) -> Key {
    let mut hasher = Sha256::new();
    hasher.update(b"rsume-cache-v1");
    for field in fields {
        hasher.update((field.len() as u64).to_le_bytes());
        hasher.update(field.as_bytes());
    }
    Key(hex::encode(hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ProfileFiles, parse};
    use crate::resolve::{Overrides, plan};

    const CONFIG: &str = "\
[profile alice]
mfa_serial = arn:aws:iam::1:mfa/alice
[profile bob]
[profile admin-a]
role_arn = arn:aws:iam::1:role/admin
source_profile = alice
[profile admin-b]
role_arn = arn:aws:iam::1:role/admin
source_profile = bob
[profile admin-a2]
role_arn = arn:aws:iam::1:role/admin
source_profile = alice
role_session_name = rsume-admin-a
";
    const CREDENTIALS: &str = "\
[alice]
aws_access_key_id = AKIAALICE
aws_secret_access_key = s
[bob]
aws_access_key_id = AKIABOB
aws_secret_access_key = s
";

    fn keys_of(name: &str) -> Vec<Key> {
        let set = parse(&ProfileFiles::from_strings(CONFIG, CREDENTIALS)).unwrap();
        keys(&plan(&set, name, &Overrides::default(), &|_| None).unwrap())
    }

    #[test]
    fn same_role_from_different_users_differs() {
        assert_ne!(keys_of("admin-a").last(), keys_of("admin-b").last());
    }

    #[test]
    fn same_role_same_user_same_parameters_is_shared() {
        // admin-a2 spells out admin-a's default session name: the same request.
        assert_eq!(keys_of("admin-a"), keys_of("admin-a2"));
        // The MFA session is shared between alice and every role behind her.
        assert_eq!(keys_of("alice")[0], keys_of("admin-a")[0]);
    }

    #[test]
    fn an_mfa_session_serves_whatever_duration_a_run_asks_for() {
        let set = parse(&ProfileFiles::from_strings(CONFIG, CREDENTIALS)).unwrap();
        let long = Overrides {
            session_duration: Some(36 * 3600),
            ..Overrides::default()
        };
        let long_keys = keys(&plan(&set, "alice", &long, &|_| None).unwrap());
        assert_eq!(long_keys[0], keys_of("admin-a")[0]);
    }

    #[test]
    fn fields_cannot_run_into_each_other() {
        assert_ne!(digest(&["ab", "c"]), digest(&["a", "bc"]));
        assert_eq!(digest(&["x"]).as_str().len(), 64);
    }
}
