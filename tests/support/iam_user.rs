//! A sandbox whose profile `user` holds a new moto IAM user's keys, and a pseudo-terminal
//! to run `rsume mfa …` on: for the tests of `rsume mfa`.

use rexpect::session::{PtySession, spawn_command};

use super::moto::moto;
use super::moto_iam;
use super::sandbox::{BIN, Sandbox};

/// A HOME whose profile `user` holds the keys of a new moto IAM user named `name`, with
/// IAM (and STS) reached through `endpoint`.
pub fn user_sandbox(name: &str, config: &str, endpoint: &str) -> Sandbox {
    let (key_id, secret) = moto_iam::user_with_keys(&moto().endpoint(), name);
    let credentials =
        format!("[user]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n");
    Sandbox::new(config, &credentials).env("AWS_ENDPOINT_URL", endpoint)
}

/// Runs `script` in sh on a fresh pseudo-terminal, rsume as `$RSUME`.
pub fn on_terminal(sandbox: &Sandbox, script: &str) -> PtySession {
    let mut shell = sandbox.program("sh");
    shell.arg("-c").arg(script).env("RSUME", BIN);
    spawn_command(shell, Some(30_000)).expect("spawn on a pty")
}
