//! The region a call is signed for: where it came from, and a check of its form before it
//! goes into a host name (`sts.REGION.amazonaws.com`), so a typo or a hostile value is named
//! where it was set instead of failing as an unreadable reply.

use std::fmt;

use crate::variables;

/// The variables that give a region, in the order the AWS CLI and SDKs read them.
const VARIABLES: [&str; 2] = ["AWS_REGION", "AWS_DEFAULT_REGION"];

/// The region from the environment and the variable that set it; an empty one is unset.
pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Option<(String, &'static str)> {
    VARIABLES
        .into_iter()
        .find_map(|name| variables::read(env, name).map(|region| (region, name)))
}

/// A region whose form no AWS region has.
#[derive(Debug, thiserror::Error)]
#[error(
    "the region '{}' ({origin}) is not a region name: regions look like eu-west-1 (letters, digits and '-'); correct it there",
    crate::log::printable(.region)
)]
pub struct InvalidRegion {
    pub region: String,
    pub origin: String,
}

/// The SDKs' rule for a region: a valid host label (1 to 63 letters, digits and `-`, not
/// starting with `-`). `origin` says where it was set (`from AWS_REGION`, `region at F:L`).
pub fn check(region: &str, origin: &dyn fmt::Display) -> Result<(), InvalidRegion> {
    let valid = (1..=63).contains(&region.len())
        && !region.starts_with('-')
        && region
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if valid {
        return Ok(());
    }
    Err(InvalidRegion {
        region: region.into(),
        origin: origin.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_are_host_labels() {
        for region in [
            "us-east-1",
            "eu-west-1",
            "cn-north-1",
            "us-gov-west-1",
            "local",
        ] {
            assert!(check(region, &"x").is_ok(), "{region}");
        }
        for region in [
            "",
            "evil.example#",
            "us-east-1.",
            "-us",
            "us east",
            "a/b",
            "é",
            &"a".repeat(64),
        ] {
            let error = check(region, &"from AWS_REGION").unwrap_err().to_string();
            assert!(error.contains("(from AWS_REGION)"), "{error}");
        }
    }

    #[test]
    fn an_empty_aws_region_leaves_the_default_region() {
        let env = |name: &str| match name {
            "AWS_REGION" => Some(String::new()),
            "AWS_DEFAULT_REGION" => Some("eu-central-1".to_owned()),
            _ => None,
        };
        assert_eq!(
            from_env(&env),
            Some(("eu-central-1".to_owned(), "AWS_DEFAULT_REGION"))
        );
    }
}
