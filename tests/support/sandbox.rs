#![allow(dead_code)]
//! A throwaway HOME with AWS files, and ways to run the built rsume in it: directly, or
//! inside a real bash, zsh or fish that evaluates its output the way users do.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

pub const BIN: &str = env!("CARGO_BIN_EXE_rsume");

/// The shells whose real binaries the tests evaluate rsume's output in.
pub const SHELLS: [&str; 3] = ["bash", "zsh", "fish"];

pub struct Sandbox {
    dir: TempDir,
    env: Vec<(String, String)>,
}

/// One finished run of rsume (or of a shell around it).
pub struct Run {
    pub status: std::process::ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(output: Output) -> Self {
        Run {
            status: output.status,
            stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        }
    }

    /// Asserts success and returns stdout.
    #[track_caller]
    pub fn ok(&self) -> &str {
        assert!(
            self.status.success(),
            "expected success, got {}\nstdout:\n{}\nstderr:\n{}",
            self.status,
            self.stdout,
            self.stderr
        );
        &self.stdout
    }

    /// Asserts a failure with empty stdout and returns stderr.
    #[track_caller]
    pub fn failed(&self) -> &str {
        assert!(
            !self.status.success(),
            "expected failure\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        assert_eq!(self.stdout, "", "a failed run must print nothing on stdout");
        &self.stderr
    }
}

/// The environment a shell ended with: exported variables read back by `env -0`.
pub struct ShellRun {
    pub run: Run,
    pub vars: BTreeMap<String, String>,
}

impl Sandbox {
    /// A HOME whose `~/.aws/config` and `~/.aws/credentials` hold the given text.
    pub fn new(config: &str, credentials: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let aws = dir.path().join(".aws");
        std::fs::create_dir(&aws).unwrap();
        std::fs::write(aws.join("config"), config).unwrap();
        std::fs::write(aws.join("credentials"), credentials).unwrap();
        // Private, as the AWS CLI writes it: rsume warns about a credentials file others can read.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            aws.join("credentials"),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
        let bin_dir = Path::new(BIN).parent().unwrap().display().to_string();
        let path = format!("{bin_dir}:{}", std::env::var("PATH").unwrap_or_default());
        let home = dir.path().display().to_string();
        let env = vec![
            ("HOME".into(), home),
            ("PATH".into(), path),
            ("LANG".into(), "C.UTF-8".into()),
            // Never reach for the instance metadata service or a real AWS host.
            ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
            ("AWS_REGION".into(), "us-east-1".into()),
            ("AWS_ENDPOINT_URL_STS".into(), "http://127.0.0.1:9".into()),
        ];
        Sandbox { dir, env }
    }

    pub fn home(&self) -> &Path {
        self.dir.path()
    }

    /// Sets (or replaces) a variable for every run.
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.env.retain(|(k, _)| k != name);
        self.env.push((name.into(), value.into()));
        self
    }

    pub fn without(mut self, name: &str) -> Self {
        self.env.retain(|(k, _)| k != name);
        self
    }

    /// Points STS calls at a local server.
    pub fn endpoint(self, url: &str) -> Self {
        self.env("AWS_ENDPOINT_URL_STS", url)
    }

    /// Any program, in the sandbox's directory with exactly the sandbox's environment.
    pub fn program(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command.env_clear().current_dir(self.dir.path());
        for (k, v) in &self.env {
            command.env(k, v);
        }
        command
    }

    /// rsume itself with `args`, stdin closed.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = self.program(BIN);
        command.args(args).stdin(Stdio::null());
        command
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.command(args).output().expect("run rsume"))
    }

    /// Runs `rsume args` inside `shell` exactly as the README tells users to (`eval
    /// "$(rsume …)"`, or `rsume … | source` in fish), then reads back the environment.
    pub fn eval_in(&self, shell: &str, args: &[&str]) -> ShellRun {
        let script = match shell {
            "bash" | "zsh" => r#"eval "$(rsume "$@")""#,
            "fish" => "rsume $argv | source",
            other => panic!("no such shell {other}"),
        };
        self.shell(shell, script, args)
    }

    /// Runs `script` in a real `shell` with `args` as its positional parameters ($@ or
    /// $argv), then reads back the environment the script left (`env -0` into a file, so the
    /// script's own stdout stays in `run.stdout`).
    pub fn shell(&self, shell: &str, script: &str, args: &[&str]) -> ShellRun {
        let env_file = self.dir.path().join(format!("env-{shell}-{}", unique()));
        let script = match shell {
            "fish" => format!(
                "{script}\nset -l rsume_test_status $status\nenv -0 > $RSUME_TEST_ENV_FILE\nexit $rsume_test_status"
            ),
            _ => format!(
                "{script}\nrsume_test_status=$?\nenv -0 > \"$RSUME_TEST_ENV_FILE\"\nexit $rsume_test_status"
            ),
        };
        let mut command = self.program(shell);
        command
            .env("RSUME_TEST_ENV_FILE", &env_file)
            .stdin(Stdio::null());
        let script = script.as_str();
        match shell {
            "bash" => command.args(["--noprofile", "--norc", "-c", script, "sh"]),
            "zsh" => command.args(["-f", "-c", script, "zsh"]),
            "fish" => command.args(["--no-config", "-c", script]),
            other => panic!("no such shell {other}"),
        };
        command.args(args);
        let output = command
            .output()
            .unwrap_or_else(|e| panic!("cannot start {shell} ({e}); install it (see .ci/run)"));
        let mut vars = parse_env0(&std::fs::read(&env_file).unwrap_or_default());
        vars.remove("RSUME_TEST_ENV_FILE");
        ShellRun {
            run: Run::from(output),
            vars,
        }
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// Where rsume caches by default in this HOME.
    pub fn cache_dir(&self) -> PathBuf {
        self.path(".cache/rsume")
    }

    /// The cache entries (`*.json`) in `dir`; none when it does not exist.
    pub fn entries_in(dir: &Path) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|entries| entries.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|e| e == "json"));
        files
    }

    /// The cache entries in the default cache directory.
    pub fn cache_entries(&self) -> Vec<PathBuf> {
        Self::entries_in(&self.cache_dir())
    }
}

/// `body` after loading the wrapper the way the README says.
pub fn with_wrapper(shell: &str, body: &str) -> String {
    match shell {
        "fish" => format!("rsume init fish | source\n{body}"),
        other => format!("eval \"$(rsume init {other})\"\n{body}"),
    }
}

/// Waits for `child` up to `limit`; kills it (by its own pid) and fails the test if it is
/// still running, so a hang is a failure, never a stuck test.
pub fn finish_within(mut child: std::process::Child, limit: Duration, what: &str) -> Output {
    let deadline = Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let output = child.wait_with_output().unwrap();
            panic!(
                "{what} still running after {limit:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// A per-process counter, so parallel tests in one sandbox never share a file.
fn unique() -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

fn parse_env0(bytes: &[u8]) -> BTreeMap<String, String> {
    bytes
        .split(|b| *b == 0)
        .filter(|entry| !entry.is_empty())
        .filter_map(|entry| {
            let text = String::from_utf8(entry.to_vec()).expect("env is UTF-8");
            let (k, v) = text.split_once('=')?;
            Some((k.to_owned(), v.to_owned()))
        })
        .collect()
}
