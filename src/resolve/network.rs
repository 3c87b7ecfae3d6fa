//! How rsume reaches the network, as the AWS CLI and curl read it: the HTTPS proxy from the
//! environment (the lowercase name first, as curl and Python read them; `HTTP_PROXY` is not
//! read, since plain HTTP never goes through a proxy), the CA bundle from
//! `AWS_CA_BUNDLE`, else the profile's `ca_bundle`. Nothing is read from disk here: the
//! bundle is read only when a client is built, off the cached path.

use crate::config::Profile;
use crate::http::{self, HttpSettings, Setting};

use super::ResolveError;

/// The settings for `profile` (the one asked for, as the SDKs read `ca_bundle`); a proxy
/// URL that cannot be used is an error before anything is asked or sent.
pub(super) fn http_settings(
    profile: Option<&Profile>,
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
        no_proxy: variable(&["no_proxy", "NO_PROXY"]).map(|setting| setting.value),
        ca_bundle: variable(&["AWS_CA_BUNDLE"]).or_else(|| {
            let profile = profile?;
            let value = profile.get("ca_bundle").filter(|v| !v.is_empty())?;
            Some(Setting {
                value: value.to_owned(),
                origin: match profile.location("ca_bundle") {
                    Some(location) => format!("ca_bundle at {location}"),
                    None => "ca_bundle in the AWS config".into(),
                },
            })
        }),
        allow_plain_http: http::http_allowed(env),
    };
    http::proxy_config(&settings).map_err(|error| ResolveError::Network {
        profile: profile.map_or("(ad-hoc role)", |p| p.name()).into(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ProfileFiles, parse};
    use crate::resolve::{Overrides, plan};

    const CONFIG: &str = "\
[profile alice]
aws_access_key_id = AKIDALICE
aws_secret_access_key = secret
mfa_serial = arn:aws:iam::1:mfa/alice
ca_bundle = /etc/corp/ca.pem

[profile keys]
aws_access_key_id = AKIDKEYS
aws_secret_access_key = secret
";

    fn settings(profile: &str, vars: &[(&str, &str)]) -> Result<HttpSettings, ResolveError> {
        let set = parse(&ProfileFiles::from_strings(CONFIG, "")).unwrap();
        let env = |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        };
        plan(&set, profile, &Overrides::default(), &env).map(|plan| plan.sts.http)
    }

    #[test]
    fn lowercase_names_win_and_a_bare_host_gets_a_scheme() {
        // HTTP_PROXY alone is no proxy at all: plain HTTP goes direct, https too.
        let http = settings("alice", &[("HTTP_PROXY", "http://plain:2")]).unwrap();
        assert_eq!(http.https_proxy, None);
        let http = settings(
            "alice",
            &[
                ("HTTPS_PROXY", "http://upper:1"),
                ("https_proxy", "lower:3128"),
                ("HTTP_PROXY", "http://plain:2"),
                ("NO_PROXY", "localhost,.corp"),
            ],
        )
        .unwrap();
        let https = http.https_proxy.unwrap();
        assert_eq!(https.value, "http://lower:3128");
        assert_eq!(https.origin, "from https_proxy");
        assert_eq!(http.no_proxy.as_deref(), Some("localhost,.corp"));
    }

    #[test]
    fn aws_ca_bundle_beats_the_profile_which_is_named_with_its_line() {
        let from_profile = settings("alice", &[]).unwrap().ca_bundle.unwrap();
        assert_eq!(from_profile.value, "/etc/corp/ca.pem");
        assert!(
            from_profile.origin.starts_with("ca_bundle at ") && from_profile.origin.ends_with(":5"),
            "{}",
            from_profile.origin
        );
        let from_variable = settings("alice", &[("AWS_CA_BUNDLE", "/tmp/b.pem")])
            .unwrap()
            .ca_bundle
            .unwrap();
        assert_eq!(from_variable.value, "/tmp/b.pem");
        assert_eq!(from_variable.origin, "from AWS_CA_BUNDLE");
    }

    #[test]
    fn a_broken_proxy_fails_only_a_profile_that_calls_the_network() {
        let broken = [("HTTPS_PROXY", "http://a b")];
        let error = settings("alice", &broken).unwrap_err().to_string();
        assert!(error.starts_with("profile 'alice': "), "{error}");
        assert!(error.contains("from HTTPS_PROXY"), "{error}");
        assert_eq!(settings("keys", &broken).unwrap(), HttpSettings::default());
    }
}
