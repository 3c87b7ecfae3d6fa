//! The STS endpoint override, with the precedence aws-config implements: the STS-specific
//! variable, the global variable, the profile's `[services]` section, the profile's
//! `endpoint_url`. This is also how tests point rsume at a local STS.
//!
//! STS receives the MFA code and a signature made with long-term keys, so an override keeps
//! the plain-HTTP rule of [`crate::http`], checked here before anything is asked or sent.

use crate::config::{Profile, ProfileSet};
use crate::http::{self, Service};
use crate::sts::{Endpoint, Origin};

use super::ResolveError;

/// Refuses an STS endpoint the plain-HTTP rule does not allow.
pub(super) fn check(
    endpoint: &Endpoint,
    profile: &str,
    allow_http: bool,
) -> Result<(), ResolveError> {
    http::check_endpoint(
        Service::Sts,
        &endpoint.url,
        &endpoint.origin,
        Some(profile),
        allow_http,
    )
    .map_err(ResolveError::from)
}

pub(super) fn sts_endpoint(
    set: &ProfileSet,
    profile: Option<&Profile>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<Endpoint> {
    let ignore = env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
        .or_else(|| {
            profile?
                .get("ignore_configured_endpoint_urls")
                .map(str::to_owned)
        })
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    if ignore {
        return None;
    }
    let variable = |name: &'static str| {
        env(name).filter(|v| !v.is_empty()).map(|url| Endpoint {
            url,
            origin: Origin::Variable(name),
        })
    };
    let services = || {
        let section = set.services(profile?.get("services")?)?;
        let url = section.sub_property("sts", "endpoint_url")?;
        Some(Endpoint {
            url: url.to_owned(),
            origin: Origin::File {
                key: "sts.endpoint_url",
                location: section.location("sts"),
            },
        })
    };
    let profile_url = || {
        let profile = profile?;
        Some(Endpoint {
            url: profile.get("endpoint_url")?.to_owned(),
            origin: Origin::File {
                key: "endpoint_url",
                location: profile.location("endpoint_url"),
            },
        })
    };
    variable("AWS_ENDPOINT_URL_STS")
        .or_else(|| variable("AWS_ENDPOINT_URL"))
        .or_else(services)
        .or_else(profile_url)
        .filter(|endpoint| !endpoint.url.is_empty())
}
