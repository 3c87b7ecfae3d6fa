//! The one HTTP client rsume's SDK clients use, so every endpoint (STS, and any other a
//! provider calls) goes through the same proxy and trusts the same roots, as the user's
//! network needs. The settings come from `resolve`; the client is built only off the cached
//! path, when a call is about to be made.
//!
//! Every SDK client gets it, with [`DistrustedCertificateIsFinal`] as a retry classifier,
//! from the one client factory (`sdk::config`); a request that is not an SDK call (the
//! console's sign-in token, the container endpoint) goes through [`get`].
//!
//! Every connection it makes keeps the plain-HTTP rule (`http/plain.rs`): `http://` only to a
//! loopback address, and never through a proxy.

mod plain;

pub use plain::{
    ALLOW_HTTP_VARIABLE, InsecureEndpoint, Service, check_endpoint, http_allowed, may_send_to,
};

use std::fmt;
use std::path::Path;

use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore, rustls_provider::CryptoMode};
use aws_smithy_http_client::{Builder, Connector};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::retries::classifiers::{
    ClassifyRetry, RetryAction, RetryClassifierPriority,
};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

/// How rsume reaches the network: the proxy (as curl and the AWS SDKs read it from the
/// environment) and the roots a server's certificate must chain to. `http_proxy` is not
/// among them: plain HTTP goes only to loopback, directly, where no proxy can read it.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct HttpSettings {
    /// For `https://` endpoints (`https_proxy`/`HTTPS_PROXY`), as a CONNECT tunnel.
    pub https_proxy: Option<Setting>,
    /// Hosts reached directly (`no_proxy`/`NO_PROXY`): names, `.domain`, IPs, CIDRs, `*`.
    pub no_proxy: Option<String>,
    /// A PEM file whose certificates replace the system's roots (`AWS_CA_BUNDLE`, `ca_bundle`).
    pub ca_bundle: Option<Setting>,
    /// `RSUME_ALLOW_HTTP_ENDPOINT`: plain HTTP to any host (still directly).
    pub allow_plain_http: bool,
}

/// A value and where it was set (a variable, or a profile key with its file and line).
#[derive(Clone, PartialEq, Eq)]
pub struct Setting {
    pub value: String,
    pub origin: String,
}

/// Why the client cannot be built. Proxy URLs are shown without their user and password.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error(
        "the proxy {} ({}) is not a URL rsume can use; set it like http://proxy.example.com:3128",
        redacted(.0.value.as_str()),
        .0.origin
    )]
    Proxy(Setting),
    #[error("cannot read the CA bundle {} ({}): {problem}", .setting.value, .setting.origin)]
    CaBundleUnreadable {
        setting: Setting,
        problem: crate::fs::Problem,
    },
    #[error(
        "the CA bundle {} ({}) holds no usable PEM certificate; point it at a file of -----BEGIN CERTIFICATE----- blocks",
        .0.value,
        .0.origin
    )]
    CaBundleInvalid(Setting),
}

/// The HTTP client for an SDK client. Fails on a CA bundle that cannot be read or parsed, or
/// a proxy URL that cannot be used.
pub fn client(settings: &HttpSettings) -> Result<SharedHttpClient, HttpError> {
    let connector = connector_fn(settings)?;
    let client = Builder::new().build_with_connector_fn(move |connector_settings, components| {
        connector(
            connector_settings.cloned(),
            components.and_then(|c| c.sleep_impl()),
        )
    });
    Ok(SharedHttpClient::new(plain::Guarded {
        inner: client,
        allow_http: settings.allow_plain_http,
    }))
}

/// A connector with the user's proxies and roots, for a request that is not an SDK call (the
/// console's sign-in token): same network, same trust.
fn connector_fn(
    settings: &HttpSettings,
) -> Result<
    impl Fn(
        Option<aws_smithy_runtime_api::client::http::HttpConnectorSettings>,
        Option<aws_smithy_async::rt::sleep::SharedAsyncSleep>,
    ) -> Connector
    + Send
    + Sync
    + 'static,
    HttpError,
> {
    let proxy = proxy_config(settings)?;
    let trust = match &settings.ca_bundle {
        Some(bundle) => TrustStore::empty().with_pem_certificate(read_bundle(bundle)?),
        None => TrustStore::default(),
    };
    let tls = TlsContext::builder()
        .with_trust_store(trust)
        .build()
        .expect("a TLS context from a trust store always builds");
    Ok(move |connector_settings, sleep| {
        let mut builder = Connector::builder();
        builder.set_connector_settings(connector_settings);
        builder.set_sleep_impl(sleep);
        builder
            .proxy_config(proxy.clone())
            .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
            .tls_context(tls.clone())
            .build()
    })
}

