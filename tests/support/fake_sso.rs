//! A small fake of the IAM Identity Center portal (`GetRoleCredentials`) and of SSO-OIDC
//! (`CreateToken` for a refresh) on `127.0.0.1:<random port>`, reached through
//! `AWS_ENDPOINT_URL_SSO` and `AWS_ENDPOINT_URL_SSO_OIDC`. The portal accepts only the
//! bearer tokens it was told about (and those it issued on a refresh), answering any other
//! with the portal's 401 `UnauthorizedException`, as AWS does for an expired token. Every
//! request is recorded.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{SystemTime, UNIX_EPOCH};

/// The token an SSO-OIDC refresh hands out.
pub const REFRESHED_TOKEN: &str = "refreshed-access-token";

/// One request as the fake saw it.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    /// Path and query.
    pub target: String,
    /// The `x-amz-sso_bearer_token` header, if any.
    pub bearer: Option<String>,
    pub body: String,
}

#[derive(Default)]
struct State {
    accepted: Vec<String>,
    requests: Vec<Request>,
}

pub struct FakeSso {
    port: u16,
    state: Arc<Mutex<State>>,
}

impl FakeSso {
    /// A portal that accepts `tokens`.
    pub fn start(tokens: &[&str]) -> FakeSso {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the fake SSO portal");
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State {
            accepted: tokens.iter().map(|t| t.to_string()).collect(),
            requests: Vec::new(),
        }));
        let shared = state.clone();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = shared.clone();
                thread::spawn(move || serve(stream, &state));
            }
        });
        FakeSso { port, state }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().unwrap().requests.clone()
    }

    /// How many `GetRoleCredentials` calls reached the portal.
    pub fn role_requests(&self) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.target.starts_with("/federation/credentials"))
            .count()
    }
}

fn serve(stream: TcpStream, state: &Mutex<State>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();
    let (mut length, mut bearer) = (0, None);
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            let value = value.trim().to_owned();
            match name.trim().to_ascii_lowercase().as_str() {
                "content-length" => length = value.parse().unwrap_or(0),
                "x-amz-sso_bearer_token" => bearer = Some(value),
                _ => {}
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    let request = Request {
        method,
        target,
        bearer,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let reply = answer(&request, state);
    state.lock().unwrap().requests.push(request);
    let (status, error_type, body) = reply;
    let mut head = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    if let Some(kind) = error_type {
        head.push_str(&format!("x-amzn-errortype: {kind}\r\n"));
    }
    let mut stream = stream;
    let _ = stream.write_all(format!("{head}\r\n{body}").as_bytes());
}

fn answer(request: &Request, state: &Mutex<State>) -> (&'static str, Option<&'static str>, String) {
    let mut state = state.lock().unwrap();
    if request.method == "POST" && request.target.starts_with("/token") {
        // The client registration `aws sso login` made, and its refresh token.
        let refresh = [
            "\"grantType\":\"refresh_token\"",
            "\"refreshToken\":\"the-refresh-token\"",
            "\"clientId\":\"the-client\"",
            "\"clientSecret\":\"the-client-secret\"",
        ]
        .iter()
        .all(|field| request.body.contains(field));
        if !refresh {
            return invalid_grant();
        }
        state.accepted.push(REFRESHED_TOKEN.into());
        let body = format!(
            r#"{{"accessToken":"{REFRESHED_TOKEN}","expiresIn":28800,"refreshToken":"the-refresh-token","tokenType":"Bearer"}}"#
        );
        return ("200 OK", None, body);
    }
    if request.method == "GET" && request.target.starts_with("/federation/credentials") {
        let known = request
            .bearer
            .as_ref()
            .is_some_and(|token| state.accepted.contains(token));
        if !known {
            return (
                "401 Unauthorized",
                Some("UnauthorizedException"),
                r#"{"message":"Session token not found or invalid"}"#.into(),
            );
        }
        let expiration = SystemTime::now()
            .checked_add(std::time::Duration::from_secs(3600))
            .unwrap()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis();
        let body = format!(
            r#"{{"roleCredentials":{{"accessKeyId":"ASIASSOROLEXXXXXXXXX","secretAccessKey":"sso-secret-wJalrXUtnFEMI/K7MDENG","sessionToken":"sso-session-token-IQoJb3JpZ2luX2Vj","expiration":{expiration}}}}}"#
        );
        return ("200 OK", None, body);
    }
    ("404 Not Found", Some("NotFound"), "{}".into())
}

fn invalid_grant() -> (&'static str, Option<&'static str>, String) {
    (
        "400 Bad Request",
        Some("InvalidGrantException"),
        r#"{"error":"invalid_grant"}"#.into(),
    )
}
