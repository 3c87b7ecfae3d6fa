//! `credential_source = Ec2InstanceMetadata`: the instance role's credentials from IMDSv2
//! (a session token by PUT, then the role's name and its credentials by GET), through
//! aws-config's provider. `resolve` picks the endpoint, so the client reads no file itself.

use aws_config::imds;
use aws_config::imds::credentials::ImdsCredentialsProvider;

use super::metadata::{self, METADATA_ATTEMPT_TIMEOUT};
use super::{Fetch, Root, Run, Spec, VaultError};
use crate::cache::Key;
use crate::credentials::Credentials;

/// What `rsume cache list` shows as the entry's subject.
const SUBJECT: &str = "EC2 instance role";

#[derive(Debug)]
pub struct Instance {
    /// The profile that names `credential_source`.
    pub profile: String,
    /// The metadata service's base URL, such as `http://169.254.169.254`.
    pub endpoint: String,
}

impl Fetch for Instance {
    /// An instance has one role at a time: the endpoint is who it is.
    fn key(&self) -> Key {
        Key::derive(&["instance", &self.endpoint])
    }

    fn spec(&self) -> Spec<'_> {
        metadata::role_spec(&self.profile, SUBJECT)
    }

    fn describe(&self) -> String {
        format!("instance role from {}", self.endpoint)
    }
}

impl Root for Instance {
    fn fetch(&self, run: &mut Run<'_, '_>) -> Result<Credentials, VaultError> {
        let endpoint = metadata::Endpoint {
            profile: &self.profile,
            service: "the instance metadata service",
            invalid: "the endpoint is not a valid URL",
            url: &self.endpoint,
        };
        metadata::fetch(run, &endpoint, || {
            let client = imds::Client::builder()
                .endpoint(&self.endpoint)
                .map_err(|_| "the endpoint is not a URL")?
                .connect_timeout(METADATA_ATTEMPT_TIMEOUT)
                .read_timeout(METADATA_ATTEMPT_TIMEOUT)
                .max_attempts(2)
                .build();
            Ok(ImdsCredentialsProvider::builder()
                .imds_client(client)
                .build())
        })
    }
}