/// A GET to `url` through the user's network settings, bounded in time: the status and the
/// body. Runs on `runtime`.
pub fn get(
    settings: &HttpSettings,
    url: &str,
    runtime: &tokio::runtime::Runtime,
) -> Result<(u16, Vec<u8>), GetError> {
    get_with(settings, url, &[], runtime)
}

/// As [`get`], sending `headers` (the container endpoint's authorization token) as well.
pub fn get_with(
    settings: &HttpSettings,
    url: &str,
    headers: &[(&str, &str)],
    runtime: &tokio::runtime::Runtime,
) -> Result<(u16, Vec<u8>), GetError> {
    use aws_smithy_runtime_api::client::http::{HttpConnector, HttpConnectorSettings};
    use http_body_util::BodyExt;
    let timeouts = HttpConnectorSettings::builder()
        .connect_timeout(std::time::Duration::from_secs(5))
        .read_timeout(std::time::Duration::from_secs(10))
        .build();
    let sleep = aws_smithy_async::rt::sleep::SharedAsyncSleep::new(
        aws_smithy_async::rt::sleep::TokioSleep::new(),
    );
    let connector = plain::Guarded {
        inner: connector_fn(settings)?(Some(timeouts), Some(sleep)),
        allow_http: settings.allow_plain_http,
    };
    let request = headers
        .iter()
        .fold(::http::Request::get(url), |request, (name, value)| {
            request.header(*name, *value)
        })
        .body(aws_smithy_types::body::SdkBody::empty())
        .map_err(|_| GetError::Url)?;
    let request = request.try_into().map_err(|_| GetError::Url)?;
    runtime.block_on(async {
        let response = connector
            .call(request)
            .await
            .map_err(|error| GetError::Connect(describe_connector_error(&error)))?;
        let status = response.status().as_u16();
        // Credentials and sign-in tokens are a few KiB: an endpoint that keeps sending is
        // cut off instead of filling memory.
        const MAX_REPLY: usize = 1024 * 1024;
        let body = http_body_util::Limited::new(response.into_body(), MAX_REPLY)
            .collect()
            .await
            .map_err(|_| GetError::Connect("the reply was cut off or over 1 MiB".into()))?
            .to_bytes();
        Ok((status, body.to_vec()))
    })
}

/// Why a plain GET failed. Never holds the URL (it may carry a token) or the reply.
#[derive(Debug, thiserror::Error)]
pub enum GetError {
    #[error(transparent)]
    Settings(#[from] HttpError),
    #[error("not a URL rsume can request")]
    Url,
    #[error("{0}")]
    Connect(String),
}

/// A connection failure in one line, saying when a certificate is the reason.
fn describe_connector_error(error: &(dyn std::error::Error + 'static)) -> String {
    match certificate_problem(error) {
        Some(problem) => format!(
            "the server's certificate is not trusted ({problem}); set AWS_CA_BUNDLE if a proxy or private CA signs it"
        ),
        None => "could not connect".into(),
    }
}

/// The TLS layer's complaint about a server's certificate, if that is why a connection
/// failed: the usual failure behind a TLS-inspecting proxy or at a private endpoint.
pub fn certificate_problem(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut source = Some(error);
    while let Some(error) = source {
        if let Some(tls @ rustls::Error::InvalidCertificate(_)) = error.downcast_ref() {
            return Some(tls.to_string());
        }
        // An io::Error's `source` skips the error it wraps, which is where rustls puts its own.
        source = match error.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => error.source(),
        };
    }
    None
}

/// Stops the SDK from retrying a connection whose certificate is not trusted: another
/// attempt meets the same certificate, and the user waits for the back-off for nothing.
#[derive(Debug)]
pub struct DistrustedCertificateIsFinal;

impl ClassifyRetry for DistrustedCertificateIsFinal {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        let distrusted = ctx
            .output_or_error()
            .and_then(Result::err)
            .and_then(|error| error.as_connector_error())
            .and_then(|error| certificate_problem(error))
            .is_some();
        if distrusted {
            RetryAction::RetryForbidden
        } else {
            RetryAction::NoActionIndicated
        }
    }

    fn name(&self) -> &'static str {
        "distrusted certificate is final"
    }

    fn priority(&self) -> RetryClassifierPriority {
        RetryClassifierPriority::run_after(RetryClassifierPriority::transient_error_classifier())
    }
}

