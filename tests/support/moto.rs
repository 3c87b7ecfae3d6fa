//! A real `moto_server` (moto's stand-alone AWS mock), one per test process.
//!
//! [`moto()`] starts the server lazily the first time a test asks for it and
//! hands every later caller in the same test binary the same instance.
//!
//! Cleanup: a `static` is never dropped, so the server cannot be stopped from
//! Rust when the test process ends. Instead moto runs under a small `/bin/sh`
//! wrapper whose stdin is a pipe; the write end of that pipe lives in the
//! static [`Moto`] and is never written to. When the test process exits, for
//! any reason (normal exit, panic, abort, SIGKILL), the kernel closes the pipe,
//! the wrapper sees end-of-file and terminates moto (SIGTERM, then SIGKILL
//! after 10 s if it is still alive). If moto dies on its own, the wrapper
//! exits too.
//!
//! The harness is Unix-only (it needs `/bin/sh`).

// Each integration-test binary uses only part of the support code.
#![allow(dead_code)]

use std::env;
use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

/// Environment variable naming the `moto_server` executable to use.
pub const MOTO_SERVER_ENV: &str = "RSUME_MOTO_SERVER";

/// How long to wait for a freshly started moto to answer HTTP.
const READY_TIMEOUT: Duration = Duration::from_secs(20);

/// How often to retry when the free port we picked was taken before moto bound it.
const PORT_ATTEMPTS: usize = 5;

/// Keep at most this much of moto's output (it logs one line per request).
const LOG_LIMIT: usize = 64 * 1024;

const INSTALL_HINT: &str = "Install moto into the repository's venv with\n    \
     python3 -m venv .venv && .venv/bin/pip install 'moto[server]==5.2.5'\n\
     (or run `.ci/run`), or set RSUME_MOTO_SERVER to the path of a `moto_server` executable.";

/// Runs `"$@"` (moto) in the background and kills it once our stdin reaches
/// end-of-file, i.e. once the test process has exited. Exits with moto's
/// status if moto exits first.
const WRAPPER: &str = r#"
exec 3<&0 0</dev/null
"$@" 1>&2 3<&- &
server=$!
{
    while read -r line <&3; do :; done
    kill -TERM "$server" 2>/dev/null
    i=0
    while kill -0 "$server" 2>/dev/null && [ "$i" -lt 10 ]; do
        sleep 1
        i=$((i + 1))
    done
    kill -KILL "$server" 2>/dev/null
} &
watcher=$!
exec 3<&-
wait "$server"
status=$?
kill "$watcher" 2>/dev/null
exit "$status"
"#;

/// A running `moto_server` listening on `127.0.0.1`.
pub struct Moto {
    port: u16,
    program: PathBuf,
    log: Arc<Mutex<Vec<u8>>>,
    /// Write end of the wrapper's stdin. Never written to: it only has to
    /// stay open for as long as the test process lives.
    _lifeline: ChildStdin,
    /// The wrapper process; kept so it is owned somewhere, never waited on.
    _wrapper: Child,
}

static MOTO: OnceLock<Result<Moto, String>> = OnceLock::new();

/// The moto server of this test process, started on first use.
///
/// Panics (in every test that calls it) if moto cannot be found or started;
/// the tests are never skipped silently.
pub fn moto() -> &'static Moto {
    match MOTO.get_or_init(Moto::start) {
        Ok(moto) => moto,
        Err(message) => panic!("{message}"),
    }
}

impl Moto {
    /// Base URL to use as the AWS endpoint, e.g. `http://127.0.0.1:43127`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The TCP port moto listens on (on 127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The `moto_server` executable that was started.
    pub fn program(&self) -> &Path {
        &self.program
    }

    /// The last few KiB of moto's output (one line per request it served);
    /// handy in assertion messages.
    pub fn log_tail(&self) -> String {
        log_text(&self.log)
    }

    fn start() -> Result<Moto, String> {
        let program = locate_moto_server()?;
        let mut failures = Vec::new();
        for _ in 0..PORT_ATTEMPTS {
            let port = free_port().map_err(|e| format!("cannot pick a free port for moto: {e}"))?;
            match spawn(&program, port) {
                Ok(moto) => return Ok(moto),
                Err(Failure::PortTaken(log)) => {
                    failures.push(format!("port {port}: {}", log.trim_end()));
                }
                Err(Failure::Fatal(message)) => return Err(message),
            }
        }
        Err(format!(
            "moto_server ({}) could not bind a port in {PORT_ATTEMPTS} attempts:\n{}",
            program.display(),
            failures.join("\n")
        ))
    }
}

enum Failure {
    /// Someone else grabbed the port between our probe and moto's bind: retry.
    PortTaken(String),
    Fatal(String),
}

