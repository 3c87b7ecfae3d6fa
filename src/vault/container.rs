//! `credential_source = EcsContainer`: credentials from the container credentials endpoint
//! (ECS tasks, EKS pod identity) named by `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` or
//! `_FULL_URI`, asked with the authorization token of `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`
//! (read through the one bounded reader) or `AWS_CONTAINER_AUTHORIZATION_TOKEN`, trimmed of
//! the whitespace a file usually ends with. The SDKs' rule stays: a URI over plain HTTP
//! must name a loopback address or the container endpoint's own. Each failure says which.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, ToSocketAddrs};
use std::path::PathBuf;
use std::time::SystemTime;

use sha2::{Digest, Sha256};

use super::metadata;
use super::{Fetch, Root, Run, Spec, VaultError};
use crate::cache::Key;
use crate::credentials::{Credentials, Secret};
use crate::fs::{self, Contents};

/// What `rsume cache list` shows as the entry's subject.
const SUBJECT: &str = "container role";
const SERVICE: &str = "the container credentials endpoint";
const TOKEN_FILE: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";
const TOKEN_VARIABLE: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
/// The addresses the SDKs allow over plain HTTP besides loopback: ECS, and EKS pod identity.
const CONTAINER_ADDRESSES: [IpAddr; 3] = [
    IpAddr::V4(Ipv4Addr::new(169, 254, 170, 2)),
    IpAddr::V4(Ipv4Addr::new(169, 254, 170, 23)),
    IpAddr::V6(Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x23)),
];
const NOT_ALLOWED: &str = "over http:// the URI must name a loopback address or the container endpoint (169.254.170.2, 169.254.170.23 or fd00:ec2::23)";

#[derive(Debug)]
pub struct Container {
    /// The profile that names `credential_source`.
    pub profile: String,
    /// The endpoint as the variables give it (a relative URI already made whole).
    pub uri: String,
    /// The authorization token, if one is set: another token is another caller.
    pub token: Option<ContainerToken>,
}

/// Where the authorization token comes from; the file wins, as in the SDKs.
#[derive(Debug)]
pub enum ContainerToken {
    File(PathBuf),
    Value(Secret),
}

impl Fetch for Container {
    /// The URI and a digest of the token (never the token itself): two tokens on one URI
    /// are two callers. A token that cannot be read gets a key no fetch ever stores.
    fn key(&self) -> Key {
        let token = match self.authorization() {
            Ok(Some(token)) => hex::encode(Sha256::digest(token.expose().as_bytes())),
            Ok(None) => String::new(),
            Err(_) => "unreadable".into(),
        };
        Key::derive(&["container", &self.uri, &token])
    }

    fn spec(&self) -> Spec<'_> {
        metadata::role_spec(&self.profile, SUBJECT)
    }

    fn describe(&self) -> String {
        format!("container role from {}", self.uri)
    }
}

impl Root for Container {
    fn fetch(&self, run: &mut Run<'_, '_>) -> Result<Credentials, VaultError> {
        let failed = |problem: String| VaultError::Metadata {
            profile: self.profile.clone(),
            service: SERVICE,
            url: self.uri.clone(),
            problem,
        };
        check_uri(&self.uri).map_err(|problem| failed(problem.into()))?;
        let token = self.authorization().map_err(failed)?;
        let headers: Vec<(&str, &str)> = token
            .iter()
            .map(|token| ("authorization", token.expose()))
            .collect();
        crate::log::debug(format_args!(
            "asking {SERVICE} at {} for credentials",
            self.uri
        ));
        // Straight to the endpoint, as the SDKs go: it is on the machine or its link. Plain
        // HTTP is allowed because `check_uri` already held the URI to the SDKs' rule for
        // container endpoints (loopback, or the ECS and EKS link-local addresses).
        let direct = crate::http::HttpSettings {
            allow_plain_http: true,
            ..Default::default()
        };
        let (status, body) = crate::http::get_with(&direct, &self.uri, &headers, run.runtime()?)
            .map_err(|error| failed(format!("no answer ({error})")))?;
        match status {
            200 => parse(&body).map_err(|problem| failed(problem.into())),
            401 | 403 => Err(failed(format!(
                "it refused the authorization token (HTTP {status}); check {TOKEN_FILE} or {TOKEN_VARIABLE}"
            ))),
            _ => Err(failed(format!("it answered HTTP {status}"))),
        }
    }
}

