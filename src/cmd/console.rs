//! `rsume console PROFILE`: a sign-in URL for the AWS console with a role's credentials, from
//! the federation endpoint's getSigninToken, opened in the browser (or printed with
//! `--print`). Only role credentials can sign in this way; for an IAM user it says so, since
//! GetFederationToken would need the long-term keys and drop MFA.

mod browser;

use std::path::PathBuf;

use super::{Env, Output, request};
use crate::cli::RequestArgs;
use crate::credentials::Credentials;
use crate::{http, log};

/// Points getSigninToken and the login URL elsewhere: for tests against a local fake.
const ENDPOINT_VARIABLE: &str = "RSUME_FEDERATION_ENDPOINT";

#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    #[error(
        "profile '{0}' ends in an IAM user's credentials, and the console signs in only with a role's; assume a role profile (GetFederationToken would need the long-term keys and drop MFA, so rsume does not use it)"
    )]
    NotARole(String),
    #[error(transparent)]
    Insecure(#[from] http::InsecureEndpoint),
    #[error("the federation endpoint {host} did not give a sign-in token: {problem}")]
    Federation { host: String, problem: String },
    #[error("could not start a browser ({0}); run again with --print and open the URL yourself")]
    Browser(String),
    #[error(
        "could not write the sign-in page under {}: {source}; run again with --print and open the URL yourself",
        dir.display()
    )]
    Page {
        dir: PathBuf,
        source: std::io::Error,
    },
}

pub fn run(
    profile: &str,
    print: bool,
    service: Option<&str>,
    args: &RequestArgs,
    env: Env<'_>,
) -> anyhow::Result<Output> {
    let got = request::get(Some(profile), args, env, |chain| {
        if chain.ends_in_user() {
            return Err(ConsoleError::NotARole(profile.into()).into());
        }
        Ok(())
    })?;
    let region = got
        .chain
        .region
        .clone()
        .unwrap_or_else(|| got.chain.sts.region.clone());
    let domains = Domains::for_region(&region);
    let endpoint = env(ENDPOINT_VARIABLE)
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| format!("https://{}/federation", domains.signin));
    http::check_endpoint(
        http::Service::Federation,
        &endpoint,
        &format_args!("from {ENDPOINT_VARIABLE}"),
        Some(profile),
        http::http_allowed(env),
    )
    .map_err(ConsoleError::from)?;
    let token = signin_token(&endpoint, &got.fetched.credentials, &got.chain.sts.http)?;
    let destination = match service {
        Some(service) => format!("https://{}/{service}/home?region={region}", domains.console),
        None => format!("https://{}/console/home?region={region}", domains.console),
    };
    let url = format!(
        "{endpoint}?{}",
        form_urlencoded::Serializer::new(String::new())
            .append_pair("Action", "login")
            .append_pair("Issuer", "rsume")
            .append_pair("Destination", &destination)
            .append_pair("SigninToken", &token)
            .finish()
    );
    if print {
        return Ok(Output::Text(url + "\n"));
    }
    let page = browser::open(&url, env)?;
    log::info(format_args!(
        "{profile}: opened the console in the browser (the link works for 15 minutes; it is in {}, readable only by you, which a later `rsume console` removes once it has expired)",
        page.display()
    ));
    Ok(Output::Text(String::new()))
}

/// The sign-in and console hosts of the region's partition.
struct Domains {
    signin: &'static str,
    console: &'static str,
}

impl Domains {
    fn for_region(region: &str) -> Domains {
        if region.starts_with("cn-") {
            Domains {
                signin: "signin.amazonaws.cn",
                console: "console.amazonaws.cn",
            }
        } else if region.starts_with("us-gov-") {
            Domains {
                signin: "signin.amazonaws-us-gov.com",
                console: "console.amazonaws-us-gov.com",
            }
        } else {
            Domains {
                signin: "signin.aws.amazon.com",
                console: "console.aws.amazon.com",
            }
        }
    }
}

/// getSigninToken with the role's credentials. The reply's body is never shown: only its
/// status, or that it held no token.
fn signin_token(
    endpoint: &str,
    credentials: &Credentials,
    settings: &http::HttpSettings,
) -> anyhow::Result<String> {
    let session = serde_json::json!({
        "sessionId": credentials.access_key_id,
        "sessionKey": credentials.secret_access_key.expose(),
        "sessionToken": credentials.session_token.as_ref().map(|t| t.expose()),
    });
    let url = format!(
        "{endpoint}?{}",
        form_urlencoded::Serializer::new(String::new())
            .append_pair("Action", "getSigninToken")
            .append_pair("Session", &session.to_string())
            .finish()
    );
    let runtime = crate::sdk::runtime()?;
    let failed = |problem: String| ConsoleError::Federation {
        host: host_of(endpoint),
        problem,
    };
    let (status, body) =
        http::get(settings, &url, &runtime).map_err(|error| failed(error.to_string()))?;
    if status != 200 {
        return Err(failed(format!("HTTP status {status}")).into());
    }
    #[derive(serde::Deserialize)]
    struct Reply {
        #[serde(rename = "SigninToken")]
        signin_token: String,
    }
    serde_json::from_slice::<Reply>(&body)
        .ok()
        .filter(|reply| !reply.signin_token.is_empty())
        .map(|reply| reply.signin_token)
        .ok_or_else(|| failed("the reply held no SigninToken".into()).into())
}

/// `scheme://host[:port]` of the federation endpoint, for messages: no path, no password.
fn host_of(endpoint: &str) -> String {
    let end = endpoint
        .find("://")
        .map(|at| at + 3)
        .and_then(|start| {
            endpoint[start..]
                .find(['/', '?', '#'])
                .map(|end| start + end)
        })
        .unwrap_or(endpoint.len());
    http::redacted(&endpoint[..end])
}
