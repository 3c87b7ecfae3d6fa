//! `rsume cache list` and `rsume cache clear [PROFILE]`. The list shows what each entry is
//! for and when it expires, never a key.

use super::{Env, Output};
use crate::cache::{self, Cache};
use crate::cli::CacheCommand;
use crate::{log, time};

pub fn run(command: &CacheCommand, env: Env<'_>) -> anyhow::Result<Output> {
    let dir = cache::default_dir(env)
        .ok_or_else(|| anyhow::anyhow!("no cache directory: set HOME or RSUME_CACHE_DIR"))?;
    // Looking creates nothing: no cache yet is an empty one.
    let Some(cache) = Cache::existing(dir)? else {
        return Ok(Output::Text(match command {
            CacheCommand::List => list(None)?,
            CacheCommand::Clear { .. } => {
                log::info(format_args!(
                    "removed 0 cache entries: nothing is cached yet"
                ));
                String::new()
            }
        }));
    };
    match command {
        CacheCommand::List => Ok(Output::Text(list(Some(&cache))?)),
        CacheCommand::Clear { profile } => {
            let removed = cache.clear(profile.as_deref())?;
            let whose = profile
                .as_deref()
                .map(|p| format!(" of profile '{p}'"))
                .unwrap_or_default();
            log::info(format_args!(
                "removed {removed} cache entr{}{whose} from {}",
                if removed == 1 { "y" } else { "ies" },
                cache.dir().display()
            ));
            Ok(Output::Text(String::new()))
        }
    }
}

fn list(cache: Option<&Cache>) -> anyhow::Result<String> {
    let mut rows = vec![[
        "PROFILE".to_owned(),
        "KIND".into(),
        "FOR".into(),
        "EXPIRES".into(),
    ]];
    let entries = cache.map(Cache::list).transpose()?.unwrap_or_default();
    for listed in entries {
        rows.push(match listed.about {
            Ok(about) => {
                let at = time::rfc3339(about.expiration);
                let expires = if time::seconds_left(about.expiration) > 0 {
                    format!("{at} (in {})", time::left(about.expiration))
                } else {
                    format!("{at} (expired)")
                };
                [
                    about.profile,
                    about.kind.name().into(),
                    about.subject,
                    expires,
                ]
            }
            Err(_) => {
                let name = listed
                    .file
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy();
                [
                    "-".into(),
                    "unreadable".into(),
                    name.into_owned(),
                    "-".into(),
                ]
            }
        });
    }
    Ok(super::table::table(&rows))
}
