//! What a profile takes from the profiles it is assumed from: `rsume -l` shows the MFA device
//! and region a run would use, and where each was set.

use crate::config::{Profile, ProfileSet};

/// A setting a run would use, and the profile that sets it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Inherited<'a> {
    pub value: &'a str,
    pub from: &'a str,
}

/// `key` as a run of `profile` would see it: its own, else the nearest along the profiles
/// `plan` walks (as it reads `mfa_serial` and `region`), and no further.
pub fn inherited<'a>(
    set: &'a ProfileSet,
    profile: &'a Profile,
    key: &str,
) -> Option<Inherited<'a>> {
    walk(set, profile).find_map(|p| {
        p.get(key).map(|value| Inherited {
            value,
            from: p.name(),
        })
    })
}

/// Whether the walk ends at `profile` with the keys it holds: a profile reached as someone's
/// source that has keys of its own is the user, whatever else it says, as in the SDKs.
pub(super) fn holds_keys_as_source(profile: &Profile, is_target: bool) -> bool {
    !is_target && profile.get("aws_access_key_id").is_some()
}

/// The profile the walk goes to after `profile`, or `None` where it ends there: at keys
/// held as a source, a web identity, a profile without `role_arn`, a `credential_source`,
/// or a profile that is its own source. `plan` follows this link and no other.
pub(super) fn next_source(profile: &Profile, is_target: bool) -> Option<&str> {
    let ends = holds_keys_as_source(profile, is_target)
        || profile.get("web_identity_token_file").is_some()
        || profile.get("role_arn").is_none()
        || profile.get("credential_source").is_some();
    if ends {
        return None;
    }
    profile
        .get("source_profile")
        .filter(|source| *source != profile.name())
}

/// `profile`, then each profile `plan` would walk to; stops where `plan` stops, at a
/// missing profile, or at a loop.
fn walk<'a>(set: &'a ProfileSet, profile: &'a Profile) -> impl Iterator<Item = &'a Profile> {
    let mut seen: Vec<&str> = Vec::new();
    let mut next = Some(profile);
    std::iter::from_fn(move || {
        let current = next.take()?;
        if seen.contains(&current.name()) {
            return None;
        }
        seen.push(current.name());
        next = next_source(current, seen.len() == 1).and_then(|source| set.profile(source));
        Some(current)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ProfileFiles, parse};

    #[test]
    fn nearest_setting_along_the_chain() {
        let set = parse(&ProfileFiles::from_strings(
            "[profile alice]\nmfa_serial = m\nregion = r1\n\
             [profile admin]\nsource_profile = alice\nrole_arn = a\n\
             [profile deep]\nsource_profile = admin\nrole_arn = b\nregion = r2\n\
             [profile loop]\nsource_profile = loop2\n[profile loop2]\nsource_profile = loop\n",
            "",
        ))
        .unwrap();
        let deep = set.profile("deep").unwrap();
        assert_eq!(
            inherited(&set, deep, "mfa_serial"),
            Some(Inherited {
                value: "m",
                from: "alice"
            })
        );
        assert_eq!(inherited(&set, deep, "region").unwrap().from, "deep");
        assert_eq!(
            inherited(&set, set.profile("loop").unwrap(), "region"),
            None
        );
    }
}
