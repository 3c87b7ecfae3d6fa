//! The IAM calls of `rsume mfa` and `rsume doctor`: who the keys belong to, and the life of
//! a virtual MFA device. Built only by those commands, never on the way to credentials, so
//! assuming a profile pays nothing for it.

mod error;

pub use error::IamError;

use std::sync::Arc;
use std::time::SystemTime;

use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};

use crate::credentials::{Credentials, Secret};
use crate::mfa::MfaCode;
use crate::sdk;

/// The variables that point IAM elsewhere, most specific first (as aws-config reads them).
const ENDPOINT_VARIABLES: [&str; 2] = ["AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL"];

/// The IAM user the keys belong to.
#[derive(Debug)]
pub struct User {
    pub name: String,
    pub arn: String,
}

impl User {
    /// The account id, from the ARN (`arn:aws:iam::123456789012:user/alice`).
    pub fn account(&self) -> &str {
        self.arn.split(':').nth(4).unwrap_or_default()
    }
}

/// A virtual device just created, not yet enabled. The seed is the TOTP key itself.
#[derive(Debug)]
pub struct NewDevice {
    pub serial: String,
    pub seed: Secret,
}

/// An MFA device assigned to a user.
#[derive(Debug)]
pub struct Device {
    pub serial: String,
    pub enabled: Option<SystemTime>,
}

