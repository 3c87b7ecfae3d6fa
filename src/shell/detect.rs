//! Which shell is calling: the wrapper says so with `--shell`; without it, the parent
//! process (under `eval "$(rsume …)"` that is the shell itself), then `$SHELL`.

use std::path::Path;

use super::Shell;

/// The calling shell, best guess. POSIX shells other than zsh get the bash dialect, which is
/// plain POSIX `export`/`unset`.
pub fn detect(env: &dyn Fn(&str) -> Option<String>) -> Shell {
    if cfg!(windows) {
        return Shell::Powershell;
    }
    parent_program()
        .and_then(|name| from_program(&name))
        .or_else(|| env("SHELL").and_then(|path| from_program(&path)))
        .unwrap_or(Shell::Bash)
}

/// Maps a program path or name (`/usr/bin/fish`, `-zsh`, `pwsh.exe`) to a shell.
fn from_program(program: &str) -> Option<Shell> {
    let base = Path::new(program.trim()).file_name()?.to_str()?;
    let base = base.trim_start_matches('-');
    let base = base.strip_suffix(".exe").unwrap_or(base);
    match base {
        "bash" | "sh" | "dash" | "ash" | "ksh" | "mksh" | "busybox" => Some(Shell::Bash),
        "zsh" => Some(Shell::Zsh),
        "fish" => Some(Shell::Fish),
        "pwsh" | "powershell" => Some(Shell::Powershell),
        _ => None,
    }
}

#[cfg(target_os = "linux")]
fn parent_program() -> Option<String> {
    let ppid = std::os::unix::process::parent_id();
    std::fs::read_to_string(format!("/proc/{ppid}/comm")).ok()
}

/// Elsewhere there is no cheap, dependency-free way to name the parent; `$SHELL` decides.
#[cfg(not(target_os = "linux"))]
fn parent_program() -> Option<String> {
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
    }

    #[test]
    fn falls_back_to_dollar_shell() {
        // The test runner is not a shell, so $SHELL decides.
        if parent_program().and_then(|p| from_program(&p)).is_none() {
            assert_eq!(detect(&|_| Some("/usr/bin/fish".into())), Shell::Fish);
            assert_eq!(detect(&|_| None), Shell::Bash);
        }
    }
}
