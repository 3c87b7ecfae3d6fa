//! `--debug` output: plain lines on stderr. Callers pass only what is safe to show;
//! secrets are typed as `Secret`, whose `Debug` is redacted, so they cannot slip in by `{:?}`.

use std::fmt::Arguments;
use std::sync::atomic::{AtomicBool, Ordering};

static ENABLED: AtomicBool = AtomicBool::new(false);

pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

pub fn debug(message: Arguments<'_>) {
    if enabled() {
        eprintln!("rsume: debug: {message}");
    }
}

/// Something went wrong that rsume can work around.
pub fn warn(message: Arguments<'_>) {
    eprintln!("rsume: warning: {message}");
}

/// Progress and results the user should see: on stderr, so stdout stays shell code.
pub fn info(message: Arguments<'_>) {
    eprintln!("rsume: {message}");
}
