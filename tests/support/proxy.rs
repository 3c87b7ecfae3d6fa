//! An HTTP CONNECT proxy on 127.0.0.1 that records each CONNECT target and tunnels to it.
//! It tunnels only to loopback addresses (`localhost`, 127.0.0.0/8): tests reach nothing
//! else. Any other request is refused with 405 and recorded as its request line.

use std::io::{self, BufRead, BufReader, Write};
use std::net::{IpAddr, Ipv4Addr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

pub struct ConnectProxy {
    port: u16,
    requests: Arc<Mutex<Vec<String>>>,
    /// The `Proxy-Authorization` header of each request that had one.
    authorizations: Arc<Mutex<Vec<String>>>,
}

impl ConnectProxy {
    pub fn start() -> ConnectProxy {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let authorizations = Arc::new(Mutex::new(Vec::new()));
        let (log, auth_log) = (requests.clone(), authorizations.clone());
        thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let (log, auth_log) = (log.clone(), auth_log.clone());
                thread::spawn(move || {
                    let _ = serve(client, &log, &auth_log);
                });
            }
        });
        ConnectProxy {
            port,
            requests,
            authorizations,
        }
    }

    /// `http://127.0.0.1:PORT`, for `HTTPS_PROXY`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Each request line received, in order (`CONNECT localhost:4431 HTTP/1.1`).
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }

    /// The `Proxy-Authorization` values received (`Basic …`).
    pub fn authorizations(&self) -> Vec<String> {
        self.authorizations.lock().unwrap().clone()
    }
}

fn serve(
    client: TcpStream,
    log: &Mutex<Vec<String>>,
    auth_log: &Mutex<Vec<String>>,
) -> io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("proxy-authorization")
        {
            auth_log.lock().unwrap().push(value.trim().to_owned());
        }
    }
    let request_line = request_line.trim_end().to_owned();
    log.lock().unwrap().push(request_line.clone());
    let mut client = client;
    let target = match request_line.split(' ').collect::<Vec<_>>()[..] {
        ["CONNECT", target, _] => target.to_owned(),
        _ => return client.write_all(b"HTTP/1.1 405 Method Not Allowed\r\n\r\n"),
    };
    let Some(port) = loopback_port(&target) else {
        return client.write_all(b"HTTP/1.1 403 Forbidden\r\n\r\n");
    };
    let upstream = TcpStream::connect((Ipv4Addr::LOCALHOST, port))?;
    client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")?;
    // The client waits for the 200 before it sends its TLS hello: nothing is left buffered.
    assert!(reader.buffer().is_empty(), "bytes before the tunnel opened");
    let (mut up_read, mut up_write) = (upstream.try_clone()?, upstream);
    let mut down_write = client.try_clone()?;
    let uplink = thread::spawn(move || {
        let _ = io::copy(&mut reader, &mut up_write);
        let _ = up_write.shutdown(std::net::Shutdown::Write);
    });
    let _ = io::copy(&mut up_read, &mut down_write);
    let _ = down_write.shutdown(std::net::Shutdown::Write);
    let _ = uplink.join();
    Ok(())
}

/// The port of a `host:port` target whose host is loopback.
fn loopback_port(target: &str) -> Option<u16> {
    let (host, port) = target.rsplit_once(':')?;
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    loopback.then(|| port.parse().ok()).flatten()
}
