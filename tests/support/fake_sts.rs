//! A scripted fake of AWS STS that answers with real STS Query-protocol XML,
//! including error bodies, so tests can drive `rsume` into every failure path.
//!
//! [`FakeSts::start`] takes a script: the n-th request gets the n-th
//! [`Reply`]. When the script runs out, **the last reply is repeated** for
//! every further request (an empty script answers every request with HTTP 500
//! `FakeStsEmptyScript`). Every request is recorded and available through
//! [`FakeSts::requests`].
//!
//! The server is plain HTTP/1.1 on `127.0.0.1:<random port>`, one thread per
//! connection, with keep-alive, `Connection: close`, `Expect: 100-continue`
//! and chunked request bodies. Dropping the [`FakeSts`] stops it, including
//! connections parked in [`Reply::hang`] or [`Reply::delay`].

// Each integration-test binary uses only part of the support code.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// XML namespace of every STS response.
pub const STS_XMLNS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// Account used where the fake has to invent one.
pub const FAKE_ACCOUNT: &str = "123456789012";

/// ARN reported by `GetCallerIdentity` under [`Reply::auto`].
pub const FAKE_USER_ARN: &str = "arn:aws:iam::123456789012:user/alice";

// ---------------------------------------------------------------------------
// Credentials

/// Temporary credentials the fake hands out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeCreds {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    /// Rendered as RFC 3339 UTC (`2026-01-02T03:04:05Z`); sub-seconds are dropped.
    pub expiration: SystemTime,
}

impl FakeCreds {
    /// Recognisable credentials expiring `valid_for` from now (whole seconds).
    ///
    /// The values are derived from `tag` only (same tag, same keys), so use a
    /// different tag per step when a test must tell them apart:
    /// access key `ASIA<TAG>XXX…` (20+ chars, upper-case alphanumerics of the tag),
    /// secret `SECRET-<tag>-…`, session token `TOKEN-<tag>-…`. Secret and token
    /// contain `/`, `+` and `=` like real ones, to exercise shell quoting.
    pub fn new(tag: &str, valid_for: Duration) -> FakeCreds {
        let key_tag: String = tag
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let mut access_key_id = format!("ASIA{key_tag}");
        while access_key_id.len() < 20 {
            access_key_id.push('X');
        }
        let expiration = whole_seconds(SystemTime::now() + valid_for);
        FakeCreds {
            access_key_id,
            secret_access_key: format!("SECRET-{tag}-wJalrXUtnFEMI/K7MDENG+bPxRfiCY"),
            session_token: format!(
                "TOKEN-{tag}-IQoJb3JpZ2luX2VjEAoaCXVzLWVhc3QtMSJHMEUCIQD+/Ex4mPl3T0k3n{}==",
                "Fq9zR+hY/wLb2Kc8".repeat(8)
            ),
            expiration,
        }
    }

    /// The expiration as it appears in the XML.
    pub fn expiration_rfc3339(&self) -> String {
        rfc3339(self.expiration)
    }
}

// ---------------------------------------------------------------------------
// Replies

/// One scripted answer. Build with the constructors below.
#[derive(Clone, Debug)]
pub struct Reply(Kind);

