//! `rsume completions <shell>`: the script that makes TAB complete commands, flags and
//! profile names. At each TAB the shell runs `rsume` itself (with RSUME_COMPLETE set), so the
//! candidates always come from the installed binary and profiles come from the user's files
//! at that moment: a new profile completes without regenerating anything.

use clap::CommandFactory;
use clap_complete::env::Shells;

use super::Output;
use crate::cli::Cli;
use crate::shell::Shell;

/// The variable that turns a run of rsume into a completion request.
const VAR: &str = "RSUME_COMPLETE";

pub fn run(shell: Shell) -> Output {
    Output::Text(registration(shell))
}

/// How each shell's registration calls rsume at TAB time, and how it must call it instead:
/// the program itself, never the wrapper function of the same name, which would evaluate
/// the candidates (profile names from the files) as shell code.
fn program_call(shell: Shell) -> (&'static str, &'static str) {
    match shell {
        Shell::Bash => ("\"rsume\" -- ", "command rsume -- "),
        Shell::Zsh => ("\n        rsume -- ", "\n        command rsume -- "),
        Shell::Fish => ("fish rsume -- ", "fish command rsume -- "),
        Shell::Powershell => (
            "& rsume -- ",
            "& (Get-Command -Name rsume -CommandType Application | Select-Object -First 1) -- ",
        ),
    }
}

/// The shell code that registers rsume's completions.
pub fn registration(shell: Shell) -> String {
    let shells = Shells::builtins();
    let completer = shells
        .completer(shell.name())
        .expect("clap_complete knows every shell rsume supports");
    let mut buf = Vec::new();
    completer
        .write_registration(VAR, "rsume", "rsume", "rsume", &mut buf)
        .expect("writing to memory cannot fail");
    let text = String::from_utf8(buf).expect("the registration is text");
    let (call, program) = program_call(shell);
    debug_assert!(
        text.contains(call),
        "clap_complete changed its {shell:?} script"
    );
    text.replace(call, program)
}

/// Answers a completion request and exits, when the shell's TAB made one; otherwise returns
/// at the cost of one environment lookup. A request that comes through the wrapper (whose
/// output is evaluated) is refused: candidates are not shell code.
pub fn answer_if_asked(wrapped: bool) {
    if wrapped && std::env::var_os(VAR).is_some_and(|v| !v.is_empty() && v != "0") {
        crate::log::error(
            "a completion request reached the wrapper function; reload it with rsume init",
        );
        std::process::exit(2);
    }
    clap_complete::CompleteEnv::with_factory(Cli::command)
        .var(VAR)
        .completer("rsume")
        .complete();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completions_call_the_program_not_the_wrapper() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::Powershell] {
            let (call, program) = program_call(shell);
            let text = registration(shell);
            assert!(text.contains(program), "{shell:?}: {text}");
            assert!(!text.replace(program, "").contains(call), "{shell:?}");
        }
    }
}
