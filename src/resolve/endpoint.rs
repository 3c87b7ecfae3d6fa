//! The STS endpoint override, with the precedence aws-config implements: the STS-specific
//! variable, the global variable, the profile's `[services]` section, the profile's
//! `endpoint_url`. This is also how tests point rsume at a local STS.

use crate::config::{Profile, ProfileSet};

pub(super) fn sts_endpoint(
    set: &ProfileSet,
    profile: &Profile,
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<String> {
    let ignore = env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
        .or_else(|| {
            profile
                .get("ignore_configured_endpoint_urls")
                .map(str::to_owned)
        })
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    if ignore {
        return None;
    }
    let services = || {
        let section = set.services(profile.get("services")?)?;
        section
            .sub_property("sts", "endpoint_url")
            .map(str::to_owned)
    };
    env("AWS_ENDPOINT_URL_STS")
        .filter(|v| !v.is_empty())
        .or_else(|| env("AWS_ENDPOINT_URL").filter(|v| !v.is_empty()))
        .or_else(services)
        .or_else(|| profile.get("endpoint_url").map(str::to_owned))
        .filter(|v| !v.is_empty())
}
