//! Which shell is calling, when neither the wrapper nor `--shell` says so. Under
//! `eval "$(rsume …)"` or `rsume … | source` the parent process is the shell itself, so what
//! it executes decides: `/proc/<ppid>/exe` names the real program (a script started through
//! `#!/usr/bin/fish` runs fish, whatever its own file is called). Anything else (a parent
//! that is not a shell rsume knows, no /proc, any platform but Linux) leaves only a guess
//! from `$SHELL`, and a guess gets code that is safe in every shell ([`Target::Guessed`]).

use std::path::Path;

use super::{Shell, Target};

pub fn detect(env: &dyn Fn(&str) -> Option<String>) -> Target {
    // PowerShell is the only shell rsume writes for on Windows.
    if cfg!(windows) {
        return Target::Known(Shell::Powershell);
    }
    decide(parent_shell(), env)
}

fn decide(parent: Option<Shell>, env: &dyn Fn(&str) -> Option<String>) -> Target {
    match parent {
        Some(shell) => Target::Known(shell),
        None => Target::Guessed(
            env("SHELL")
                .and_then(|path| from_program(&path))
                .unwrap_or(Shell::Bash),
        ),
    }
}

/// Maps a program path or name (`/usr/bin/fish`, `-zsh`, `pwsh.exe`) to a shell. POSIX
/// shells other than zsh get the bash dialect, which is plain POSIX `export`/`unset`.
fn from_program(program: &str) -> Option<Shell> {
    let base = Path::new(program.trim()).file_name()?.to_str()?;
    let base = base.trim_start_matches('-');
    let base = base.strip_suffix(".exe").unwrap_or(base);
    match base {
        "bash" | "sh" | "dash" | "ash" | "hush" | "ksh" | "mksh" => Some(Shell::Bash),
        "zsh" => Some(Shell::Zsh),
        "fish" => Some(Shell::Fish),
        "pwsh" | "powershell" => Some(Shell::Powershell),
        _ => None,
    }
}

/// Programs that are many programs in one, picking by the name they were started as.
const MULTI_CALL: [&str; 2] = ["busybox", "toybox"];

/// The shell a process runs, from its executable's path and, only when that is a multi-call
/// binary, the name it was started as (`sh`, or `busybox sh`).
fn from_executable(exe: &Path, argv: &[String]) -> Option<Shell> {
    // A program replaced on disk while it runs (a package upgrade) reads `… (deleted)`.
    let exe = exe.to_str()?;
    let exe = exe.strip_suffix(" (deleted)").unwrap_or(exe);
    let name = Path::new(exe).file_name()?.to_str()?;
    if !MULTI_CALL.contains(&name) {
        return from_program(name);
    }
    let applet = match argv {
        [first, second, ..] if MULTI_CALL.iter().any(|m| first.ends_with(m)) => second,
        [first, ..] => first,
        [] => return None,
    };
    from_program(applet)
}

#[cfg(target_os = "linux")]
fn parent_shell() -> Option<Shell> {
    let ppid = std::os::unix::process::parent_id();
    let exe = std::fs::read_link(format!("/proc/{ppid}/exe")).ok()?;
    let cmdline = std::path::PathBuf::from(format!("/proc/{ppid}/cmdline"));
    let argv: Vec<String> = crate::fs::read(&cmdline, crate::fs::Contents::CommandLine)
        .map(|raw| {
            raw.split(|b| *b == 0)
                .take(2)
                .map(|arg| String::from_utf8_lossy(arg).into_owned())
                .collect()
        })
        .unwrap_or_default();
    from_executable(&exe, &argv)
}

/// Elsewhere there is no /proc; the parent is unknown and the shell a guess.
#[cfg(not(target_os = "linux"))]
fn parent_shell() -> Option<Shell> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_program_names() {
        assert_eq!(from_program("/usr/bin/fish"), Some(Shell::Fish));
        assert_eq!(from_program("-zsh"), Some(Shell::Zsh));
        assert_eq!(from_program("dash\n"), Some(Shell::Bash));
        assert_eq!(from_program("pwsh.exe"), Some(Shell::Powershell));
        assert_eq!(from_program("python3"), None);
        assert_eq!(from_program("login.fish"), None);
    }

    #[test]
    fn the_executable_decides_not_the_process_name() {
        let argv = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let exe = |path: &str| Path::new(path).to_owned();
        // A script run through its `#!/usr/bin/fish` line: argv names the script.
        assert_eq!(
            from_executable(&exe("/usr/bin/fish"), &argv(&["/usr/bin/fish", "./login"])),
            Some(Shell::Fish)
        );
        assert_eq!(
            from_executable(&exe("/usr/bin/zsh (deleted)"), &argv(&["-zsh"])),
            Some(Shell::Zsh)
        );
        // A non-shell parent that calls itself a shell is still not one.
        assert_eq!(
            from_executable(&exe("/usr/bin/python3.11"), &argv(&["bash"])),
            None
        );
        assert_eq!(
            from_executable(&exe("/bin/busybox"), &argv(&["sh", "-c"])),
            Some(Shell::Bash)
        );
        assert_eq!(
            from_executable(&exe("/bin/busybox"), &argv(&["/bin/busybox", "ash"])),
            Some(Shell::Bash)
        );
        assert_eq!(
            from_executable(&exe("/bin/busybox"), &argv(&["timeout", "5"])),
            None
        );
    }

    #[test]
    fn a_parent_that_is_not_a_shell_leaves_a_guess_from_dollar_shell() {
        let fish = |name: &str| (name == "SHELL").then(|| "/usr/bin/fish".to_owned());
        assert_eq!(decide(None, &fish), Target::Guessed(Shell::Fish));
        assert_eq!(decide(None, &|_| None), Target::Guessed(Shell::Bash));
        assert_eq!(decide(Some(Shell::Zsh), &fish), Target::Known(Shell::Zsh));
    }

    #[test]
    fn the_guessed_form_is_chosen_when_detection_cannot_tell() {
        let fish = |name: &str| (name == "SHELL").then(|| "/usr/bin/fish".to_owned());
        let region = |value: &str| {
            [super::super::Change::Set {
                name: "AWS_REGION",
                value: value.to_owned(),
            }]
        };
        let target = decide(None, &fish);
        assert_eq!(
            target.render(&region("eu-west-1")).unwrap(),
            "export AWS_REGION='eu-west-1';\n"
        );
        assert!(matches!(
            target.render(&region("it's")),
            Err(super::super::BadValue::Ambiguous { name: "AWS_REGION" })
        ));
    }
}
