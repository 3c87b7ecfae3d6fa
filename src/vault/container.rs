//! `credential_source = EcsContainer`: credentials from the container credentials endpoint
//! (ECS tasks, EKS pod identity), through aws-config's provider, which reads
//! `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` or `_FULL_URI` and the authorization token
//! (`AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]`) as every SDK does, and keeps their rule
//! that a full URI over plain HTTP must be a loopback or link-local address.

use aws_config::ecs::EcsCredentialsProvider;

use super::metadata::{self, METADATA_ATTEMPT_TIMEOUT};
use super::{Fetch, Run, Spec, VaultError};
use crate::cache::Key;
use crate::credentials::Credentials;
use crate::mfa::MfaCode;

/// What `rsume cache list` shows as the entry's subject.
const SUBJECT: &str = "container role";

#[derive(Debug)]
pub struct Container {
    /// The profile that names `credential_source`.
    pub profile: String,
    /// The endpoint as the variables give it (a relative URI already made whole).
    pub uri: String,
    /// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`, if set: another token is another caller.
    pub token_file: Option<String>,
}

impl Fetch for Container {
    fn key(&self) -> Key {
        Key::derive(&[
            "container",
            &self.uri,
            self.token_file.as_deref().unwrap_or(""),
        ])
    }

    fn spec(&self) -> Spec<'_> {
        metadata::role_spec(&self.profile, SUBJECT)
    }

    fn describe(&self) -> String {
        format!("container role from {}", self.uri)
    }

    fn fetch(
        &self,
        run: &mut Run<'_, '_>,
        _: Option<&Credentials>,
        _: Option<&MfaCode>,
    ) -> Result<Credentials, VaultError> {
        let endpoint = metadata::Endpoint {
            profile: &self.profile,
            service: "the container credentials endpoint",
            invalid: "the URI is not allowed: over http it must name a loopback or link-local address",
            url: &self.uri,
        };
        metadata::fetch(run, &endpoint, || {
            Ok(EcsCredentialsProvider::builder()
                .connect_timeout(METADATA_ATTEMPT_TIMEOUT)
                .read_timeout(METADATA_ATTEMPT_TIMEOUT)
                .build())
        })
    }
}
