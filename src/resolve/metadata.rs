//! Where the instance metadata service and the container credentials endpoint are, decided
//! as the SDKs decide it, without contacting either: the endpoint is part of the cache key.

use super::ResolveError;
use crate::config::Profile;
use crate::credentials::Secret;
use crate::vault::{Container, ContainerToken, Instance};

const IMDS_IPV4: &str = "http://169.254.169.254";
const IMDS_IPV6: &str = "http://[fd00:ec2::254]";
/// Where a relative container credentials URI points.
const CONTAINER_HOST: &str = "http://169.254.170.2";

/// `AWS_EC2_METADATA_SERVICE_ENDPOINT`, else `ec2_metadata_service_endpoint` (the profile
/// naming the source, then the one asked for), else the address for the `_MODE` setting.
pub(super) fn instance_source(
    profile: &Profile,
    target: &Profile,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Instance, ResolveError> {
    let var = |name| env(name).filter(|v: &String| !v.trim().is_empty());
    if var("AWS_EC2_METADATA_DISABLED").is_some_and(|v| v.trim().eq_ignore_ascii_case("true")) {
        return Err(ResolveError::InstanceMetadataDisabled {
            profile: profile.name().into(),
        });
    }
    let setting = |key: &'static str| {
        [profile, target]
            .into_iter()
            .find_map(|p| p.get(key).filter(|v| !v.trim().is_empty()).map(|v| (p, v)))
    };
    let endpoint = if let Some(url) = var("AWS_EC2_METADATA_SERVICE_ENDPOINT") {
        check_url(&url).ok_or(ResolveError::InvalidFlag {
            flag: "AWS_EC2_METADATA_SERVICE_ENDPOINT",
            expected: URL.into(),
        })?
    } else if let Some((owner, url)) = setting("ec2_metadata_service_endpoint") {
        check_url(url).ok_or_else(|| invalid(owner, "ec2_metadata_service_endpoint", URL))?
    } else if let Some(mode) = var("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE") {
        mode_address(&mode).ok_or(ResolveError::InvalidFlag {
            flag: "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
            expected: MODES.into(),
        })?
    } else if let Some((owner, mode)) = setting("ec2_metadata_service_endpoint_mode") {
        mode_address(mode)
            .ok_or_else(|| invalid(owner, "ec2_metadata_service_endpoint_mode", MODES))?
    } else {
        IMDS_IPV4.into()
    };
    Ok(Instance {
        profile: profile.name().into(),
        endpoint,
    })
}

/// `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (on the ECS host), else `_FULL_URI`, as the SDKs
/// order them, with the authorization token's file (read when the token is needed) or value.
pub(super) fn container_source(
    profile: &Profile,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Container, ResolveError> {
    let var = |name| env(name).filter(|v: &String| !v.trim().is_empty());
    let uri = match (
        var("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"),
        var("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
    ) {
        (Some(relative), _) => format!("{CONTAINER_HOST}{relative}"),
        (None, Some(full)) => full,
        (None, None) => {
            return Err(ResolveError::ContainerNotConfigured {
                profile: profile.name().into(),
            });
        }
    };
    let token = match var("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") {
        Some(file) => Some(ContainerToken::File(file.into())),
        None => {
            var("AWS_CONTAINER_AUTHORIZATION_TOKEN").map(|t| ContainerToken::Value(Secret::new(t)))
        }
    };
    Ok(Container {
        profile: profile.name().into(),
        uri,
        token,
    })
}

const URL: &str = "an http:// or https:// URL";
const MODES: &str = "IPv4 or IPv6";

fn check_url(url: &str) -> Option<String> {
    let url = url.trim();
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))?;
    (!rest.is_empty()).then(|| url.trim_end_matches('/').to_owned())
}

fn mode_address(mode: &str) -> Option<String> {
    match mode.trim().to_ascii_lowercase().as_str() {
        "ipv4" => Some(IMDS_IPV4.into()),
        "ipv6" => Some(IMDS_IPV6.into()),
        _ => None,
    }
}

fn invalid(profile: &Profile, key: &'static str, expected: &str) -> ResolveError {
    ResolveError::InvalidValue {
        profile: profile.name().into(),
        key,
        location: profile.location(key),
        expected: expected.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ProfileFiles, parse};

    fn resolve(config: &str, vars: &[(&str, &str)]) -> Result<String, ResolveError> {
        let set = parse(&ProfileFiles::from_strings(config, "")).unwrap();
        let profile = set.profile("box").unwrap();
        let env = |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        };
        instance_source(profile, profile, &env).map(|instance| instance.endpoint)
    }

    #[test]
    fn the_instance_endpoint_comes_from_the_variable_the_profile_or_the_mode() {
        let plain = "[profile box]\ncredential_source = Ec2InstanceMetadata\n";
        assert_eq!(resolve(plain, &[]).unwrap(), IMDS_IPV4);
        let ipv6 = format!("{plain}ec2_metadata_service_endpoint_mode = IPv6\n");
        assert_eq!(resolve(&ipv6, &[]).unwrap(), IMDS_IPV6);
        let set = format!("{plain}ec2_metadata_service_endpoint = http://10.0.0.1:80/\n");
        assert_eq!(resolve(&set, &[]).unwrap(), "http://10.0.0.1:80");
        let var = [("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9")];
        assert_eq!(resolve(&set, &var).unwrap(), "http://127.0.0.1:9");
        let mode = [("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ipv6")];
        assert_eq!(resolve(plain, &mode).unwrap(), IMDS_IPV6);
    }

    #[test]
    fn bad_settings_and_a_disabled_service_are_refused() {
        let plain = "[profile box]\ncredential_source = Ec2InstanceMetadata\n";
        let off = [("AWS_EC2_METADATA_DISABLED", "TRUE")];
        assert!(matches!(
            resolve(plain, &off),
            Err(ResolveError::InstanceMetadataDisabled { .. })
        ));
        let not_off = [("AWS_EC2_METADATA_DISABLED", "false")];
        assert!(resolve(plain, &not_off).is_ok());
        let mode = format!("{plain}ec2_metadata_service_endpoint_mode = IPv5\n");
        let error = resolve(&mode, &[]).unwrap_err().to_string();
        assert!(error.contains("IPv4 or IPv6"), "{error}");
        assert!(error.contains(":3"), "{error}");
        let url = [("AWS_EC2_METADATA_SERVICE_ENDPOINT", "169.254.169.254")];
        let error = resolve(plain, &url).unwrap_err().to_string();
        assert!(
            error.contains("AWS_EC2_METADATA_SERVICE_ENDPOINT"),
            "{error}"
        );
    }
}
