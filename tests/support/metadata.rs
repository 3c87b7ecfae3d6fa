//! A small fake of the credential endpoints on the machine itself: the EC2 instance
//! metadata service (IMDSv2) and the container credentials endpoint, on 127.0.0.1, counting
//! and recording every request so a test can prove a cached run sent none.

use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, SystemTime};

use super::fake_sts::rfc3339;

pub const IMDS_TOKEN: &str = "imds-session-token-AQAEAFake==";
pub const INSTANCE_ROLE: &str = "box-role";
pub const CONTAINER_AUTHORIZATION: &str = "Bearer container-token-0001";
/// Another caller's token, also accepted: a second task on the same endpoint.
pub const CONTAINER_AUTHORIZATION_2: &str = "Bearer container-token-0002";

/// One request as received: method, path and headers (names in lower case).
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the fake serves.
#[derive(Clone, Copy, Debug)]
pub enum Service {
    Imds,
    Container,
}

pub struct FakeMetadata {
    port: u16,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl FakeMetadata {
    /// Serves `service` on 127.0.0.1 with credentials whose access key is `access_key_id`,
    /// until the test process ends.
    pub fn start(service: Service, access_key_id: &str) -> FakeMetadata {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1:0");
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&requests);
        let access_key_id = access_key_id.to_owned();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                serve(stream, service, &access_key_id, &recorded);
            }
        });
        FakeMetadata { port, requests }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    pub fn request_count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}

/// Credentials in the JSON both endpoints use.
fn credentials_json(access_key_id: &str) -> String {
    let expiration = rfc3339(SystemTime::now() + Duration::from_secs(6 * 3600));
    format!(
        r#"{{"Code":"Success","LastUpdated":"2026-11-28T00:00:00Z","Type":"AWS-HMAC","AccessKeyId":"{access_key_id}","SecretAccessKey":"metadata/secret+key","Token":"metadata-session-token","Expiration":"{expiration}","RoleArn":"arn:aws:iam::123456789012:role/{INSTANCE_ROLE}"}}"#
    )
}

fn serve(stream: TcpStream, service: Service, access_key_id: &str, recorded: &Mutex<Vec<Request>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let path = parts.next().unwrap_or_default().to_owned();
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.trim_end().split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let request = Request {
        method,
        path,
        headers,
    };
    recorded.lock().unwrap().push(request.clone());
    let (status, extra, body) = answer(&request, service, access_key_id);
    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n{body}",
        body.len()
    );
}

fn answer(
    request: &Request,
    service: Service,
    access_key_id: &str,
) -> (&'static str, String, String) {
    let not_found = ("404 Not Found", String::new(), String::new());
    let unauthorized = ("401 Unauthorized", String::new(), String::new());
    match service {
        Service::Imds => {
            let credentials_path = "/latest/meta-data/iam/security-credentials/";
            if request.method == "PUT" && request.path == "/latest/api/token" {
                return (
                    "200 OK",
                    "x-aws-ec2-metadata-token-ttl-seconds: 21600\r\n".into(),
                    IMDS_TOKEN.into(),
                );
            }
            if request.header("x-aws-ec2-metadata-token") != Some(IMDS_TOKEN) {
                return unauthorized;
            }
            match request.path.strip_prefix(credentials_path) {
                Some("") => ("200 OK", String::new(), INSTANCE_ROLE.into()),
                Some(INSTANCE_ROLE) => ("200 OK", String::new(), credentials_json(access_key_id)),
                _ => not_found,
            }
        }
        Service::Container => {
            let token = request.header("authorization");
            if token != Some(CONTAINER_AUTHORIZATION) && token != Some(CONTAINER_AUTHORIZATION_2) {
                return unauthorized;
            }
            if request.method == "GET" && request.path == "/v2/credentials/task" {
                ("200 OK", String::new(), credentials_json(access_key_id))
            } else {
                not_found
            }
        }
    }
}
