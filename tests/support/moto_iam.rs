//! moto's IAM driven directly, for what rsume does not do itself: an IAM user with keys for
//! rsume to sign with, and a look at the devices a run left behind. Also a plain HTTP
//! exchange, which [`super::fake_sts::Reply::forward`] uses to pass requests on to moto.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// One HTTP answer, read to the end.
pub struct HttpReply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Sends one request to `endpoint` (`http://HOST:PORT`) on a new connection that the
/// server closes after answering.
pub fn exchange(
    endpoint: &str,
    method: &str,
    path: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> HttpReply {
    let authority = endpoint
        .strip_prefix("http://")
        .expect("a plain http endpoint")
        .trim_end_matches('/');
    let mut stream = TcpStream::connect(authority).expect("connect to the upstream");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\n");
    for (name, value) in headers {
        let hop = [
            "connection",
            "content-length",
            "transfer-encoding",
            "expect",
        ];
        if !hop.iter().any(|h| name.eq_ignore_ascii_case(h)) {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .expect("read the upstream's answer");
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP head");
    let head = String::from_utf8_lossy(&answer[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .expect("a status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    assert!(
        !headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked")),
        "a chunked answer: not needed so far"
    );
    let mut body = answer[split + 4..].to_vec();
    let length = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok());
    if let Some(length) = length {
        body.truncate(length);
    }
    HttpReply {
        status,
        headers,
        body,
    }
}

/// One IAM Query call to moto, which picks the service from the signature's scope and does
/// not check the signature. Panics unless moto answers 200.
pub fn call(endpoint: &str, params: &[(&str, &str)]) -> String {
    let mut body = String::from("Version=2010-05-08");
    for (name, value) in params {
        body.push_str(&format!("&{name}={}", form_encode(value)));
    }
    let headers = [
        (
            "Host".to_owned(),
            endpoint.trim_start_matches("http://").to_owned(),
        ),
        (
            "Content-Type".to_owned(),
            "application/x-www-form-urlencoded; charset=utf-8".to_owned(),
        ),
        (
            "Authorization".to_owned(),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/iam/aws4_request, \
             SignedHeaders=host, Signature=0"
                .to_owned(),
        ),
    ];
    let reply = exchange(endpoint, "POST", "/", &headers, body.as_bytes());
    let text = String::from_utf8(reply.body).expect("moto answers UTF-8");
    assert_eq!(reply.status, 200, "moto IAM {params:?}: {text}");
    text
}

/// A new IAM user and its access key: (user, access key id, secret access key).
pub fn user_with_keys(endpoint: &str, name: &str) -> (String, String) {
    call(endpoint, &[("Action", "CreateUser"), ("UserName", name)]);
    let reply = call(
        endpoint,
        &[("Action", "CreateAccessKey"), ("UserName", name)],
    );
    (
        tag_values(&reply, "AccessKeyId").remove(0),
        tag_values(&reply, "SecretAccessKey").remove(0),
    )
}

/// The serials of the MFA devices assigned to `user`.
pub fn user_devices(endpoint: &str, user: &str) -> Vec<String> {
    let reply = call(
        endpoint,
        &[("Action", "ListMFADevices"), ("UserName", user)],
    );
    tag_values(&reply, "SerialNumber")
}

/// Every virtual device of the account with its seed (base32 text), assigned or not.
pub fn virtual_devices(endpoint: &str) -> Vec<(String, String)> {
    let reply = call(endpoint, &[("Action", "ListVirtualMFADevices")]);
    let serials = tag_values(&reply, "SerialNumber");
    let seeds = tag_values(&reply, "Base32StringSeed");
    serials
        .into_iter()
        .zip(
            seeds.iter().map(|seed| {
                String::from_utf8(base64_decode(seed)).expect("a base32 seed is ASCII")
            }),
        )
        .collect()
}

/// A virtual device created and enabled for `user`, as the console would; returns its serial.
pub fn enabled_device(endpoint: &str, user: &str, name: &str) -> String {
    let reply = call(
        endpoint,
        &[
            ("Action", "CreateVirtualMFADevice"),
            ("VirtualMFADeviceName", name),
        ],
    );
    let serial = tag_values(&reply, "SerialNumber").remove(0);
    call(
        endpoint,
        &[
            ("Action", "EnableMFADevice"),
            ("UserName", user),
            ("SerialNumber", &serial),
            ("AuthenticationCode1", "123456"),
            ("AuthenticationCode2", "234567"),
        ],
    );
    serial
}

/// The text of every `<tag>…</tag>`, in order.
pub fn tag_values(xml: &str, tag: &str) -> Vec<String> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    xml.split(&open)
        .skip(1)
        .filter_map(|rest| rest.split_once(&close).map(|(value, _)| value.to_owned()))
        .collect()
}

fn form_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Standard base64 with padding, as moto writes blobs.
pub fn base64_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut bits, mut count) = (0u32, 0);
    for byte in text.bytes().filter(|b| *b != b'=') {
        let value = ALPHABET
            .iter()
            .position(|a| *a == byte)
            .expect("base64 text") as u32;
        bits = (bits << 6) | value;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    out
}