pub struct Iam {
    /// The one runtime, kept alive while this client is.
    runtime: Arc<tokio::runtime::Runtime>,
    client: aws_sdk_iam::Client,
    /// The override and its variable, for the hint of a failed connection.
    endpoint: Option<(String, &'static str)>,
}

impl Iam {
    /// A client signing with `keys`; the endpoint comes from `AWS_ENDPOINT_URL_IAM` or
    /// `AWS_ENDPOINT_URL`, with the same plain-HTTP rule as STS.
    pub fn new(
        keys: &Credentials,
        region: &str,
        network: &crate::http::HttpSettings,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, IamError> {
        let endpoint = endpoint(env)?;
        let config = sdk::config::<aws_sdk_iam::config::Builder>(&sdk::Target {
            region,
            endpoint: endpoint.as_ref().map(|(url, _)| url.as_str()),
            attempt_timeout: sdk::ATTEMPT_TIMEOUT,
            http: network,
        })?
        .credentials_provider(aws_sdk_iam::config::Credentials::new(
            &keys.access_key_id,
            keys.secret_access_key.expose(),
            keys.session_token.as_ref().map(|t| t.expose().to_owned()),
            None,
            "rsume",
        ));
        if let Some((url, variable)) = &endpoint {
            crate::log::info(format_args!("IAM endpoint {url} (from {variable})"));
        }
        let runtime = sdk::runtime().map_err(IamError::Runtime)?;
        let client = sdk::build(&runtime, || aws_sdk_iam::Client::from_conf(config.build()));
        Ok(Self {
            runtime,
            client,
            endpoint,
        })
    }

    /// GetUser without a name: the user the keys belong to.
    pub fn user(&self) -> Result<User, IamError> {
        let output = self.send(self.client.get_user().send())?;
        let user = output.user().ok_or(IamError::BadReply)?;
        if user.arn().ends_with(":root") {
            return Err(IamError::RootKeys);
        }
        if user.user_name().is_empty() {
            return Err(IamError::BadReply);
        }
        Ok(User {
            name: user.user_name().to_owned(),
            arn: user.arn().to_owned(),
        })
    }

    pub fn create_virtual_device(&self, name: &str) -> Result<NewDevice, IamError> {
        let output = self.send(
            self.client
                .create_virtual_mfa_device()
                .virtual_mfa_device_name(name)
                .send(),
        )?;
        let device = output.virtual_mfa_device().ok_or(IamError::BadReply)?;
        let seed = device
            .base32_string_seed()
            .and_then(|blob| std::str::from_utf8(blob.as_ref()).ok())
            .filter(|seed| is_base32(seed))
            .ok_or(IamError::BadReply)?;
        Ok(NewDevice {
            serial: device.serial_number().to_owned(),
            seed: Secret::new(seed),
        })
    }

    pub fn enable(&self, user: &str, serial: &str, codes: [&MfaCode; 2]) -> Result<(), IamError> {
        self.send(
            self.client
                .enable_mfa_device()
                .user_name(user)
                .serial_number(serial)
                .authentication_code1(codes[0].expose())
                .authentication_code2(codes[1].expose())
                .send(),
        )
        .map(drop)
    }

    /// Every MFA device of `user`, all pages.
    pub fn devices(&self, user: &str) -> Result<Vec<Device>, IamError> {
        let mut devices = Vec::new();
        let mut marker = None;
        loop {
            let page = self.send(
                self.client
                    .list_mfa_devices()
                    .user_name(user)
                    .set_marker(marker.take())
                    .send(),
            )?;
            devices.extend(page.mfa_devices().iter().map(|d| Device {
                serial: d.serial_number().to_owned(),
                enabled: SystemTime::try_from(*d.enable_date()).ok(),
            }));
            match page.marker() {
                Some(next) if page.is_truncated() => marker = Some(next.to_owned()),
                _ => return Ok(devices),
            }
        }
    }

    pub fn deactivate(&self, user: &str, serial: &str) -> Result<(), IamError> {
        self.send(
            self.client
                .deactivate_mfa_device()
                .user_name(user)
                .serial_number(serial)
                .send(),
        )
        .map(drop)
    }

    pub fn delete_virtual_device(&self, serial: &str) -> Result<(), IamError> {
        self.send(
            self.client
                .delete_virtual_mfa_device()
                .serial_number(serial)
                .send(),
        )
        .map(drop)
    }

    fn send<O, E>(
        &self,
        request: impl Future<Output = Result<O, SdkError<E>>>,
    ) -> Result<O, IamError>
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        sdk::wait(&self.runtime, request, || {})
            .map_err(|error| IamError::from_sdk(error, self.endpoint.as_ref()))
    }
}

/// The endpoint override and the variable that set it, refused when plain HTTP would carry
/// the seed and the signature off this machine.
fn endpoint(
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<(String, &'static str)>, IamError> {
    let Some((url, variable)) = ENDPOINT_VARIABLES
        .into_iter()
        .find_map(|name| env(name).filter(|v| !v.is_empty()).map(|url| (url, name)))
    else {
        return Ok(None);
    };
    crate::http::check_endpoint(
        crate::http::Service::Iam,
        &url,
        &format_args!("from {variable}"),
        None,
        crate::http::http_allowed(env),
    )?;
    Ok(Some((url, variable)))
}

/// RFC 4648 base32 (with optional padding), as IAM sends the seed.
fn is_base32(text: &str) -> bool {
    !text.is_empty()
        && text
            .trim_end_matches('=')
            .bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn the_iam_variable_wins_and_plain_http_stays_local() {
        let both = env_of(&[
            ("AWS_ENDPOINT_URL_IAM", "http://127.0.0.1:5000"),
            ("AWS_ENDPOINT_URL", "https://elsewhere.example"),
        ]);
        assert_eq!(
            endpoint(&both).unwrap(),
            Some(("http://127.0.0.1:5000".into(), "AWS_ENDPOINT_URL_IAM"))
        );
        assert_eq!(endpoint(&env_of(&[])).unwrap(), None);
        let remote = env_of(&[("AWS_ENDPOINT_URL", "http://iam.example.com")]);
        let error = endpoint(&remote).unwrap_err().to_string();
        assert!(
            error.contains("http://iam.example.com (from AWS_ENDPOINT_URL)"),
            "{error}"
        );
        let allowed = env_of(&[
            ("AWS_ENDPOINT_URL", "http://iam.example.com"),
            ("RSUME_ALLOW_HTTP_ENDPOINT", "1"),
        ]);
        assert!(endpoint(&allowed).unwrap().is_some());
    }

    #[test]
    fn seeds_are_base32() {
        assert!(is_base32("JBSWY3DPEHPK3PXP"));
        assert!(is_base32("JBSWY3DP========"));
        assert!(!is_base32(""));
        assert!(!is_base32("jbswy3dp"));
        assert!(!is_base32("JBSW Y3DP"));
        assert!(!is_base32("ABC1"));
    }
}
