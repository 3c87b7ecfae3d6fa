//! How rsume reaches the network, as the AWS CLI and curl read it: proxies from the
//! environment (the lowercase name first, as curl and Python read them), the CA bundle from
//! `AWS_CA_BUNDLE`, else the profile's `ca_bundle`. Nothing is read from disk here: the
//! bundle is read only when a client is built, off the cached path.

use crate::config::Profile;
use crate::http::{self, HttpSettings, Setting};

use super::ResolveError;

/// The settings for `profile` (the one asked for, as the SDKs read `ca_bundle`); a proxy
/// URL that cannot be used is an error before anything is asked or sent.
pub(super) fn http_settings(
    profile: &Profile,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<HttpSettings, ResolveError> {
    let variable = |names: &[&'static str]| {
        names.iter().find_map(|&name| {
            env(name)
                .filter(|v| !v.trim().is_empty())
                .map(|value| Setting {
                    value: value.trim().to_owned(),
                    origin: format!("from {name}"),
                })
        })
    };
    let proxy = |names: &[&'static str]| variable(names).map(with_scheme);
    let settings = HttpSettings {
        https_proxy: proxy(&["https_proxy", "HTTPS_PROXY"]),
        http_proxy: proxy(&["http_proxy", "HTTP_PROXY"]),
        no_proxy: variable(&["no_proxy", "NO_PROXY"]).map(|setting| setting.value),
        ca_bundle: variable(&["AWS_CA_BUNDLE"]).or_else(|| {
            let value = profile.get("ca_bundle").filter(|v| !v.is_empty())?;
            Some(Setting {
                value: value.to_owned(),
                origin: match profile.location("ca_bundle") {
                    Some(location) => format!("ca_bundle at {location}"),
                    None => "ca_bundle in the AWS config".into(),
                },
            })
        }),
    };
    http::proxy_config(&settings).map_err(|error| ResolveError::Network {
        profile: profile.name().into(),
        message: error.to_string(),
    })?;
    Ok(settings)
}

/// `proxy:3128` as curl reads it: `http://proxy:3128`.
fn with_scheme(setting: Setting) -> Setting {
    if setting.value.contains("://") {
        return setting;
    }
    Setting {
        value: format!("http://{}", setting.value),
        ..setting
    }
}