#[derive(Clone, Debug)]
enum Kind {
    SessionToken(FakeCreds),
    /// A GetSessionToken reply with hand-made `<Credentials>` and any status.
    SessionTokenXml {
        status: u16,
        credentials: String,
    },
    AssumeRole {
        creds: FakeCreds,
        /// `None`: take the request's `RoleArn`.
        role_arn: Option<String>,
    },
    CallerIdentity {
        arn: String,
    },
    Auto(FakeCreds),
    Error {
        status: u16,
        code: String,
        message: String,
    },
    Raw {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    Hang,
    Disconnect,
    Delay(Duration, Box<Reply>),
    ClockOff(i64, Box<Reply>),
    Forward(String),
    Minting(Arc<Mint>),
}

/// What [`Reply::minting`] issued: fresh credentials per call, each valid for `valid_for`.
#[derive(Debug)]
pub struct Mint {
    valid_for: Duration,
    issued: Mutex<Vec<FakeCreds>>,
}

impl Mint {
    /// Every set of credentials issued so far, in order.
    pub fn issued(&self) -> Vec<FakeCreds> {
        self.issued
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Reply {
    /// `GetSessionTokenResponse` carrying `creds`.
    pub fn session_token(creds: &FakeCreds) -> Reply {
        Reply(Kind::SessionToken(creds.clone()))
    }

    /// A `GetSessionTokenResponse` with status `status` whose `<Credentials>` XML for `creds`
    /// passes through `edit` first, unescaped: for replies the SDK cannot read, such as an
    /// `<Expiration>` of `garbage` or a `&#1;` inside the secret.
    pub fn session_token_edited(
        status: u16,
        creds: &FakeCreds,
        edit: impl FnOnce(String) -> String,
    ) -> Reply {
        Reply(Kind::SessionTokenXml {
            status,
            credentials: edit(credentials_xml(creds)),
        })
    }

    /// `AssumeRoleResponse` carrying `creds`, with `AssumedRoleUser` derived
    /// from `role_arn` and the request's `RoleSessionName`
    /// (`arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION`). `PackedPolicySize`
    /// is included when the request passed `Policy` or `PolicyArns`, and
    /// `SourceIdentity` when the request passed one.
    pub fn assume_role(creds: &FakeCreds, role_arn: &str) -> Reply {
        Reply(Kind::AssumeRole {
            creds: creds.clone(),
            role_arn: Some(role_arn.to_owned()),
        })
    }

    /// `GetCallerIdentityResponse` for `arn` (account taken from the ARN).
    pub fn caller_identity(arn: &str) -> Reply {
        Reply(Kind::CallerIdentity {
            arn: arn.to_owned(),
        })
    }

    /// Answers by the request's `Action`: `GetSessionToken` and `AssumeRole`
    /// (role from the request's `RoleArn`) with `creds`, `GetCallerIdentity`
    /// with [`FAKE_USER_ARN`]; anything else gets STS's 400 `InvalidAction`.
    pub fn auto(creds: &FakeCreds) -> Reply {
        Reply(Kind::Auto(creds.clone()))
    }

    /// A real STS error body (`<ErrorResponse>`, `Type` `Sender` for 4xx and
    /// `Receiver` for 5xx).
    pub fn error(status: u16, code: &str, message: &str) -> Reply {
        Reply(Kind::Error {
            status,
            code: code.to_owned(),
            message: message.to_owned(),
        })
    }

    /// 403 `InvalidClientTokenId` (unknown or deleted access key).
    pub fn invalid_client_token_id() -> Reply {
        Reply::error(
            403,
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
        )
    }

    /// 403 `SignatureDoesNotMatch` (wrong secret key).
    pub fn signature_does_not_match() -> Reply {
        Reply::error(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. \
             Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
        )
    }

    /// 400 `ExpiredToken` (the signing session credentials expired).
    pub fn expired_token() -> Reply {
        Reply::error(
            400,
            "ExpiredToken",
            "The security token included in the request is expired",
        )
    }

    /// 403 `AccessDenied` for `sts:AssumeRole`.
    pub fn access_denied() -> Reply {
        Reply::error(
            403,
            "AccessDenied",
            "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: \
             sts:AssumeRole on resource: arn:aws:iam::123456789012:role/x",
        )
    }

    /// 403 `AccessDenied` as STS sends it for a wrong MFA code (trailing space included).
    pub fn mfa_failed() -> Reply {
        Reply::error(
            403,
            "AccessDenied",
            "MultiFactorAuthentication failed with invalid MFA one time pass code. ",
        )
    }

    /// 403 `RegionDisabledException` (STS not activated in the region).
    pub fn region_disabled() -> Reply {
        Reply::error(
            403,
            "RegionDisabledException",
            "STS is not activated in this region for account:123456789012. \
             Your account administrator can activate STS in this region using the IAM Console.",
        )
    }

    /// 400 `Throttling` (the SDK retries it).
    pub fn throttling() -> Reply {
        Reply::error(400, "Throttling", "Rate exceeded")
    }

    /// 400 `ValidationError` about a too-short `roleArn`.
    pub fn validation_error() -> Reply {
        Reply::error(
            400,
            "ValidationError",
            "1 validation error detected: Value 'x' at 'roleArn' failed to satisfy constraint: \
             Member must have length greater than or equal to 20",
        )
    }

    /// 500 `InternalFailure` (`Type` `Receiver`; the SDK retries it).
    pub fn internal_failure() -> Reply {
        Reply::error(
            500,
            "InternalFailure",
            "The request processing has failed because of an unknown error, exception or failure.",
        )
    }

    /// Exactly this status, these headers and this body; nothing is added
    /// except `Content-Length` (when `headers` has neither `Content-Length`
    /// nor `Transfer-Encoding`). If `headers` sets one of those, the
    /// connection is closed after the body, so a `Content-Length` larger
    /// than the body simulates a truncated response.
    pub fn raw(status: u16, headers: &[(&str, &str)], body: impl Into<Vec<u8>>) -> Reply {
        Reply(Kind::Raw {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            body: body.into(),
        })
    }

    /// Reads and records the request, then never answers; the connection is
    /// only closed when the [`FakeSts`] is dropped. Use with a client timeout.
    pub fn hang() -> Reply {
        Reply(Kind::Hang)
    }

    /// Reads and records the request, then closes the connection without
    /// sending anything.
    pub fn disconnect() -> Reply {
        Reply(Kind::Disconnect)
    }

    /// Records the request and passes it on to `upstream` (moto), answering with moto's
    /// answer: a recording proxy, for what moto does not check (an MFA code, for one).
    pub fn forward(upstream: &str) -> Reply {
        Reply(Kind::Forward(upstream.to_owned()))
    }

    /// Waits `delay` (cut short if the server is dropped), then answers with `then`.
    pub fn delay(delay: Duration, then: Reply) -> Reply {
        Reply(Kind::Delay(delay, Box::new(then)))
    }

    /// `then`, with a `Date` header `seconds` ahead of the real time (behind when negative),
    /// as from a server whose clock is off, or seen from a client whose clock is.
    pub fn clock_off(seconds: i64, then: Reply) -> Reply {
        Reply(Kind::ClockOff(seconds, Box::new(then)))
    }

    /// Like [`Reply::auto`], but `GetSessionToken` and `AssumeRole` mint new credentials valid
    /// for `valid_for` from the moment of each call (tags `mint0`, `mint1`, …), and a
    /// `GetCallerIdentity` signed with minted credentials that have expired gets STS's
    /// `ExpiredToken`, as the real STS answers. The [`Mint`] reports what was issued.
    pub fn minting(valid_for: Duration) -> (Reply, Arc<Mint>) {
        let mint = Arc::new(Mint {
            valid_for,
            issued: Mutex::new(Vec::new()),
        });
        (Reply(Kind::Minting(Arc::clone(&mint))), mint)
    }

    fn render(&self, req: &Request) -> Response {
        match &self.0 {
            Kind::Minting(mint) => {
                let mut issued = mint.issued.lock().unwrap_or_else(PoisonError::into_inner);
                if req.action == "GetCallerIdentity" {
                    let signer = req.access_key_id().unwrap_or_default();
                    let expired = issued
                        .iter()
                        .any(|c| c.access_key_id == signer && c.expiration <= SystemTime::now());
                    drop(issued);
                    return if expired {
                        Reply::expired_token().render(req)
                    } else {
                        Reply::caller_identity(FAKE_USER_ARN).render(req)
                    };
                }
                let creds = FakeCreds::new(&format!("mint{}", issued.len()), mint.valid_for);
                issued.push(creds.clone());
                drop(issued);
                Reply::auto(&creds).render(req)
            }
            Kind::ClockOff(seconds, then) => {
                let mut response = then.render(req);
                let at = if *seconds >= 0 {
                    SystemTime::now() + Duration::from_secs(seconds.unsigned_abs())
                } else {
                    SystemTime::now() - Duration::from_secs(seconds.unsigned_abs())
                };
                response
                    .headers
                    .retain(|(name, _)| !name.eq_ignore_ascii_case("date"));
                response.headers.push(("Date".to_owned(), http_date(at)));
                response
            }
            Kind::SessionToken(creds) => sts_ok(
                "GetSessionToken",
                &format!("\n{}  ", credentials_xml(creds)),
                &req.request_id,
            ),
            Kind::SessionTokenXml {
                status,
                credentials,
            } => {
                let mut response = sts_ok(
                    "GetSessionToken",
                    &format!("\n{credentials}  "),
                    &req.request_id,
                );
                response.status = *status;
                response
            }
            Kind::AssumeRole { creds, role_arn } => {
                let role_arn = role_arn
                    .as_deref()
                    .or_else(|| req.field("RoleArn"))
                    .unwrap_or("arn:aws:iam::123456789012:role/unknown");
                sts_ok(
                    "AssumeRole",
                    &assume_role_result(creds, role_arn, req),
                    &req.request_id,
                )
            }
            Kind::CallerIdentity { arn } => sts_ok(
                "GetCallerIdentity",
                &caller_identity_result(arn),
                &req.request_id,
            ),
            Kind::Auto(creds) => match req.action.as_str() {
                "GetSessionToken" => Reply::session_token(creds).render(req),
                "AssumeRole" => Reply(Kind::AssumeRole {
                    creds: creds.clone(),
                    role_arn: None,
                })
                .render(req),
                "GetCallerIdentity" => Reply::caller_identity(FAKE_USER_ARN).render(req),
                other => Reply::error(
                    400,
                    "InvalidAction",
                    &format!("Could not find operation {other} for version 2011-06-15"),
                )
                .render(req),
            },
            Kind::Error {
                status,
                code,
                message,
            } => {
                let kind = if *status >= 500 { "Receiver" } else { "Sender" };
                let body = format!(
                    "<ErrorResponse xmlns=\"{STS_XMLNS}\">\n  <Error>\n    <Type>{kind}</Type>\n    \
                     <Code>{}</Code>\n    <Message>{}</Message>\n  </Error>\n  \
                     <RequestId>{}</RequestId>\n</ErrorResponse>\n",
                    xml_escape(code),
                    xml_escape(message),
                    xml_escape(&req.request_id)
                );
                sts_response(*status, body, &req.request_id)
            }
            Kind::Raw {
                status,
                headers,
                body,
            } => {
                let framed = headers.iter().any(|(k, _)| {
                    k.eq_ignore_ascii_case("content-length")
                        || k.eq_ignore_ascii_case("transfer-encoding")
                });
                Response {
                    status: *status,
                    headers: headers.clone(),
                    body: body.clone(),
                    add_content_length: !framed,
                    close: framed,
                }
            }
            Kind::Forward(upstream) => {
                let reply = super::moto_iam::exchange(
                    upstream,
                    &req.method,
                    &req.path,
                    &req.headers,
                    &req.body,
                );
                Response {
                    status: reply.status,
                    headers: reply
                        .headers
                        .into_iter()
                        .filter(|(k, _)| {
                            !["connection", "content-length", "transfer-encoding"]
                                .iter()
                                .any(|hop| k.eq_ignore_ascii_case(hop))
                        })
                        .collect(),
                    body: reply.body,
                    add_content_length: true,
                    close: false,
                }
            }
            Kind::Hang | Kind::Disconnect | Kind::Delay(..) => {
                unreachable!("handled by the connection loop")
            }
        }
    }
}

fn credentials_xml(creds: &FakeCreds) -> String {
    format!(
        "    <Credentials>\n      <AccessKeyId>{}</AccessKeyId>\n      \
         <SecretAccessKey>{}</SecretAccessKey>\n      <SessionToken>{}</SessionToken>\n      \
         <Expiration>{}</Expiration>\n    </Credentials>\n",
        xml_escape(&creds.access_key_id),
        xml_escape(&creds.secret_access_key),
        xml_escape(&creds.session_token),
        rfc3339(creds.expiration)
    )
}

fn assume_role_result(creds: &FakeCreds, role_arn: &str, req: &Request) -> String {
    let role = parse_role_arn(role_arn);
    let session = req.field("RoleSessionName").unwrap_or("session");
    let role_id: String = role
        .name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .chain(std::iter::repeat('X'))
        .take(17)
        .collect();
    let mut out = format!(
        "\n{}    <AssumedRoleUser>\n      <AssumedRoleId>AROA{role_id}:{}</AssumedRoleId>\n      \
         <Arn>arn:{}:sts::{}:assumed-role/{}/{}</Arn>\n    </AssumedRoleUser>\n",
        credentials_xml(creds),
        xml_escape(session),
        xml_escape(&role.partition),
        xml_escape(&role.account),
        xml_escape(&role.name),
        xml_escape(session)
    );
    let has_policy = req
        .fields
        .iter()
        .any(|(k, _)| k == "Policy" || k.starts_with("PolicyArns."));
    if has_policy {
        out.push_str("    <PackedPolicySize>6</PackedPolicySize>\n");
    }
    if let Some(source) = req.field("SourceIdentity") {
        out.push_str(&format!(
            "    <SourceIdentity>{}</SourceIdentity>\n",
            xml_escape(source)
        ));
    }
    out.push_str("  ");
    out
}

fn caller_identity_result(arn: &str) -> String {
    let account = arn.split(':').nth(4).unwrap_or(FAKE_ACCOUNT);
    let user_id = if arn.contains(":assumed-role/") {
        let session = arn.rsplit('/').next().unwrap_or("session");
        format!("AROAFAKEROLEID0000000:{session}")
    } else {
        "AIDAFAKEUSERID0000000".to_owned()
    };
    format!(
        "\n    <Arn>{}</Arn>\n    <UserId>{}</UserId>\n    <Account>{}</Account>\n  ",
        xml_escape(arn),
        xml_escape(&user_id),
        xml_escape(account)
    )
}

pub struct RoleArn {
    pub partition: String,
    pub account: String,
    pub name: String,
}

/// `arn:PARTITION:iam::ACCOUNT:role/PATH/NAME`, with fallbacks for junk.
pub fn parse_role_arn(arn: &str) -> RoleArn {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let get = |i: usize| parts.get(i).copied().filter(|s| !s.is_empty());
    let resource = get(5).unwrap_or(arn);
    RoleArn {
        partition: get(1).unwrap_or("aws").to_owned(),
        account: get(4).unwrap_or(FAKE_ACCOUNT).to_owned(),
        name: resource
            .strip_prefix("role/")
            .unwrap_or(resource)
            .rsplit('/')
            .next()
            .unwrap_or(resource)
            .to_owned(),
    }
}

fn sts_ok(action: &str, result_body: &str, request_id: &str) -> Response {
    let body = format!(
        "<{action}Response xmlns=\"{STS_XMLNS}\">\n  <{action}Result>{result_body}</{action}Result>\n  \
         <ResponseMetadata>\n    <RequestId>{}</RequestId>\n  </ResponseMetadata>\n</{action}Response>\n",
        xml_escape(request_id)
    );
    sts_response(200, body, request_id)
}

fn sts_response(status: u16, body: String, request_id: &str) -> Response {
    Response {
        status,
        headers: vec![
            ("x-amzn-RequestId".to_owned(), request_id.to_owned()),
            ("Content-Type".to_owned(), "text/xml".to_owned()),
            ("Date".to_owned(), http_date(SystemTime::now())),
        ],
        body: body.into_bytes(),
        add_content_length: true,
        close: false,
    }
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    add_content_length: bool,
    /// Close the connection after this response, whatever the client asked.
    close: bool,
}

impl Response {
    fn write_to(&self, out: &mut impl Write, close: bool) -> io::Result<()> {
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if self.add_content_length {
            head.push_str(&format!("Content-Length: {}\r\n", self.body.len()));
        }
        if close {
            head.push_str("Connection: close\r\n");
        }
        head.push_str("\r\n");
        out.write_all(head.as_bytes())?;
        out.write_all(&self.body)?;
        out.flush()
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

// ---------------------------------------------------------------------------
// Recorded requests

/// One request as the fake received it.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    /// Request target as sent, e.g. `/`.
    pub path: String,
    /// The `Action` form field (`""` if absent).
    pub action: String,
    /// Decoded form fields (query string, then `x-www-form-urlencoded` body), in order.
    pub fields: Vec<(String, String)>,
    /// Headers as received (original case, in order).
    pub headers: Vec<(String, String)>,
    /// The body as received (de-chunked).
    pub body: Vec<u8>,
    /// The `x-amzn-RequestId` the fake put on its answer (STS replies only).
    pub request_id: String,
}

impl Request {
    /// First form field called `name`.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// First header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Access key id the request was signed with (from SigV4 `Authorization`).
    pub fn access_key_id(&self) -> Option<&str> {
        let auth = self.header("authorization")?;
        let rest = &auth[auth.find("Credential=")? + "Credential=".len()..];
        rest.split('/').next()
    }
}

// ---------------------------------------------------------------------------
// Server

/// The running fake; see the module docs. Dropping it stops the server.
pub struct FakeSts {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept_thread: Option<JoinHandle<()>>,
}

struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

struct State {
    shutdown: bool,
    script: Vec<Reply>,
    served: usize,
    requests: Vec<Request>,
    /// Clones of open connections, so `drop` can shut them down.
    conns: HashMap<u64, TcpStream>,
    next_conn: u64,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records `req` and picks its reply; `None` once shutting down.
    fn record(&self, mut req: Request) -> Option<(Reply, Request)> {
        let mut state = self.lock();
        if state.shutdown {
            return None;
        }
        let reply = match state.script.len() {
            0 => Reply::error(
                500,
                "FakeStsEmptyScript",
                "FakeSts was started with an empty script",
            ),
            n => state.script[state.served.min(n - 1)].clone(),
        };
        state.served += 1;
        req.request_id = new_request_id();
        state.requests.push(req.clone());
        Some((reply, req))
    }

    /// Blocks until shutdown or `timeout`; true if shutting down.
    fn wait_for_shutdown(&self, timeout: Option<Duration>) -> bool {
        let state = self.lock();
        let state = match timeout {
            None => self
                .changed
                .wait_while(state, |s| !s.shutdown)
                .unwrap_or_else(PoisonError::into_inner),
            Some(t) => {
                self.changed
                    .wait_timeout_while(state, t, |s| !s.shutdown)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0
            }
        };
        state.shutdown
    }
}

impl FakeSts {
    /// Starts serving `script` on `127.0.0.1:<free port>`. Replies are used
    /// in order; after the last one, the last one is repeated forever.
    pub fn start(script: Vec<Reply>) -> FakeSts {
        let listener =
            TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("fake STS: bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("fake STS: local_addr");
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                shutdown: false,
                script,
                served: 0,
                requests: Vec::new(),
                conns: HashMap::new(),
                next_conn: 0,
            }),
            changed: Condvar::new(),
        });
        let accept_shared = Arc::clone(&shared);
        let accept_thread = thread::Builder::new()
            .name("fake-sts-accept".into())
            .spawn(move || accept_loop(listener, accept_shared))
            .expect("fake STS: spawn accept thread");
        FakeSts {
            addr,
            shared,
            accept_thread: Some(accept_thread),
        }
    }

