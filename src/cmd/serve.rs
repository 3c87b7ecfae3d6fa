//! `rsume exec --server PROFILE -- COMMAND` and `rsume serve PROFILE`: the profile's
//! credentials on a local endpoint (src/server) instead of keys in an environment, so a
//! program that outlives one role session keeps working. Every request goes through the same
//! path as `rsume exec` (`request::renew`, then `vault::get`), so the cache renews the keys
//! before they expire and a code is asked for only when the MFA session itself has ended.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use serde::Serialize;

use super::exec::{self, IgnoreTerminalSignals};
use super::{Env, Output, UsageError, request};
use crate::cli::RequestArgs;
use crate::credentials::{Credentials, Secret};
use crate::server::{Answer, Endpoint, Event};
use crate::shell::{Change, Shell, Target};
use crate::{exports, log, time};

/// How long a request waits for credentials (an MFA prompt, STS) before its 503.
const WAIT: Duration = Duration::from_secs(30);

const FULL_URI: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
const AUTHORIZATION_TOKEN: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
/// Outranks the full URI in the SDKs, so a value from the parent must not reach the program.
const RELATIVE_URI: &str = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";

/// The settings that make a profile yield credentials: in `[default]`, the SDKs find them
/// before they ask the endpoint.
const CREDENTIAL_KEYS: [&str; 10] = [
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "role_arn",
    "credential_process",
    "credential_source",
    "web_identity_token_file",
    "sso_session",
    "sso_start_url",
    "sso_account_id",
];

/// The document the SDKs' container provider reads.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Document<'a> {
    access_key_id: &'a str,
    secret_access_key: &'a str,
    token: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    expiration: Option<String>,
}

/// A profile being served: each request fetches its credentials again.
struct Served<'a> {
    profile: String,
    /// The region the program is told, from the profile's chain (or --region).
    region: Option<String>,
    /// The run's flags, without those spent on the first fetch (--refresh, --refresh-mfa,
    /// --mfa-token).
    args: RequestArgs,
    env: Env<'a>,
    why: String,
}

impl<'a> Served<'a> {
    /// Gets the credentials once before serving, so a profile that cannot give them fails
    /// here, with nothing started, and the first prompt comes before the program runs.
    fn start(profile: &str, args: &RequestArgs, env: Env<'a>, what: &str) -> anyhow::Result<Self> {
        if args.no_cache {
            return Err(UsageError(
                "the server renews the credentials from the cache; drop --no-cache (or RSUME_NO_CACHE)".into(),
            )
            .into());
        }
        let got = request::get(Some(profile), args, env, |_| Ok(()))?;
        if got.fetched.credentials.is_long_term() {
            return Err(anyhow::anyhow!(
                "profile '{profile}' gives long-term keys, which never need renewing: use  rsume exec {profile}  without --server"
            ));
        }
        // A code from --mfa-token is spent on the first session: a renewal that needs one
        // asks where a profile without the flag would (mfa_process, else the terminal).
        let mut args = args.clone();
        args.refresh = false;
        args.refresh_mfa = false;
        args.mfa_token = None;
        Ok(Served {
            region: got.chain.region,
            profile: got.chain.profile,
            args,
            env,
            why: format!(
                "{what} asks for credentials and the MFA session for '{profile}' has ended"
            ),
        })
    }

    fn answer(&self) -> Answer {
        match request::renew(&self.profile, &self.args, self.env, &self.why) {
            Ok(got) => Answer::Credentials(document(&got.fetched.credentials)),
            Err(error) => {
                let why = format!("no credentials for '{}': {error:#}", self.profile);
                log::warn(format_args!("{why}"));
                Answer::Unavailable(why)
            }
        }
    }

    /// Answers requests until told to stop; returns the exit status to end with.
    fn until_stopped(&self, events: &Receiver<Event>) -> u8 {
        loop {
            match events.recv() {
                Ok(Event::Request(pending)) if pending.expired() => {}
                Ok(Event::Request(pending)) => pending.answer(self.answer()),
                Ok(Event::Stop(code)) => return code,
                Err(_) => return 1,
            }
        }
    }
}

fn document(credentials: &Credentials) -> Secret {
    let document = Document {
        access_key_id: &credentials.access_key_id,
        secret_access_key: credentials.secret_access_key.expose(),
        token: credentials
            .session_token
            .as_ref()
            .map_or("", Secret::expose),
        expiration: credentials.expiration.map(time::rfc3339),
    };
    Secret::new(serde_json::to_string(&document).expect("strings serialize"))
}

/// `rsume exec --server`: the program asks the endpoint, which stops when it ends.
pub fn exec(
    profile: &str,
    command: &[OsString],
    args: &RequestArgs,
    env: Env<'_>,
) -> anyhow::Result<Output> {
    let program = command.first().map(|p| p.to_string_lossy().into_owned());
    let what = format!("'{}'", program.unwrap_or_default());
    let served = Served::start(profile, args, env, &what)?;
    let (events_sender, events) = mpsc::channel();
    let endpoint = Endpoint::start(events_sender.clone(), WAIT)?;
    let default = DefaultProfile::read(env);
    let blank = if default.gives_credentials {
        Some(EmptyFiles::create()?)
    } else {
        None
    };
    // With the files emptied, [default]'s region would be lost where nothing else names one.
    let region = served.region.clone().or_else(|| {
        let named = ["AWS_REGION", "AWS_DEFAULT_REGION"]
            .iter()
            .any(|n| env(n).is_some());
        blank.as_ref().and(default.region).filter(|_| !named)
    });
    let mut changes = exports::served(&served.profile, region.as_deref(), env);
    changes.extend(container_variables(&endpoint));
    changes.push(Change::Unset(RELATIVE_URI));
    if let Some(blank) = &blank {
        log::info(format_args!(
            "[default] holds credentials the program's SDK would take before the server's: it sees empty AWS files instead (docs/exec.md)"
        ));
        changes.extend(blank.changes());
    }
    let (mut running, program) = exec::start(command, changes)?;
    let _ignore = IgnoreTerminalSignals::new();
    std::thread::Builder::new()
        .name("rsume-exec-wait".into())
        .spawn(move || {
            let code = match running.wait() {
                Ok(status) => exec::exit_code(status),
                Err(source) => {
                    log::error(exec::cannot_run(&program, source));
                    1
                }
            };
            let _ = events_sender.send(Event::Stop(code));
        })?;
    let code = served.until_stopped(&events);
    endpoint.stop();
    drop(blank);
    Ok(Output::Exited(code))
}

