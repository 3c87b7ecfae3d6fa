//! `rsume clean`: removes the profiles rsume wrote (`-o`) whose credentials have expired from
//! the credentials file; with `--all`, every profile rsume wrote, in both files (the
//! `--auto-refresh` profiles too). Sections without rsume's marker are never touched.

use std::time::SystemTime;

use super::output::is_ours;
use super::{Env, Output};
use crate::config::edit::Document;
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
        let mut document = Document::load(kind, path)?;
        let mut changed = false;
        for name in &names {
            if is_ours(&document, name)
                && (all || expired(&document, name))
                && document.remove_section(name)
            {
                log::info(format_args!(
                    "removed profile {name} from {}",
                    path.display()
                ));
                changed = true;
                removed += 1;
            }
        }
        if changed {
            document.save()?;
        }
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
fn expired(document: &Document, name: &str) -> bool {
    document
        .get(name, "expiration")
        .and_then(|text| time::parse_rfc3339(&text))
        .is_some_and(|at| at <= SystemTime::now())
}