impl Container {
    /// The token to send, trimmed; each way it can be unusable has its own words.
    fn authorization(&self) -> Result<Option<Secret>, String> {
        let (text, from) = match &self.token {
            None => return Ok(None),
            Some(ContainerToken::Value(value)) => {
                (value.expose().to_owned(), TOKEN_VARIABLE.to_owned())
            }
            Some(ContainerToken::File(path)) => {
                let text = fs::read_text(path, Contents::Token)
                    .map_err(|error| format!("{error} ({TOKEN_FILE})"))?;
                (text, format!("in {} ({TOKEN_FILE})", path.display()))
            }
        };
        let token = text.trim();
        if token.is_empty() {
            return Err(format!("the authorization token {from} is empty"));
        }
        if ::http::HeaderValue::from_str(token).is_err() {
            return Err(format!(
                "the authorization token {from} holds characters an HTTP header cannot carry"
            ));
        }
        Ok(Some(Secret::new(token)))
    }
}

/// The SDKs' rule for the URI: any `https://`; `http://` only to loopback or the container
/// endpoint, a name counting only when every address it resolves to does.
fn check_uri(uri: &str) -> Result<(), &'static str> {
    let parsed: ::http::Uri = uri.parse().map_err(|_| "it is not a URL")?;
    match parsed.scheme_str() {
        Some("https") => return Ok(()),
        Some("http") => {}
        _ => return Err("it is neither an http:// nor an https:// URL"),
    }
    let host = parsed.host().ok_or("it names no host")?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let allowed = |ip: &IpAddr| ip.is_loopback() || CONTAINER_ADDRESSES.contains(ip);
    let fine = match host.parse::<IpAddr>() {
        Ok(ip) => allowed(&ip),
        Err(_) => {
            let addresses: Vec<_> = (host, parsed.port_u16().unwrap_or(80))
                .to_socket_addrs()
                .map_err(|_| "its host name does not resolve")?
                .collect();
            !addresses.is_empty() && addresses.iter().all(|a| allowed(&a.ip()))
        }
    };
    if fine { Ok(()) } else { Err(NOT_ALLOWED) }
}

/// The endpoint's JSON, read into a private type with no `Debug`; no message quotes it.
#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    access_key_id: Option<String>,
    secret_access_key: Option<String>,
    token: Option<String>,
    expiration: Option<String>,
}

fn parse(body: &[u8]) -> Result<Credentials, &'static str> {
    let answer: Answer =
        serde_json::from_slice(body).map_err(|_| "its answer is not credentials JSON")?;
    let (Some(access_key_id), Some(secret)) = (answer.access_key_id, answer.secret_access_key)
    else {
        return Err("its answer holds no AccessKeyId and SecretAccessKey");
    };
    let expiration = answer
        .expiration
        .as_deref()
        .and_then(crate::time::parse_rfc3339)
        .ok_or("its answer has no Expiration as an RFC 3339 time")?;
    if expiration <= SystemTime::now() {
        return Err("its answer has expired already");
    }
    Ok(Credentials {
        access_key_id,
        secret_access_key: Secret::new(secret),
        session_token: answer.token.filter(|t| !t.is_empty()).map(Secret::new),
        expiration: Some(expiration),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_goes_only_to_loopback_or_the_container_endpoint() {
        for fine in [
            "http://127.0.0.1:8080/creds",
            "http://[::1]/creds",
            "http://169.254.170.2/v2/credentials/x",
            "http://169.254.170.23/v1/credentials",
            "http://[fd00:ec2::23]/v1/credentials",
            "http://localhost/creds",
            "https://creds.example.com/x",
        ] {
            assert_eq!(check_uri(fine), Ok(()), "{fine}");
        }
        assert_eq!(check_uri("http://10.0.0.1/creds"), Err(NOT_ALLOWED));
        assert_eq!(check_uri("http://169.254.169.254/"), Err(NOT_ALLOWED));
        assert!(check_uri("ftp://127.0.0.1/").is_err());
    }

    #[test]
    fn tokens_are_trimmed_and_bad_ones_named() {
        let dir = tempfile::tempdir().unwrap();
        let container = |token| Container {
            profile: "p".into(),
            uri: "http://127.0.0.1/".into(),
            token: Some(token),
        };
        let file = dir.path().join("token");
        std::fs::write(&file, "Bearer abc\n").unwrap();
        let read = container(ContainerToken::File(file.clone())).authorization();
        assert_eq!(read.unwrap().unwrap().expose(), "Bearer abc");
        std::fs::write(&file, " \n").unwrap();
        let empty = container(ContainerToken::File(file.clone())).authorization();
        assert!(empty.unwrap_err().contains("is empty"));
        let bad = container(ContainerToken::Value(Secret::new("a\u{1}b"))).authorization();
        assert!(bad.unwrap_err().contains("cannot carry"));
        let other = container(ContainerToken::Value(Secret::new("Bearer xyz")));
        let first = container(ContainerToken::File(file.clone()));
        std::fs::write(&file, "Bearer abc").unwrap();
        assert_ne!(first.key(), other.key());
        let key = first.key();
        assert!(!key.as_str().contains("abc"));
    }
}
