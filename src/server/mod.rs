//! The credentials endpoint of `rsume exec --server` and `rsume serve`: the container
//! credentials protocol the SDKs speak (`AWS_CONTAINER_CREDENTIALS_FULL_URI` with
//! `AWS_CONTAINER_AUTHORIZATION_TOKEN`), on 127.0.0.1 only, at one random path, for one
//! random token. It knows nothing of profiles: each authorised request becomes an
//! [`Event::Request`] for the one loop that owns the credentials, and is answered with what
//! that loop sends back, or 503 once `wait` has passed.

mod http;
mod secret;

use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Sender, SyncSender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use crate::credentials::Secret;
use crate::{log, time};
use http::Status;
pub use secret::random_hex;

/// Connections served at once; more are answered 503 at once, so no client can make rsume
/// start threads without end.
const MAX_CONNECTIONS: usize = 16;

/// How long a client may take to send its request head, or to take the answer.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(5);

/// What the loop that owns the credentials hears.
pub enum Event {
    /// A client presented the token: answer it with [`Pending::answer`].
    Request(Pending),
    /// Stop serving, and end the run with this exit status (the program ended, or a signal).
    Stop(u8),
}

/// An authorised request waiting for credentials.
pub struct Pending {
    deadline: Instant,
    reply: SyncSender<Answer>,
}

impl Pending {
    /// The client has had its 503 already: getting credentials for it would be wasted (and
    /// could ask for a code nobody waits for).
    pub fn expired(&self) -> bool {
        Instant::now() >= self.deadline
    }

    pub fn answer(self, answer: Answer) {
        // The client may have given up meanwhile; nothing is owed to it then.
        let _ = self.reply.send(answer);
    }
}

pub enum Answer {
    /// The JSON document the SDKs read (it holds the keys).
    Credentials(Secret),
    /// Why there are no credentials now, for a 503.
    Unavailable(String),
}

/// A running endpoint. Dropping it (or [`Endpoint::stop`]) closes the port.
pub struct Endpoint {
    addr: SocketAddr,
    path: String,
    token: Secret,
    stopping: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

struct Shared {
    path: String,
    token: Secret,
    events: Sender<Event>,
    wait: Duration,
    active: AtomicUsize,
}

impl Endpoint {
    /// Binds 127.0.0.1 on a free port and serves until stopped; requests are passed to
    /// `events` and wait up to `wait` for their answer.
    pub fn start(events: Sender<Event>, wait: Duration) -> io::Result<Endpoint> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.local_addr()?;
        let path = format!("/rsume/{}", secret::random_hex(16)?);
        let token = Secret::new(secret::random_hex(32)?);
        let stopping = Arc::new(AtomicBool::new(false));
        let shared = Arc::new(Shared {
            path: path.clone(),
            token: token.clone(),
            events,
            wait,
            active: AtomicUsize::new(0),
        });
        let flag = Arc::clone(&stopping);
        let accept = std::thread::Builder::new()
            .name("rsume-serve".into())
            .spawn(move || accept_loop(&listener, &shared, &flag))?;
        log::debug(format_args!("server: listening on {addr}"));
        Ok(Endpoint {
            addr,
            path,
            token,
            stopping,
            accept: Some(accept),
        })
    }

    /// The value of `AWS_CONTAINER_CREDENTIALS_FULL_URI`.
    pub fn uri(&self) -> String {
        format!("http://{}{}", self.addr, self.path)
    }

    /// The value of `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
    pub fn token(&self) -> &Secret {
        &self.token
    }

    /// Closes the port: no request is accepted after this returns.
    pub fn stop(mut self) {
        self.close();
    }

    fn close(&mut self) {
        let Some(accept) = self.accept.take() else {
            return;
        };
        self.stopping.store(true, Ordering::SeqCst);
        // Wakes the accept loop, which sees the flag and drops the listener.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        let _ = accept.join();
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        self.close();
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>, stopping: &AtomicBool) {
    for stream in listener.incoming() {
        if stopping.load(Ordering::SeqCst) {
            return;
        }
        let Ok(mut stream) = stream else { continue };
        if shared.active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            shared.active.fetch_sub(1, Ordering::SeqCst);
            let _ = stream.set_write_timeout(Some(CLIENT_TIMEOUT));
            let _ = http::respond(
                &mut stream,
                Status::Unavailable,
                "too many requests at once\n",
            );
            logged("-", Status::Unavailable);
            continue;
        }
        let for_thread = Arc::clone(shared);
        let spawned = std::thread::Builder::new()
            .name("rsume-serve-request".into())
            .spawn(move || {
                serve(stream, &for_thread);
                for_thread.active.fetch_sub(1, Ordering::SeqCst);
            });
        if spawned.is_err() {
            // The slot taken above: the thread that would free it never started.
            shared.active.fetch_sub(1, Ordering::SeqCst);
            log::warn(format_args!("server: cannot start a thread for a request"));
        }
    }
}

/// One connection: one request, one answer.
fn serve(mut stream: TcpStream, shared: &Shared) {
    let _ = stream.set_write_timeout(Some(CLIENT_TIMEOUT));
    // The whole head within CLIENT_TIMEOUT: each read gets only the time left.
    let deadline = std::time::Instant::now() + CLIENT_TIMEOUT;
    let Ok(timer) = stream.try_clone() else {
        return;
    };
    let time_left = || {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return Err(std::io::ErrorKind::TimedOut.into());
        }
        timer.set_read_timeout(Some(left))
    };
    let head = match http::read_head(&mut stream, time_left) {
        Ok(Some(head)) => head,
        Ok(None) => {
            let _ = http::respond(&mut stream, Status::BadRequest, "");
            logged("-", Status::BadRequest);
            return;
        }
        Err(_) => return,
    };
    let (status, body) = answer(&head, shared);
    let _ = http::respond(
        &mut stream,
        status,
        body.as_ref().map_or("", Secret::expose),
    );
    logged(&head.method, status);
}

/// The token first, so a client without it learns nothing, not even which paths exist.
fn answer(head: &http::Head, shared: &Shared) -> (Status, Option<Secret>) {
    let authorised = head
        .authorization
        .as_deref()
        .is_some_and(|given| secret::same(given.as_bytes(), shared.token.expose().as_bytes()));
    if !authorised {
        return (Status::Unauthorized, None);
    }
    if head.target != shared.path {
        return (Status::NotFound, None);
    }
    if head.method != "GET" {
        return (Status::MethodNotAllowed, None);
    }
    let (reply, answered) = mpsc::sync_channel(1);
    let pending = Pending {
        deadline: Instant::now() + shared.wait,
        reply,
    };
    if shared.events.send(Event::Request(pending)).is_err() {
        return unavailable("rsume is stopping".into());
    }
    match answered.recv_timeout(shared.wait) {
        Ok(Answer::Credentials(document)) => (Status::Ok, Some(document)),
        Ok(Answer::Unavailable(why)) => unavailable(why),
        Err(_) => unavailable(format!(
            "no credentials within {} s: rsume is waiting for an MFA code on its terminal, or for AWS",
            shared.wait.as_secs()
        )),
    }
}

fn unavailable(why: String) -> (Status, Option<Secret>) {
    (Status::Unavailable, Some(Secret::new(why + "\n")))
}

/// `--debug`: when, what and how it ended; never the path, a header or a body.
fn logged(method: &str, status: Status) {
    let method: String = method.chars().take(16).collect();
    log::debug(format_args!(
        "server: {} {method} {}",
        time::rfc3339(SystemTime::now()),
        status.code()
    ));
}
