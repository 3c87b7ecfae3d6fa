//! `rsume init <shell>`: the wrapper function, so a user types `rsume admin` instead of
//! `eval "$(rsume admin)"`. The text is the file under `shell/`, embedded at build time.

use super::Output;
use crate::shell::Shell;

pub fn run(shell: Shell) -> Output {
    Output::Text(shell.wrapper_script().to_owned())
}
