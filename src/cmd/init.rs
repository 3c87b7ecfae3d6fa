//! `rsume init <shell>`: the wrapper function, so a user types `rsume admin` instead of
//! `eval "$(rsume admin)"`, and the completions. The wrapper's text is the file under
//! `shell/`, with its shell and the directory of its code file filled in.

use super::{Env, Output, UsageError, code_file, completions};
use crate::shell::Shell;

pub fn run(shell: Shell, auto_refresh: bool, env: Env<'_>) -> Result<Output, UsageError> {
    let Some(dir) = code_file::dir(env) else {
        return Err(UsageError(
            "no directory for the wrapper's code file: set XDG_RUNTIME_DIR or HOME (a relative RSUME_CACHE_DIR cannot serve: the wrapper runs from any directory)".into(),
        ));
    };
    let mut text = wrapper(shell, &dir.to_string_lossy());
    if auto_refresh {
        text.push_str(&posix_or_as_is(shell, &refresh_hook(shell)?));
    }
    let completions = completions::registration(shell);
    if shell == Shell::Zsh {
        text.push_str(&zsh_completions(&completions));
    } else {
        text.push_str(&posix_or_as_is(shell, &completions));
    }
    Ok(Output::Text(text))
}

/// bash and zsh: code from outside the wrapper (the prompt hook, clap's completion script),
/// which is not written to the unquoted-eval rules, as one `eval $'…'` statement that runs
/// it exactly as written (docs/shells.md, "Unquoted eval"). Other shells: as it is.
fn posix_or_as_is(shell: Shell, code: &str) -> String {
    match shell {
        Shell::Bash | Shell::Zsh => {
            let lines: String = without_comments(code)
                .lines()
                .map(|line| format!("{}\n", line.trim_start()))
                .collect();
            Shell::eval_statement(&lines)
        }
        _ => code.to_owned(),
    }
}

/// zsh's completion needs `compdef`, which only `compinit` defines, and a fresh `~/.zshrc`
/// may run it after this or never: register now if it exists, else at each prompt until it
/// does (a precmd hook that then removes itself).
fn zsh_completions(registration: &str) -> String {
    let (script, compdef): (Vec<&str>, Vec<&str>) = registration
        .lines()
        .partition(|line| !line.starts_with("compdef "));
    debug_assert_eq!(compdef.len(), 1, "clap_complete changed its zsh script");
    let mut text = posix_or_as_is(Shell::Zsh, &script.join("\n"));
    text.push_str(&format!(
        "__rsume_compdef() {{\n    typeset -f compdef >/dev/null || return 1;\n    {};\n    add-zsh-hook -d precmd __rsume_compdef;\n    return 0;\n}};\n\
         autoload -Uz add-zsh-hook;\n__rsume_compdef || add-zsh-hook precmd __rsume_compdef;\n",
        compdef.first().copied().unwrap_or_default()
    ));
    text
}

/// `code` without its comment lines (and blank lines): the printed code holds no comment,
/// which would swallow the rest of a joined-up `eval $(…)`.
fn without_comments(code: &str) -> String {
    code.lines()
        .filter(|line| {
            let line = line.trim_start();
            !line.is_empty() && !line.starts_with('#')
        })
        .map(|line| format!("{line}\n"))
        .collect()
}

/// The prompt hook of `--auto-refresh`: bash and zsh share the check and hook it in their
/// own way; fish has a function of its own.
fn refresh_hook(shell: Shell) -> Result<String, UsageError> {
    let check = include_str!("../../shell/refresh.sh").replace("@SHELL@", shell.name());
    Ok(match shell {
        Shell::Bash => check + include_str!("../../shell/refresh.bash"),
        Shell::Zsh => check + include_str!("../../shell/refresh.zsh"),
        Shell::Fish => include_str!("../../shell/refresh.fish").to_owned(),
        Shell::Powershell => {
            return Err(UsageError(
                "--auto-refresh is for bash, zsh and fish; in PowerShell, let the SDKs refresh through  credential_process = rsume credential-process PROFILE  or use rsume exec".into(),
            ));
        }
    })
}

/// The wrapper function, with its shell and the directory of its code file (quoted for the
/// shell) filled in.
pub fn wrapper(shell: Shell, code_dir: &str) -> String {
    let rc_file = match shell {
        Shell::Zsh => "~/.zshrc",
        _ => "~/.bashrc",
    };
    let text = shell
        .wrapper_script()
        .replace("@SHELL@", shell.name())
        .replace("@RC_FILE@", rc_file)
        .replace("@CODE_DIR@", &shell.quote(code_dir));
    match shell {
        Shell::Bash | Shell::Zsh => without_comments(&text),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_placeholder_is_filled() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::Powershell] {
            let text = wrapper(shell, "/run/user/1000/rsume");
            for placeholder in ["@SHELL@", "@RC_FILE@", "@CODE_DIR@"] {
                assert!(!text.contains(placeholder), "{placeholder} in {text}");
            }
            assert!(text.contains("'/run/user/1000/rsume'"), "{text}");
            assert!(text.contains("--code-file"), "{text}");
        }
    }
}
