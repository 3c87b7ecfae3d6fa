//! scripts/install.sh in a throwaway HOME, with the test build of rsume (`--binary`, so no
//! release build here; CI runs the script's own build in .ci/run). The startup line it writes
//! is then loaded by the real bash, zsh and fish, which must find rsume's wrapper through it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use tempfile::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_rsume");
const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/install.sh");
const MARKER: &str = "# added by rsume install";

struct Home {
    dir: TempDir,
}

struct Script {
    ok: bool,
    stdout: String,
    stderr: String,
}

impl Home {
    fn new() -> Self {
        Home {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The default prefix, ~/.local, whose bin directory is not on PATH.
    fn prefix(&self) -> PathBuf {
        self.path().join(".local")
    }

    /// Runs the script as a user of `shell` would, with only system directories on PATH.
    fn install(&self, shell: &str, args: &[&str]) -> Script {
        self.install_with_umask("022", shell, args)
    }

    fn install_with_umask(&self, umask: &str, shell: &str, args: &[&str]) -> Script {
        let output = Command::new("bash")
            .args(["-c", &format!("umask {umask} && exec bash \"$@\""), "bash"])
            .arg(SCRIPT)
            .args(["--binary", BIN])
            .args(args)
            .env_clear()
            .env("HOME", self.path())
            .env("SHELL", format!("/bin/{shell}"))
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .output()
            .unwrap();
        let script = Script {
            ok: output.status.success(),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        };
        assert!(script.ok, "install.sh {args:?} failed\n{}", script.stderr);
        script
    }

    /// Every file under HOME with its bytes, mode and modification time.
    fn snapshot(&self) -> BTreeMap<PathBuf, (Vec<u8>, u32, SystemTime)> {
        use std::os::unix::fs::PermissionsExt;
        let mut files = BTreeMap::new();
        let mut dirs = vec![self.path().to_path_buf()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                let meta = std::fs::symlink_metadata(&path).unwrap();
                if meta.is_dir() {
                    dirs.push(path.clone());
                }
                let bytes = if meta.is_file() {
                    std::fs::read(&path).unwrap()
                } else {
                    Vec::new()
                };
                files.insert(
                    path,
                    (bytes, meta.permissions().mode(), meta.modified().unwrap()),
                );
            }
        }
        files
    }

    /// Loads the startup file in a non-interactive `shell` and runs `command` there.
    fn in_shell(&self, shell: &str, rc: &Path, command: &str) -> String {
        let rc = rc.display();
        let mut run = Command::new(shell);
        match shell {
            "fish" => run.args(["--no-config", "-c", &format!("source '{rc}'; {command}")]),
            "zsh" => run.args(["-f", "-c", &format!(". '{rc}'; {command}")]),
            _ => run.args(["--norc", "-c", &format!(". '{rc}'; {command}")]),
        };
        let output = run
            .env_clear()
            .env("HOME", self.path())
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{shell}: {command}\n{stderr}");
        String::from_utf8(output.stdout).unwrap()
    }
}

fn rc_file(home: &Home, shell: &str) -> PathBuf {
    match shell {
        "fish" => home.path().join(".config/fish/config.fish"),
        _ => home.path().join(format!(".{shell}rc")),
    }
}

fn version() -> String {
    let output = Command::new(BIN).arg("--version").output().unwrap();
    String::from_utf8(output.stdout).unwrap()
}

fn has_completions_command() -> bool {
    Command::new(BIN)
        .args(["completions", "bash"])
        .output()
        .unwrap()
        .status
        .success()
}

#[test]
fn installs_a_line_each_shell_loads_and_a_second_run_changes_nothing() {
    for shell in ["bash", "zsh", "fish"] {
        let home = Home::new();
        let first = home.install(shell, &["--modify-rc"]);
        let installed = home.prefix().join("bin/rsume");
        assert_eq!(
            std::fs::read(&installed).unwrap(),
            std::fs::read(BIN).unwrap()
        );
        let rc = rc_file(&home, shell);
        let text = std::fs::read_to_string(&rc).unwrap();
        assert_eq!(text.lines().count(), 1, "{shell}: {text}");
        assert!(
            text.ends_with(&format!("{MARKER}; it created this file\n")),
            "{shell}: {text}"
        );
        assert!(first.stdout.contains(text.trim_end()), "{}", first.stdout);

        // The line puts ~/.local/bin on PATH and defines the wrapper, which runs rsume.
        let defined = match shell {
            "fish" => "functions -q rsume; and rsume --version",
            _ => "typeset -f rsume >/dev/null && rsume --version",
        };
        assert_eq!(home.in_shell(shell, &rc, defined), version(), "{shell}");

        let before = home.snapshot();
        let second = home.install(shell, &["--modify-rc"]);
        assert_eq!(
            home.snapshot(),
            before,
            "{shell}: the second run changed files"
        );
        assert!(
            second.stdout.contains("already loads rsume's wrapper"),
            "{}",
            second.stdout
        );
        assert!(!second.stdout.contains("  new "), "{}", second.stdout);
    }
}

#[test]
fn without_modify_rc_it_only_prints_the_line() {
    let home = Home::new();
    let script = home.install("bash", &[]);
    assert!(!rc_file(&home, "bash").exists());
    let line = format!(
        "case \":$PATH:\" in *:\"$HOME/.local/bin\":*) ;; *) export PATH=\"$HOME/.local/bin:$PATH\" ;; esac; eval \"$(rsume init bash)\"  {MARKER}"
    );
    assert!(script.stdout.contains(&line), "{}", script.stdout);
}

#[test]
fn uninstall_restores_the_startup_file_byte_for_byte() {
    let home = Home::new();
    let rc = rc_file(&home, "bash");
    // No newline at the end, and a symlink, as a dotfiles manager leaves it.
    let original = "alias ll='ls -l'\n# rsume init bash (a comment, not a load)\nexport X=1";
    let real_rc = home.path().join("dotfiles-bashrc");
    std::fs::write(&real_rc, original).unwrap();
    std::os::unix::fs::symlink(&real_rc, &rc).unwrap();

    home.install("bash", &["--modify-rc"]);
    assert!(std::fs::symlink_metadata(&rc).unwrap().is_symlink());
    let edited = std::fs::read_to_string(&real_rc).unwrap();
    assert!(edited.starts_with(&format!("{original}\n")), "{edited}");
    assert!(edited.ends_with(MARKER), "{edited}");

    let script = home.install("bash", &["--uninstall"]);
    assert_eq!(std::fs::read_to_string(&real_rc).unwrap(), original);
    assert!(std::fs::symlink_metadata(&rc).unwrap().is_symlink());
    assert!(script.stdout.contains("removed"), "{}", script.stdout);
    let left: Vec<_> = home
        .snapshot()
        .into_iter()
        .filter(|(path, (bytes, ..))| !bytes.is_empty() && path.starts_with(home.prefix()))
        .map(|(path, _)| path)
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn loading_the_startup_file_again_adds_nothing_to_path_or_fpath() {
    for shell in ["bash", "zsh"] {
        let home = Home::new();
        home.install(shell, &["--modify-rc"]);
        let rc = rc_file(&home, shell);
        let bin = home.prefix().join("bin");
        let script = match shell {
            "zsh" => ". ~/.zshrc; print -l $path; print -l $fpath",
            _ => ". ~/.bashrc; echo \"$PATH\" | tr : '\\n'",
        };
        let shown = home.in_shell(shell, &rc, script);
        let count = |dir: &Path| shown.lines().filter(|l| Path::new(l) == dir).count();
        assert_eq!(count(&bin), 1, "{shell}: {shown}");
        if shell == "zsh" && has_completions_command() {
            let functions = home.prefix().join("share/zsh/site-functions");
            assert_eq!(count(&functions), 1, "{shell}: {shown}");
        }
    }
}

#[test]
fn a_startup_file_it_creates_follows_the_umask_and_goes_on_uninstall() {
    for shell in ["bash", "zsh", "fish"] {
        use std::os::unix::fs::PermissionsExt;
        let home = Home::new();
        home.install_with_umask("027", shell, &["--modify-rc"]);
        let rc = rc_file(&home, shell);
        let mode = std::fs::metadata(&rc).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640, "{shell}");
        let script = home.install(shell, &["--uninstall"]);
        assert!(!rc.exists(), "{shell}: {}", script.stdout);
        assert!(
            script.stdout.contains("the install created it"),
            "{}",
            script.stdout
        );
    }
    // A file that was there before, empty, stays.
    let home = Home::new();
    let rc = rc_file(&home, "bash");
    std::fs::write(&rc, "").unwrap();
    home.install("bash", &["--modify-rc"]);
    home.install("bash", &["--uninstall"]);
    assert_eq!(std::fs::read(&rc).unwrap(), b"");
}

#[test]
fn a_strange_prefix_is_quoted_in_the_startup_line() {
    for shell in ["bash", "zsh", "fish"] {
        let home = Home::new();
        let prefix = home.path().join("it's $(touch pwned) `x` \\ here");
        let prefix_arg = prefix.to_str().unwrap();
        home.install(shell, &["--prefix", prefix_arg, "--modify-rc"]);
        let rc = rc_file(&home, shell);
        assert_eq!(
            home.in_shell(shell, &rc, "rsume --version"),
            version(),
            "{shell}"
        );
        assert!(
            !home.path().join("pwned").exists(),
            "{shell} ran the prefix"
        );
        assert!(!Path::new("pwned").exists(), "{shell} ran the prefix");
    }
}

#[test]
fn completions_and_the_man_page_go_where_shells_and_man_look() {
    let home = Home::new();
    let script = home.install("zsh", &[]);
    let man_page = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rsume.1");
    let installed_man = home.prefix().join("share/man/man1/rsume.1");
    if man_page.exists() {
        assert_eq!(
            std::fs::read(installed_man).unwrap(),
            std::fs::read(man_page).unwrap()
        );
    } else {
        assert!(!installed_man.exists());
        assert!(script.stdout.contains("skipped    the man page"));
    }

    let places = [
        ("bash", ".local/share/bash-completion/completions/rsume"),
        ("zsh", ".local/share/zsh/site-functions/_rsume"),
        ("fish", ".config/fish/completions/rsume.fish"),
    ];
    for (shell, place) in places {
        let installed = home.path().join(place);
        if has_completions_command() {
            let expected = Command::new(BIN)
                .args(["completions", shell])
                .output()
                .unwrap()
                .stdout;
            assert_eq!(std::fs::read(&installed).unwrap(), expected, "{shell}");
        } else {
            // Until `rsume completions` lands, the script says what it skipped.
            assert!(!installed.exists(), "{shell}");
            assert!(
                script
                    .stdout
                    .contains(&format!("skipped    {shell} completions")),
                "{}",
                script.stdout
            );
        }
    }
    assert!(script.stderr.is_empty() && script.ok, "{}", script.stderr);
}

#[test]
fn version_names_the_commit_it_was_built_from() {
    let head = Command::new("git")
        .args([
            "-C",
            env!("CARGO_MANIFEST_DIR"),
            "rev-parse",
            "--short=12",
            "HEAD",
        ])
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8(output.stdout).unwrap().trim().to_string());
    let commit = head.unwrap_or_else(|| "unknown".to_string());
    assert_eq!(
        version(),
        format!("rsume {} ({commit})\n", env!("CARGO_PKG_VERSION"))
    );
}
