//! rsume: from an AWS profile to temporary credentials in the caller's shell.
//!
//! Data flows one way: `config` (files → profiles) → `resolve` (profile → a chain of
//! providers) → `vault` (the chain → credentials: from `cache`, or asking `mfa` for a code
//! and `sts` for sessions) → `exports` and `shell` (credentials → shell code) → `cmd`, which
//! main writes to stdout once. `vault`, `cache`, `sts`, `iam`, `config` and `cli` know nothing
//! of `resolve` or `cmd` (`tests.rs` checks their imports).

pub mod cache;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod credentials;
pub mod exports;
pub mod fs;
pub mod http;
pub mod iam;
pub mod log;
pub mod mfa;
pub mod process;
pub mod qr;
pub mod region;
pub mod resolve;
pub mod sdk;
pub mod server;
pub mod shell;
pub mod sts;
pub mod time;
pub mod variables;
pub mod vault;

#[cfg(test)]
mod tests;
