//! `rsume init <shell>`: the wrapper function, so a user types `rsume admin` instead of
//! `eval "$(rsume admin)"`, and the completions. The wrapper's text is the file under
//! `shell/`, with its shell and the lists it needs filled in from the command definition.

use super::{Output, UsageError, completions};
use crate::cli;
use crate::shell::Shell;

pub fn run(shell: Shell, auto_refresh: bool) -> Result<Output, UsageError> {
    let mut text = wrapper(shell);
    if auto_refresh {
        text.push_str(&refresh_hook(shell)?);
    }
    let completions = completions::registration(shell);
    if shell == Shell::Zsh {
        // Without compinit there is no compdef: the wrapper must still load without an error.
        let guarded = completions.replace("\ncompdef ", "\n(( $+functions[compdef] )) && compdef ");
        text.push_str(&guarded);
        text.push_str("true\n");
    } else {
        text.push_str(&completions);
    }
    Ok(Output::Text(text))
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

/// The wrapper function with the direct commands and the flags that take a value filled in,
/// as patterns in the shell's own syntax.
pub fn wrapper(shell: Shell) -> String {
    let pattern = |words: Vec<String>| match shell {
        Shell::Bash | Shell::Zsh => words.join("|"),
        Shell::Fish => words.join(" "),
        Shell::Powershell => words
            .iter()
            .map(|w| format!("'{w}'"))
            .collect::<Vec<_>>()
            .join(", "),
    };
    let rc_file = match shell {
        Shell::Zsh => "~/.zshrc",
        _ => "~/.bashrc",
    };
    shell
        .wrapper_script()
        .replace("@SHELL@", shell.name())
        .replace("@RC_FILE@", rc_file)
        .replace("@VALUE_FLAGS@", &pattern(cli::flags_with_values()))
        .replace("@DIRECT_COMMANDS@", &pattern(cli::direct_command_names()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_placeholder_is_filled() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::Powershell] {
            let text = wrapper(shell);
            for placeholder in ["@SHELL@", "@RC_FILE@", "@VALUE_FLAGS@", "@DIRECT_COMMANDS@"] {
                assert!(!text.contains(placeholder), "{placeholder} in {text}");
            }
            assert!(text.contains("completions"), "{text}");
            assert!(text.contains("--region"), "{text}");
        }
    }
}
