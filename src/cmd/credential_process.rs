//! `rsume credential-process PROFILE`: the profile's credentials as the JSON document, version
//! 1, that the AWS CLI and SDKs read from a `credential_process` command, so a profile can say
//! `credential_process = rsume credential-process admin` and every SDK gets its keys through
//! rsume's cache. An MFA code, when the session has ended, is asked for on the terminal.

use serde::Serialize;

use super::{Env, Output, request};
use crate::cli::RequestArgs;
use crate::time;

/// The fields the SDKs read; `Expiration` is left out for long-term keys, which tells them
/// not to refresh.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Document<'a> {
    version: u8,
    access_key_id: &'a str,
    secret_access_key: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    session_token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expiration: Option<String>,
    /// As the SDKs read it (`account_id_endpoint_mode`), when the plan knows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    account_id: Option<&'a str>,
}

pub fn run(profile: &str, args: &RequestArgs, env: Env<'_>) -> anyhow::Result<Output> {
    let got = request::get(Some(profile), args, env, |_| Ok(()))?;
    let credentials = &got.fetched.credentials;
    let document = Document {
        version: 1,
        access_key_id: &credentials.access_key_id,
        secret_access_key: credentials.secret_access_key.expose(),
        session_token: credentials.session_token.as_ref().map(|t| t.expose()),
        expiration: credentials.expiration.map(time::rfc3339),
        account_id: got.chain.account.as_deref(),
    };
    let mut text = serde_json::to_string(&document)?;
    text.push('\n');
    Ok(Output::Text(text))
}