    /// Base URL, e.g. `http://127.0.0.1:43127`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// All requests received so far, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        self.shared.lock().requests.clone()
    }

    /// Number of requests received so far.
    pub fn request_count(&self) -> usize {
        self.shared.lock().requests.len()
    }

    /// The `Action` of each request so far, e.g. `["GetSessionToken", "AssumeRole"]`.
    pub fn actions(&self) -> Vec<String> {
        self.shared
            .lock()
            .requests
            .iter()
            .map(|r| r.action.clone())
            .collect()
    }
}

impl Drop for FakeSts {
    fn drop(&mut self) {
        {
            let mut state = self.shared.lock();
            state.shutdown = true;
            for conn in state.conns.values() {
                let _ = conn.shutdown(Shutdown::Both);
            }
        }
        self.shared.changed.notify_all();
        // Wake the accept thread, which then sees the flag and exits.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(thread) = self.accept_thread.take() {
            let _ = thread.join();
        }
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut handlers: Vec<JoinHandle<()>> = Vec::new();
    for stream in listener.incoming() {
        let stream = match stream {
            Ok(stream) => stream,
            Err(_) if shared.lock().shutdown => break,
            Err(_) => {
                thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        let id = {
            let mut state = shared.lock();
            if state.shutdown {
                break;
            }
            let Ok(clone) = stream.try_clone() else {
                continue;
            };
            let id = state.next_conn;
            state.next_conn += 1;
            state.conns.insert(id, clone);
            id
        };
        let conn_shared = Arc::clone(&shared);
        match thread::Builder::new()
            .name("fake-sts-conn".into())
            .spawn(move || serve_connection(id, stream, conn_shared))
        {
            Ok(handle) => handlers.push(handle),
            Err(_) => {
                shared.lock().conns.remove(&id);
            }
        }
        handlers.retain(|h| !h.is_finished());
    }
    for conn in shared.lock().conns.values() {
        let _ = conn.shutdown(Shutdown::Both);
    }
    for handle in handlers {
        let _ = handle.join();
    }
}

fn serve_connection(id: u64, stream: TcpStream, shared: Arc<Shared>) {
    let Ok(read_half) = stream.try_clone() else {
        shared.lock().conns.remove(&id);
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut writer = stream;
    while let Ok(Some((request, keep_alive))) = read_request(&mut reader, &mut writer) {
        let Some((reply, request)) = shared.record(request) else {
            break;
        };
        match answer(&shared, &mut writer, &reply, &request, keep_alive) {
            Ok(true) => {}
            Ok(false) | Err(_) => break,
        }
    }
    // Other clones of the socket exist (the registry), so close explicitly.
    let _ = writer.shutdown(Shutdown::Write);
    shared.lock().conns.remove(&id);
}

/// Serves `reply`; Ok(true) if the connection stays open.
fn answer(
    shared: &Shared,
    writer: &mut TcpStream,
    reply: &Reply,
    request: &Request,
    keep_alive: bool,
) -> io::Result<bool> {
    match &reply.0 {
        Kind::Hang => {
            shared.wait_for_shutdown(None);
            Ok(false)
        }
        Kind::Disconnect => {
            let _ = writer.shutdown(Shutdown::Both);
            Ok(false)
        }
        Kind::Delay(delay, then) => {
            if shared.wait_for_shutdown(Some(*delay)) {
                return Ok(false);
            }
            answer(shared, writer, then, request, keep_alive)
        }
        _ => {
            let response = reply.render(request);
            let keep = keep_alive && !response.close;
            response.write_to(writer, !keep)?;
            Ok(keep)
        }
    }
}

const MAX_LINE: u64 = 64 * 1024;
const MAX_BODY: usize = 16 * 1024 * 1024;

fn read_line(reader: &mut BufReader<TcpStream>) -> io::Result<Option<String>> {
    let mut line = String::new();
    if reader.take(MAX_LINE).read_line(&mut line)? == 0 {
        return Ok(None);
    }
    Ok(Some(line.trim_end_matches(['\r', '\n']).to_owned()))
}

fn bad(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.to_owned())
}

/// Reads one request; `Ok(None)` when the client closed the connection
/// between requests. Returns the request and whether to keep the connection.
fn read_request(
    reader: &mut BufReader<TcpStream>,
    writer: &mut TcpStream,
) -> io::Result<Option<(Request, bool)>> {
    let request_line = loop {
        match read_line(reader)? {
            None => return Ok(None),
            Some(line) if line.trim().is_empty() => continue,
            Some(line) => break line,
        }
    };
    let mut parts = request_line.split_whitespace();
    let (Some(method), Some(path)) = (parts.next(), parts.next()) else {
        return Err(bad("malformed request line"));
    };
    let version = parts.next().unwrap_or("HTTP/1.0").to_owned();

    let mut headers = Vec::new();
    loop {
        let line = read_line(reader)?.ok_or_else(|| bad("eof in headers"))?;
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.to_ascii_lowercase())
    };
    let chunked = header("transfer-encoding").is_some_and(|v| v.contains("chunked"));
    let content_length = match header("content-length") {
        Some(v) => v.parse::<usize>().map_err(|_| bad("bad content-length"))?,
        None => 0,
    };
    if content_length > MAX_BODY {
        return Err(bad("body too large"));
    }
    if header("expect").is_some_and(|v| v.contains("100-continue")) {
        writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
    }

    let body = if chunked {
        read_chunked(reader)?
    } else {
        let mut body = vec![0; content_length];
        reader.read_exact(&mut body)?;
        body
    };

    let connection = header("connection").unwrap_or_default();
    let keep_alive = if version == "HTTP/1.0" {
        connection.contains("keep-alive")
    } else {
        !connection.contains("close")
    };

    let mut fields = Vec::new();
    if let Some((_, query)) = path.split_once('?') {
        fields.extend(decode_form(query));
    }
    if header("content-type").is_some_and(|v| v.contains("application/x-www-form-urlencoded")) {
        fields.extend(decode_form(&String::from_utf8_lossy(&body)));
    }
    let action = fields
        .iter()
        .find(|(k, _)| k == "Action")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();

    Ok(Some((
        Request {
            method: method.to_owned(),
            path: path.to_owned(),
            action,
            fields,
            headers,
            body,
            request_id: String::new(),
        },
        keep_alive,
    )))
}

fn read_chunked(reader: &mut BufReader<TcpStream>) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line = read_line(reader)?.ok_or_else(|| bad("eof in chunk size"))?;
        let size_text = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16).map_err(|_| bad("bad chunk size"))?;
        if size == 0 {
            // Trailers, up to the empty line.
            while !read_line(reader)?
                .ok_or_else(|| bad("eof in trailers"))?
                .is_empty()
            {}
            return Ok(body);
        }
        if body.len() + size > MAX_BODY {
            return Err(bad("body too large"));
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..])?;
        read_line(reader)?; // CRLF after the chunk data
    }
}

