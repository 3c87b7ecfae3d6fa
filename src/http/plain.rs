//! The plain-HTTP rule, one for every endpoint that receives a secret (STS, IAM, the SSO
//! portal, SSO OIDC, the console's federation endpoint): `https://`, or `http://` at a
//! loopback address, reached directly. One line in a shared config file, or a variable
//! someone exported, must not send a code, a token or a signature in clear to another host.
//!
//! It is checked twice: when an endpoint is chosen ([`check_endpoint`], an error naming
//! where it was set, before any prompt), and by the connector of every client rsume builds
//! ([`Guarded`]), for any URL an SDK arrives at by itself. A proxy never carries plain
//! HTTP (see `proxy_config`): a proxy on the way would see the request in clear.

use std::fmt;
use std::net::IpAddr;

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::{
    RuntimeComponents, RuntimeComponentsBuilder,
};
use aws_smithy_types::config_bag::ConfigBag;

use super::redacted;

/// Set to `1` (or `true`) to let rsume call an endpoint over plain HTTP at any address
/// (still directly, never through a proxy).
pub const ALLOW_HTTP_VARIABLE: &str = "RSUME_ALLOW_HTTP_ENDPOINT";

/// An endpoint that receives a secret, for the refusal's wording.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    Sts,
    Iam,
    Sso,
    SsoOidc,
    Federation,
}

impl Service {
    fn name(self) -> &'static str {
        match self {
            Service::Sts => "STS",
            Service::Iam => "IAM",
            Service::Sso => "SSO portal",
            Service::SsoOidc => "SSO OIDC",
            Service::Federation => "federation",
        }
    }

    /// What would travel in clear.
    fn carries(self) -> &'static str {
        match self {
            Service::Sts => "the MFA code and a request signed with your keys",
            Service::Iam => "the MFA seed and a request signed with your keys",
            Service::Sso => "the SSO access token",
            Service::SsoOidc => "the SSO client secret and refresh token",
            Service::Federation => "the session's keys",
        }
    }
}

/// An endpoint refused by the rule: its URL (without a password), where it was set, and,
/// when one is being planned, the profile.
#[derive(Debug, thiserror::Error)]
#[error(
    "refusing {} endpoint {} ({origin}){}: without https {} travel in clear text; use https or a loopback address, or set {ALLOW_HTTP_VARIABLE}=1 to allow it",
    .service.name(),
    redacted(.url),
    .profile.as_ref().map(|p| format!(" for profile '{p}'")).unwrap_or_default(),
    .service.carries()
)]
pub struct InsecureEndpoint {
    pub service: Service,
    pub url: String,
    pub origin: String,
    pub profile: Option<String>,
}

/// Refuses `url` for `service` unless [`may_send_to`] allows it; `origin` says where it was
/// set (`from AWS_ENDPOINT_URL_SSO`, `endpoint_url at FILE:LINE`).
pub fn check_endpoint(
    service: Service,
    url: &str,
    origin: &dyn fmt::Display,
    profile: Option<&str>,
    allow_http: bool,
) -> Result<(), InsecureEndpoint> {
    if may_send_to(url, allow_http) {
        return Ok(());
    }
    Err(InsecureEndpoint {
        service,
        url: url.into(),
        origin: origin.to_string(),
        profile: profile.map(str::to_owned),
    })
}

/// Whether a secret may go to `url`: `https://`, or `http://` at a loopback address, or
/// anywhere when the user allowed plain HTTP.
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

/// A connector that refuses, before any byte is sent, a request the rule does not allow.
#[derive(Debug)]
pub(super) struct Guarded<C> {
    pub inner: C,
    pub allow_http: bool,
}

/// Why the connector refused a request: shown as the connection failure.
#[derive(Debug, thiserror::Error)]
#[error(
    "refusing plain HTTP to {0}: only a loopback address is reached without https; set {ALLOW_HTTP_VARIABLE}=1 to allow it"
)]
struct PlainHttpRefused(String);

impl<C: HttpConnector> HttpConnector for Guarded<C> {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let url = request.uri();
        if may_send_to(url, self.allow_http) {
            return self.inner.call(request);
        }
        let host = url.split('/').nth(2).unwrap_or_default();
        let refused = PlainHttpRefused(redacted(host));
        HttpConnectorFuture::ready(Err(ConnectorError::user(Box::new(refused))))
    }
}

impl HttpClient for Guarded<SharedHttpClient> {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(Guarded {
            inner: self.inner.http_connector(settings, components),
            allow_http: self.allow_http,
        })
    }

    fn validate_base_client_config(
        &self,
        components: &RuntimeComponentsBuilder,
        cfg: &ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        self.inner.validate_base_client_config(components, cfg)
    }
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
        let origin = "from AWS_ENDPOINT_URL_STS";
        let check = |url: &str, allow| check_endpoint(Service::Sts, url, &origin, Some("p"), allow);
        assert!(check("https://sts.example.com", false).is_ok());
        assert!(check("http://127.0.0.1:9", false).is_ok());
        for url in ["http://sts.example.com", "sts.example.com", "ftp://x"] {
            let error = check(url, false).unwrap_err().to_string();
            assert!(error.contains(&format!("STS endpoint {url} ")), "{error}");
            assert!(error.contains("from AWS_ENDPOINT_URL_STS"), "{error}");
            assert!(error.contains("for profile 'p'"), "{error}");
            assert!(error.contains(ALLOW_HTTP_VARIABLE), "{error}");
            assert!(check(url, true).is_ok());
        }
        let error = check_endpoint(
            Service::SsoOidc,
            "http://alice:pw@oidc.example",
            &"from AWS_ENDPOINT_URL_SSO_OIDC",
            None,
            false,
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("client secret and refresh token"), "{error}");
        assert!(!error.contains("pw@"), "{error}");
    }

    /// A connector that counts the requests that reach it.
    #[derive(Debug, Default)]
    struct Counting(std::sync::atomic::AtomicUsize);

    impl HttpConnector for Counting {
        fn call(&self, _: HttpRequest) -> HttpConnectorFuture {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            HttpConnectorFuture::ready(Err(ConnectorError::other("reached".into(), None)))
        }
    }

    #[test]
    fn the_connector_refuses_plain_http_off_loopback_before_sending() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let call = |allow_http, url: &str| {
            let guarded = Guarded {
                inner: Counting::default(),
                allow_http,
            };
            let result = runtime.block_on(guarded.call(HttpRequest::get(url).unwrap()));
            let reached = guarded.inner.0.into_inner();
            // What the user is shown: the connector error's cause.
            let error = result.unwrap_err();
            let shown = std::error::Error::source(&error).map(|e| e.to_string());
            (shown.unwrap_or_default(), reached)
        };
        for url in [
            "http://192.0.2.10/",
            "http://proxy.example:3128/x",
            "http://u:pw@10.0.0.1/",
        ] {
            let (error, reached) = call(false, url);
            assert_eq!(reached, 0, "{url}");
            assert!(error.contains("refusing plain HTTP to "), "{error}");
            assert!(!error.contains("pw"), "{error}");
            assert_eq!(call(true, url).1, 1, "{url} with the opt-in");
        }
        for url in [
            "http://127.0.0.1:9/",
            "http://[::1]:9/",
            "https://sts.amazonaws.com/",
        ] {
            assert_eq!(call(false, url).1, 1, "{url}");
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
