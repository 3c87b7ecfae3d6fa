//! What a profile takes from the profiles it is assumed from: `rsume -l` shows the MFA device
//! and region a run would use, and where each was set.

use crate::config::{Profile, ProfileSet};

/// A setting a run would use, and the profile that sets it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Inherited<'a> {
    pub value: &'a str,
    pub from: &'a str,
}

/// `key` as a run of `profile` would see it: its own, else the nearest along its
/// `source_profile` links (as `plan` reads `mfa_serial` and `region`).
pub fn inherited<'a>(
    set: &'a ProfileSet,
    profile: &'a Profile,
    key: &str,
) -> Option<Inherited<'a>> {
    chain(set, profile).find_map(|p| {
        p.get(key).map(|value| Inherited {
            value,
            from: p.name(),
        })
    })
}

/// `profile`, then each source profile in turn; stops at a missing profile, a profile that
/// is its own source, or a loop.
fn chain<'a>(set: &'a ProfileSet, profile: &'a Profile) -> impl Iterator<Item = &'a Profile> {
    let mut seen: Vec<&str> = Vec::new();
    let mut next = Some(profile);
    std::iter::from_fn(move || {
        let current = next.take()?;
        if seen.contains(&current.name()) {
            return None;
        }
        seen.push(current.name());
        next = current
            .get("source_profile")
            .filter(|source| *source != current.name())
            .and_then(|source| set.profile(source));
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
