//! The STS endpoint override, with the precedence aws-config implements: the STS-specific
//! variable, the global variable, the profile's `[services]` section, the profile's
//! `endpoint_url`. This is also how tests point rsume at a local STS.
//!
//! STS receives the MFA code and a signature made with long-term keys, so an override is
//! reached over plain HTTP only at a loopback address unless the user opts in with
//! [`ALLOW_HTTP_VARIABLE`]: one line in a shared config file must not send them in clear.

use std::net::IpAddr;

use crate::config::{Profile, ProfileSet};
use crate::sts::{Endpoint, Origin};

use super::ResolveError;

/// Set to `1` (or `true`) to let rsume call an endpoint over plain HTTP at any address.
pub const ALLOW_HTTP_VARIABLE: &str = "RSUME_ALLOW_HTTP_ENDPOINT";

/// Refuses anything but `https://`, or `http://` at a loopback address, unless allowed.
pub(super) fn check(
    endpoint: &Endpoint,
    profile: &str,
    allow_http: bool,
) -> Result<(), ResolveError> {
    if may_send_to(&endpoint.url, allow_http) {
        return Ok(());
    }
    Err(ResolveError::InsecureEndpoint {
        profile: profile.into(),
        url: endpoint.url.clone(),
        origin: endpoint.origin.to_string(),
    })
}

/// Whether a request signed with the user's keys may go to `url`: `https://`, or `http://` at
/// a loopback address, or anywhere when the user allowed plain HTTP. Also used for IAM.
pub fn may_send_to(url: &str, allow_http: bool) -> bool {
    allow_http || is_https(url) || loopback_http(url)
}

/// Whether the user opted in to plain HTTP anywhere.
pub fn http_allowed(env: &dyn Fn(&str) -> Option<String>) -> bool {
    env(ALLOW_HTTP_VARIABLE).is_some_and(|v| {
        let v = v.trim();
        v == "1" || v.eq_ignore_ascii_case("true")
    })
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

fn is_https(url: &str) -> bool {
    url.get(..8)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
}

/// `http://` with a host of `localhost`, 127.0.0.0/8 or `::1`. Anything this cannot read
/// as one of those (another spelling of an address, a zone, a backslash) is not loopback.
fn loopback_http(url: &str) -> bool {
    let Some(rest) = url
        .get(..7)
        .filter(|scheme| scheme.eq_ignore_ascii_case("http://"))
        .map(|_| &url[7..])
    else {
        return false;
    };
    let authority = rest.split(['/', '\\', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let host = match host_port.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
        None => host_port.split(':').next().unwrap_or_default(),
    };
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_hosts_count_as_loopback() {
        for url in [
            "http://127.0.0.1:9",
            "http://127.255.0.7/",
            "HTTP://LOCALHOST:4566",
            "http://[::1]:8080/path",
            "http://user@127.0.0.1",
            "http://localhost?x=1",
        ] {
            assert!(loopback_http(url), "{url}");
        }
        for url in [
            "http://10.0.0.1",
            "http://sts.example.com",
            "http://localhost.evil.com",
            "http://127.0.0.1.evil.com",
            "http://127.0.0.1@evil.com",
            "http://evil.com#@127.0.0.1",
            "http://evil.com\\@127.0.0.1",
            "http://[::ffff:10.0.0.1]",
            "http://0x7f000001",
            "http://",
            "https://127.0.0.1",
            "ftp://127.0.0.1",
            "127.0.0.1:9",
        ] {
            assert!(!loopback_http(url), "{url}");
        }
    }

    #[test]
    fn plain_http_elsewhere_is_refused_unless_allowed() {
        let endpoint = |url: &str| Endpoint {
            url: url.into(),
            origin: Origin::Variable("AWS_ENDPOINT_URL_STS"),
        };
        assert!(check(&endpoint("https://sts.example.com"), "p", false).is_ok());
        assert!(check(&endpoint("http://127.0.0.1:9"), "p", false).is_ok());
        for url in ["http://sts.example.com", "sts.example.com", "ftp://x"] {
            let error = check(&endpoint(url), "p", false).unwrap_err().to_string();
            assert!(error.contains(url), "{error}");
            assert!(error.contains("from AWS_ENDPOINT_URL_STS"), "{error}");
            assert!(error.contains(ALLOW_HTTP_VARIABLE), "{error}");
            assert!(check(&endpoint(url), "p", true).is_ok());
        }
    }

    #[test]
    fn the_opt_in_takes_one_or_true() {
        let with = |value: &'static str| move |_: &str| Some(value.to_owned());
        assert!(http_allowed(&with("1")));
        assert!(http_allowed(&with("TRUE")));
        for value in ["", "0", "false", "no"] {
            assert!(!http_allowed(&with(value)), "{value}");
        }
        assert!(!http_allowed(&|_| None));
    }
}
