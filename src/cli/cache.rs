//! `rsume cache …`: the cached credentials.

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum CacheCommand {
    /// List cached entries: profile, kind, expiry (never a secret)
    List,
    /// Remove the entries of one profile, or all of them
    Clear {
        /// Only this profile's entries
        profile: Option<String>,
    },
}