/// `rsume serve`: the endpoint in the foreground until SIGINT or SIGTERM; the two variables
/// go to stdout, as shell code for `shell` or as `NAME=value` lines.
pub fn run(
    profile: &str,
    shell: Option<Shell>,
    args: &RequestArgs,
    env: Env<'_>,
) -> anyhow::Result<Output> {
    let served = Served::start(profile, args, env, "a client of rsume serve")?;
    let (events_sender, events) = mpsc::channel();
    // Before any thread starts, so every thread inherits the blocked signals.
    stop_on_signals(events_sender.clone())?;
    let endpoint = Endpoint::start(events_sender, WAIT)?;
    let variables = container_variables(&endpoint);
    let text = match shell {
        Some(shell) => Target::Known(shell).render(&variables)?,
        None => variables
            .iter()
            .map(|change| match change {
                Change::Set { name, value } => format!("{name}={value}\n"),
                _ => unreachable!("only values are set"),
            })
            .collect(),
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    drop(stdout);
    log::info(format_args!(
        "serving '{}' on {} until Ctrl-C",
        served.profile,
        endpoint.uri().rsplit_once('/').map_or("", |(base, _)| base)
    ));
    let code = served.until_stopped(&events);
    endpoint.stop();
    log::info(format_args!("stopped serving '{}'", served.profile));
    Ok(Output::Exited(code))
}

fn container_variables(endpoint: &Endpoint) -> Vec<Change> {
    vec![
        Change::Set {
            name: FULL_URI,
            value: endpoint.uri(),
        },
        Change::Set {
            name: AUTHORIZATION_TOKEN,
            value: endpoint.token().expose().to_owned(),
        },
    ]
}

/// What the SDKs would take from `[default]` when no profile is named.
#[derive(Default)]
struct DefaultProfile {
    /// They would find credentials there before they ask the endpoint.
    gives_credentials: bool,
    region: Option<String>,
}

impl DefaultProfile {
    fn read(env: Env<'_>) -> DefaultProfile {
        let Ok((_, set)) = crate::config::load(env) else {
            return DefaultProfile::default();
        };
        let Some(default) = set.profile("default") else {
            return DefaultProfile::default();
        };
        DefaultProfile {
            gives_credentials: CREDENTIAL_KEYS.iter().any(|key| default.get(key).is_some()),
            region: default.get("region").map(str::to_owned),
        }
    }
}

/// An empty config and credentials file in a private directory of their own, for the
/// program's `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE`; removed when dropped.
struct EmptyFiles {
    dir: PathBuf,
}

const EMPTY_FILES: [(&str, &str); 2] = [
    ("AWS_CONFIG_FILE", "config"),
    ("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
];

impl EmptyFiles {
    fn create() -> std::io::Result<EmptyFiles> {
        let name = format!("rsume-serve-{}", crate::server::random_hex(8)?);
        let dir = std::env::temp_dir().join(name);
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&dir)?;
        let files = EmptyFiles { dir };
        for (_, file) in EMPTY_FILES {
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(files.dir.join(file))?;
        }
        Ok(files)
    }

    fn changes(&self) -> Vec<Change> {
        EMPTY_FILES
            .iter()
            .map(|(name, file)| Change::Set {
                name,
                value: self.dir.join(file).to_string_lossy().into_owned(),
            })
            .collect()
    }
}

impl Drop for EmptyFiles {
    fn drop(&mut self) {
        for (_, file) in EMPTY_FILES {
            let _ = std::fs::remove_file(self.dir.join(file));
        }
        let _ = std::fs::remove_dir(&self.dir);
    }
}

/// SIGINT and SIGTERM end `serve` through its loop, so the port closes and the run ends
/// with status 0. Blocked in every thread and taken by one that waits for them; an MFA
/// prompt still gets its Ctrl-C (it ignores SIGINT while it reads, and reads the key itself).
#[cfg(unix)]
fn stop_on_signals(events: mpsc::Sender<Event>) -> std::io::Result<()> {
    // SAFETY: plain libc calls on a local signal set; no Rust state is touched.
    let set = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::sigaddset(&mut set, libc::SIGTERM);
        let blocked = libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        if blocked != 0 {
            return Err(std::io::Error::from_raw_os_error(blocked));
        }
        set
    };
    std::thread::Builder::new()
        .name("rsume-serve-signals".into())
        .spawn(move || {
            let mut signal = 0;
            // SAFETY: waits for one of the signals in `set`, blocked in every thread.
            while unsafe { libc::sigwait(&set, &mut signal) } != 0 {}
            let _ = events.send(Event::Stop(0));
        })?;
    Ok(())
}

#[cfg(not(unix))]
fn stop_on_signals(_events: mpsc::Sender<Event>) -> std::io::Result<()> {
    Ok(())
}