/// Decodes `application/x-www-form-urlencoded` (`+` is a space, `%XX` a byte).
pub fn decode_form(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// UUID-shaped and unique within the process, like STS request ids.
fn new_request_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
        ^ (u64::from(std::process::id()) << 32);
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        (seed >> 32) as u32,
        (seed >> 16) & 0xffff,
        seed & 0xfff,
        (n >> 48) & 0xfff,
        n & 0xffff_ffff_ffff
    )
}

// ---------------------------------------------------------------------------
// Time formatting (no date crate)

/// Whole seconds since the Unix epoch, rounded down (also before 1970).
pub fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => {
            let d = e.duration();
            -(d.as_secs() as i64) - i64::from(d.subsec_nanos() > 0)
        }
    }
}

pub fn whole_seconds(t: SystemTime) -> SystemTime {
    let secs = unix_seconds(t);
    if secs >= 0 {
        UNIX_EPOCH + Duration::from_secs(secs as u64)
    } else {
        UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
    }
}

/// (year, month 1-12, day 1-31) of the proleptic Gregorian calendar for a
/// count of days since 1970-01-01 (Howard Hinnant's `civil_from_days`).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365], from March 1st
    let mp = (5 * doy + 2) / 153; // [0, 11], March = 0
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month as u32, day as u32)
}

/// `2026-01-02T03:04:05Z` (sub-seconds dropped), as STS writes `Expiration`.
pub fn rfc3339(t: SystemTime) -> String {
    let secs = unix_seconds(t);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let sod = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        sod / 3600,
        sod / 60 % 60,
        sod % 60
    )
}

/// `Fri, 02 Jan 2026 03:04:05 GMT` (RFC 9110 IMF-fixdate) for the `Date` header.
pub fn http_date(t: SystemTime) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let secs = unix_seconds(t);
    let days = secs.div_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let sod = secs.rem_euclid(86_400);
    format!(
        "{}, {d:02} {} {y:04} {:02}:{:02}:{:02} GMT",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[m as usize - 1],
        sod / 3600,
        sod / 60 % 60,
        sod % 60
    )
}