/// The proxy as the SDK's connector takes it: for `https://` only, so a proxy never sees a
/// request in clear; `http://` (loopback, or what the user allowed) always goes direct.
pub fn proxy_config(settings: &HttpSettings) -> Result<ProxyConfig, HttpError> {
    let Some(https) = &settings.https_proxy else {
        return Ok(ProxyConfig::disabled());
    };
    let config = ProxyConfig::https(&https.value).map_err(|_| HttpError::Proxy(https.clone()))?;
    Ok(match &settings.no_proxy {
        Some(hosts) => config.no_proxy(hosts),
        None => config,
    })
}

/// The bundle's bytes, checked here because the TLS layer panics on a certificate it cannot
/// parse.
fn read_bundle(bundle: &Setting) -> Result<Vec<u8>, HttpError> {
    let pem = crate::fs::read(Path::new(&bundle.value), crate::fs::Contents::CaBundle).map_err(
        |error| HttpError::CaBundleUnreadable {
            setting: bundle.clone(),
            problem: error.problem,
        },
    )?;
    let certificates = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| HttpError::CaBundleInvalid(bundle.clone()))?;
    let (valid, invalid) = rustls::RootCertStore::empty().add_parsable_certificates(certificates);
    if valid == 0 || invalid > 0 {
        return Err(HttpError::CaBundleInvalid(bundle.clone()));
    }
    Ok(pem)
}

/// A URL for messages: any `user:password@` replaced by `***@`.
pub fn redacted(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        Some(at) if scheme.is_empty() => format!("***{}", &rest[at..]),
        Some(at) => format!("{scheme}://***{}", &rest[at..]),
        None => url.to_owned(),
    }
}

impl HttpSettings {
    /// One line for `--debug`, without proxy passwords.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(setting) = &self.https_proxy {
            parts.push(format!(
                "HTTPS proxy {} ({})",
                redacted(&setting.value),
                setting.origin
            ));
        }
        if let Some(hosts) = &self.no_proxy {
            parts.push(format!("no proxy for {hosts}"));
        }
        if let Some(bundle) = &self.ca_bundle {
            parts.push(format!("CA bundle {} ({})", bundle.value, bundle.origin));
        }
        if self.allow_plain_http {
            parts.push(format!("plain HTTP to any host ({ALLOW_HTTP_VARIABLE})"));
        }
        if parts.is_empty() {
            "direct, system roots".into()
        } else {
            parts.join(", ")
        }
    }
}

impl fmt::Debug for HttpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

impl fmt::Debug for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", redacted(&self.value), self.origin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setting(value: &str) -> Setting {
        Setting {
            value: value.into(),
            origin: "from HTTPS_PROXY".into(),
        }
    }

    #[test]
    fn proxy_passwords_never_show() {
        assert_eq!(
            redacted("http://user:pw@proxy:3128/x"),
            "http://***@proxy:3128/x"
        );
        assert_eq!(redacted("user:pw@proxy:3128"), "***@proxy:3128");
        assert_eq!(redacted("http://proxy:3128"), "http://proxy:3128");
        assert_eq!(redacted("http://proxy/a@b"), "http://proxy/a@b");
        let settings = HttpSettings {
            https_proxy: Some(setting("http://alice:s3cret@proxy:3128")),
            ..HttpSettings::default()
        };
        assert!(!format!("{settings:?}").contains("s3cret"));
        assert!(!settings.describe().contains("alice"));
        let error = HttpError::Proxy(setting("http://alice:s3cret@proxy:3128 x"));
        assert!(!error.to_string().contains("s3cret"), "{error}");
    }

    #[test]
    fn a_proxy_that_is_not_a_url_is_an_error_naming_its_variable() {
        let settings = HttpSettings {
            https_proxy: Some(setting("http://pro xy:3128")),
            ..HttpSettings::default()
        };
        let error = proxy_config(&settings).unwrap_err().to_string();
        assert!(error.contains("from HTTPS_PROXY"), "{error}");
        assert!(
            proxy_config(&HttpSettings::default())
                .unwrap()
                .is_disabled()
        );
    }

    #[test]
    fn a_bundle_without_certificates_is_refused_before_the_tls_layer_sees_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bundle.pem");
        for content in [
            "",
            "not pem",
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        ] {
            std::fs::write(&path, content).unwrap();
            let bundle = Setting {
                value: path.display().to_string(),
                origin: "from AWS_CA_BUNDLE".into(),
            };
            let error = read_bundle(&bundle).unwrap_err().to_string();
            assert!(error.contains("no usable PEM certificate"), "{error}");
        }
        let missing = Setting {
            value: dir.path().join("missing.pem").display().to_string(),
            origin: "from AWS_CA_BUNDLE".into(),
        };
        let error = read_bundle(&missing).unwrap_err().to_string();
        assert!(error.contains("cannot read the CA bundle"), "{error}");
    }
}
