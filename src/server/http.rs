//! The little HTTP/1.1 the endpoint speaks: one request head read with a size limit and a
//! timeout, one answer, then the connection closes. A body is never read (only GET is
//! served), so no client can make the endpoint hold more than the head.

use std::io::{self, Read, Write};

/// A request head larger than this is refused: the SDKs send a few hundred bytes.
const MAX_HEAD: usize = 8 * 1024;

/// What the endpoint needs from a request.
pub struct Head {
    pub method: String,
    pub target: String,
    /// The `Authorization` header; `None` when absent or given more than once.
    pub authorization: Option<String>,
}

/// Reads up to the blank line that ends the head. `None`: the head is malformed, too large,
/// or the client stopped before finishing it. `before_read` runs before each read, so the
/// caller can hold the whole head to one deadline: a timeout per read alone would let a
/// client sending a byte every few seconds keep a connection for hours.
pub fn read_head(
    stream: &mut impl Read,
    mut before_read: impl FnMut() -> io::Result<()>,
) -> io::Result<Option<Head>> {
    let mut buffer = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    let end = loop {
        if buffer.len() > MAX_HEAD {
            return Ok(None);
        }
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        before_read()?;
        let read = stream.read(&mut chunk)?;
        if read == 0 {
            return Ok(None);
        }
        buffer.extend_from_slice(&chunk[..read]);
    };
    let Ok(text) = std::str::from_utf8(&buffer[..end]) else {
        return Ok(None);
    };
    Ok(parse(text))
}

fn parse(text: &str) -> Option<Head> {
    let mut lines = text.split("\r\n");
    let mut words = lines.next()?.split(' ');
    let (method, target, version) = (words.next()?, words.next()?, words.next()?);
    if words.next().is_some() || !version.starts_with("HTTP/1.") {
        return None;
    }
    let mut authorization = Vec::new();
    for line in lines {
        let (name, value) = line.split_once(':')?;
        if name.trim().eq_ignore_ascii_case("authorization") {
            authorization.push(value.trim().to_owned());
        }
    }
    Some(Head {
        method: method.to_owned(),
        target: target.to_owned(),
        authorization: (authorization.len() == 1).then(|| authorization.remove(0)),
    })
}

/// The statuses the endpoint answers with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Ok,
    BadRequest,
    Unauthorized,
    NotFound,
    MethodNotAllowed,
    Unavailable,
}

impl Status {
    pub fn code(self) -> u16 {
        match self {
            Status::Ok => 200,
            Status::BadRequest => 400,
            Status::Unauthorized => 401,
            Status::NotFound => 404,
            Status::MethodNotAllowed => 405,
            Status::Unavailable => 503,
        }
    }

    fn reason(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::BadRequest => "Bad Request",
            Status::Unauthorized => "Unauthorized",
            Status::NotFound => "Not Found",
            Status::MethodNotAllowed => "Method Not Allowed",
            Status::Unavailable => "Service Unavailable",
        }
    }
}

/// Writes one answer and ends the exchange. `body` is JSON for 200 and plain text otherwise;
/// nothing may be cached on the way.
pub fn respond(stream: &mut impl Write, status: Status, body: &str) -> io::Result<()> {
    let kind = if status == Status::Ok {
        "application/json"
    } else {
        "text/plain; charset=utf-8"
    };
    let allow = if status == Status::MethodNotAllowed {
        "Allow: GET\r\n"
    } else {
        ""
    };
    let head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n{allow}\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n",
        status.code(),
        status.reason(),
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(body.as_bytes())?;
    stream.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(text: &str) -> Option<Head> {
        read_head(&mut text.as_bytes(), || Ok(())).unwrap()
    }

    #[test]
    fn reads_the_method_target_and_one_authorization() {
        let got = head("GET /x HTTP/1.1\r\nHost: a\r\nauthorization:  tok \r\n\r\n").unwrap();
        assert_eq!((got.method.as_str(), got.target.as_str()), ("GET", "/x"));
        assert_eq!(got.authorization.as_deref(), Some("tok"));
        let twice = head("GET /x HTTP/1.1\r\nAuthorization: a\r\nAuthorization: a\r\n\r\n");
        assert!(twice.unwrap().authorization.is_none());
    }

    #[test]
    fn refuses_heads_that_are_malformed_unfinished_or_too_large() {
        assert!(head("GET /x\r\n\r\n").is_none());
        assert!(head("GET /x HTTP/1.1\r\nno colon\r\n\r\n").is_none());
        assert!(head("GET /x HTTP/1.1\r\nHost: a\r\n").is_none());
        let huge = format!("GET /x HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(MAX_HEAD));
        assert!(head(&huge).is_none());
    }

    #[test]
    fn a_head_sent_slowly_stops_at_the_deadline() {
        // Bytes keep coming, but the caller's deadline (here: the third read) ends it.
        let mut reads = 0;
        let slow = std::iter::repeat_n(b"GET / HTTP/1.1\r\nX: y\r\n".as_slice(), 100)
            .collect::<Vec<_>>()
            .concat();
        let result = read_head(&mut slow.as_slice(), || {
            reads += 1;
            if reads > 2 {
                return Err(io::ErrorKind::TimedOut.into());
            }
            Ok(())
        });
        assert_eq!(
            result.err().map(|e| e.kind()),
            Some(io::ErrorKind::TimedOut)
        );
    }
}
