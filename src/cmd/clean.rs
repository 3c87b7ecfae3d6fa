//! `rsume clean`: removes the profiles rsume wrote (`-o`) whose credentials have expired from
//! the credentials file; with `--all`, every profile rsume wrote, in both files (the
//! `--auto-refresh` profiles too). Sections without rsume's marker are never touched: each
//! section is judged on its own, so a user's `[work]` stays when a later `[work]` is rsume's.

use std::time::SystemTime;

use super::output::is_ours;
use super::{Env, Output};
use crate::config::edit::{EditError, Section};
use crate::config::update::update;
use crate::config::{self, FileKind};
use crate::{log, time};

pub fn run(all: bool, env: Env<'_>) -> anyhow::Result<Output> {
    let (files, set) = config::load(env)?;
    let names: Vec<&str> = set.profiles().map(|p| p.name()).collect();
    let mut removed = 0;
    for (kind, path) in [
        (FileKind::Credentials, &files.credentials.path),
        (FileKind::Config, &files.config.path),
    ] {
        let gone = update(kind, path, |document| {
            let gone: Vec<&str> = names
                .iter()
                .copied()
                .filter(|name| {
                    document.remove_sections(name, |s| is_ours(s) && (all || expired(s))) > 0
                })
                .collect();
            Ok::<_, EditError>(gone)
        })?;
        for name in &gone {
            log::info(format_args!(
                "removed profile {name} from {}",
                path.display()
            ));
        }
        removed += gone.len();
    }
    if removed == 0 {
        log::info(format_args!(
            "nothing to remove: no {}profile written by rsume",
            if all { "" } else { "expired " }
        ));
    }
    Ok(Output::Text(String::new()))
}

/// Whether the section's credentials have expired; one without an expiry never does.
fn expired(section: &Section) -> bool {
    section
        .get("expiration")
        .and_then(time::parse_rfc3339)
        .is_some_and(|at| at <= SystemTime::now())
}