fn spawn(program: &Path, port: u16) -> Result<Moto, Failure> {
    let mut child = Command::new("/bin/sh")
        .arg("-c")
        .arg(WRAPPER)
        .arg("moto-wrapper")
        .arg(program)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .env("PYTHONUNBUFFERED", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            Failure::Fatal(format!(
                "cannot start /bin/sh to run moto_server ({}): {e}",
                program.display()
            ))
        })?;
    let lifeline = child.stdin.take().expect("stdin is piped");
    let stderr = child.stderr.take().expect("stderr is piped");
    let log = Arc::new(Mutex::new(Vec::new()));
    let drained = drain(stderr, Arc::clone(&log));

    let deadline = Instant::now() + READY_TIMEOUT;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                // Give the drain thread a moment to collect the last words.
                let _ = drained.recv_timeout(Duration::from_secs(2));
                let output = log_text(&log);
                if output.contains("already in use") {
                    return Err(Failure::PortTaken(output));
                }
                return Err(Failure::Fatal(format!(
                    "moto_server ({}) exited ({status}) before it answered on port {port}.\n\
                     --- moto output ---\n{output}\n--- end of moto output ---\n{INSTALL_HINT}",
                    program.display()
                )));
            }
            Ok(None) => {}
            Err(e) => return Err(Failure::Fatal(format!("cannot poll the moto wrapper: {e}"))),
        }
        if answers_http(port) {
            return Ok(Moto {
                port,
                program: program.to_path_buf(),
                log,
                _lifeline: lifeline,
                _wrapper: child,
            });
        }
        if Instant::now() >= deadline {
            // Closing the lifeline makes the wrapper stop moto.
            drop(lifeline);
            let _ = child.wait();
            let _ = drained.recv_timeout(Duration::from_secs(2));
            return Err(Failure::Fatal(format!(
                "moto_server ({}) did not answer on 127.0.0.1:{port} within {} s.\n\
                 --- moto output ---\n{}\n--- end of moto output ---",
                program.display(),
                READY_TIMEOUT.as_secs(),
                log_text(&log)
            )));
        }
        thread::sleep(Duration::from_millis(50));
    }
}

/// Copies the wrapper's stderr into `log` (keeping only the tail) so moto
/// never blocks on a full pipe. The receiver fires at end-of-file.
fn drain(mut stderr: ChildStderr, log: Arc<Mutex<Vec<u8>>>) -> mpsc::Receiver<()> {
    let (done_tx, done_rx) = mpsc::channel();
    thread::Builder::new()
        .name("moto-output".into())
        .spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match stderr.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        let mut log = log.lock().unwrap_or_else(PoisonError::into_inner);
                        log.extend_from_slice(&buf[..n]);
                        if log.len() > 2 * LOG_LIMIT {
                            let excess = log.len() - LOG_LIMIT;
                            log.drain(..excess);
                        }
                    }
                    Err(e) if e.kind() == ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
            let _ = done_tx.send(());
        })
        .expect("spawn moto output thread");
    done_rx
}

fn log_text(log: &Mutex<Vec<u8>>) -> String {
    let log = log.lock().unwrap_or_else(PoisonError::into_inner);
    let start = log.len().saturating_sub(LOG_LIMIT);
    String::from_utf8_lossy(&log[start..]).into_owned()
}

/// `RSUME_MOTO_SERVER`, else `<repo>/.venv/bin/moto_server`, else `moto_server` on PATH.
fn locate_moto_server() -> Result<PathBuf, String> {
    if let Some(value) = env::var_os(MOTO_SERVER_ENV).filter(|v| !v.is_empty()) {
        let path = PathBuf::from(&value);
        let found = if path.components().count() > 1 {
            path.is_file().then_some(path)
        } else {
            search_path(&path)
        };
        return found.ok_or_else(|| {
            format!(
                "{MOTO_SERVER_ENV}={} does not name an existing moto_server executable.\n{INSTALL_HINT}",
                value.to_string_lossy()
            )
        });
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/moto_server");
    if venv.is_file() {
        return Ok(venv);
    }
    search_path(Path::new("moto_server")).ok_or_else(|| {
        format!(
            "moto_server not found: the STS integration tests need a real moto server.\n\
             Looked at ${MOTO_SERVER_ENV} (unset), {} and PATH.\n{INSTALL_HINT}",
            venv.display()
        )
    })
}

fn search_path(name: &Path) -> Option<PathBuf> {
    let path = env::var_os("PATH")?;
    env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        path.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

/// A port that was free a moment ago (bind to :0, read it, release it).
fn free_port() -> std::io::Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    Ok(listener.local_addr()?.port())
}

/// True once something answers `GET /moto-api/data.json` with HTTP 200.
fn answers_http(port: u16) -> bool {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(250)) else {
        return false;
    };
    let timeout = Some(Duration::from_secs(2));
    if stream.set_read_timeout(timeout).is_err() || stream.set_write_timeout(timeout).is_err() {
        return false;
    }
    let request = format!(
        "GET /moto-api/data.json HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut response = Vec::new();
    let mut buf = [0u8; 1024];
    while !response.windows(2).any(|w| w == b"\r\n") && response.len() < 64 * 1024 {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => response.extend_from_slice(&buf[..n]),
        }
    }
    response.starts_with(b"HTTP/1.1 200") || response.starts_with(b"HTTP/1.0 200")
}
