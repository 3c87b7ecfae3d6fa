//! Opening the sign-in link without putting it on a command line: any local user can read
//! a process's argv (`/proc/PID/cmdline`, `ps`), and the link signs in for 15 minutes. The
//! link goes into a page only this user can read (0600, in a fresh 0700 directory) that
//! redirects to it, and the browser gets the page's path, as Jupyter opens its token URL.
//! Pages stay until their link has expired (the browser may read one after rsume exits);
//! each run removes its own expired ones.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::super::Env;
use super::ConsoleError;
use crate::log;

/// How long a sign-in link works, and so how long its page is kept.
const LINK_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// The prefix of each page's directory, by which later runs find expired ones.
const DIR_PREFIX: &str = "rsume-console-";

const PAGE: &str = "signin.html";

/// Writes the page for `url` and opens it: with `$BROWSER` if set, else the platform's
/// opener. Returns the page's path.
pub(super) fn open(url: &str, env: Env<'_>) -> Result<PathBuf, ConsoleError> {
    let base = base_dir(env);
    remove_expired(&base);
    let page = write_page(&base, url).map_err(|source| ConsoleError::Page {
        dir: base.clone(),
        source,
    })?;
    let browser = env("BROWSER").filter(|b| !b.trim().is_empty());
    let commands = match &browser {
        Some(list) => commands(list),
        None if cfg!(target_os = "macos") => vec![vec!["open".to_owned()]],
        None => vec![vec!["xdg-open".to_owned()]],
    };
    let mut failed = Vec::new();
    for words in commands {
        match start(&words, &page) {
            Ok(()) => return Ok(page),
            Err(why) => failed.push(why),
        }
    }
    Err(ConsoleError::Browser(failed.join("; ")))
}

/// Where the pages go: `$XDG_RUNTIME_DIR` (per user, in memory, cleared at logout), else
/// `$TMPDIR`, else `/tmp`.
fn base_dir(env: Env<'_>) -> PathBuf {
    ["XDG_RUNTIME_DIR", "TMPDIR"]
        .into_iter()
        .filter_map(env)
        .map(PathBuf::from)
        .find(|dir| dir.is_absolute())
        .unwrap_or_else(std::env::temp_dir)
}

/// `$BROWSER` read as `sensible-browser` reads it: a colon-separated list of commands tried
/// in turn, each split into words at whitespace, with `%s` standing for the page (and `%%`
/// for `%`), or the page added as a last word when no word holds `%s`.
fn commands(browser: &str) -> Vec<Vec<String>> {
    browser
        .split(':')
        .map(|entry| {
            entry
                .split_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|words| !words.is_empty())
        .collect()
}

/// Runs one command with the page in place of `%s` (no shell), waiting for it as
/// `sensible-browser` does; a failure says which command and why.
fn start(words: &[String], page: &Path) -> Result<(), String> {
    let page = page.to_string_lossy();
    let mut placed = false;
    let mut argv: Vec<String> = words
        .iter()
        .map(|word| {
            placed |= word.contains("%s");
            word.replace("%%", "\0")
                .replace("%s", &page)
                .replace('\0', "%")
        })
        .collect();
    if !placed {
        argv.push(page.into_owned());
    }
    let program = log::printable(&argv[0]).into_owned();
    let status = std::process::Command::new(&argv[0])
        .args(&argv[1..])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .status()
        .map_err(|error| format!("{program}: {error}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{program} exited with {status}"))
    }
}

/// A new private directory under `base` holding the page, which redirects to `url`.
fn write_page(base: &Path, url: &str) -> std::io::Result<PathBuf> {
    let dir = new_private_dir(base)?;
    let path = dir.join(PAGE);
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let href = html_attribute(url);
    let mut file = options.open(&path)?;
    write!(
        file,
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <meta http-equiv=\"refresh\" content=\"0;url={href}\">\
         <title>AWS console sign-in</title></head>\n\
         <body><p><a href=\"{href}\">Sign in to the AWS console</a></p></body></html>\n"
    )?;
    file.sync_all()?;
    Ok(path)
}

/// `mkdir` with mode 0700 and a name no one else has created: an existing name (another
/// run's, or something planted) is skipped, never reused.
fn new_private_dir(base: &Path) -> std::io::Result<PathBuf> {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    let mut builder = fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    for attempt in 0.. {
        let dir = base.join(format!(
            "{DIR_PREFIX}{}-{nanos}-{attempt}",
            std::process::id()
        ));
        match builder.create(&dir) {
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {}
            result => return result.map(|()| dir),
        }
    }
    unreachable!("the loop returns")
}

/// Removes the pages (and their directories) of earlier runs whose links have expired:
/// only directories by this prefix that belong to this user, and in them only the page.
fn remove_expired(base: &Path) {
    let Ok(entries) = fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        if !entry.file_name().to_string_lossy().starts_with(DIR_PREFIX) {
            continue;
        }
        let Ok(meta) = fs::symlink_metadata(entry.path()) else {
            continue;
        };
        let expired = meta
            .modified()
            .ok()
            .and_then(|at| at.elapsed().ok())
            .is_some_and(|age| age > LINK_LIFETIME);
        if meta.is_dir() && expired && is_mine(&meta) {
            let _ = fs::remove_file(entry.path().join(PAGE));
            let _ = fs::remove_dir(entry.path());
        }
    }
}

#[cfg(unix)]
fn is_mine(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions and cannot fail.
    meta.uid() == unsafe { libc::geteuid() }
}

#[cfg(not(unix))]
fn is_mine(_: &fs::Metadata) -> bool {
    true
}

/// Text safe inside a double-quoted HTML attribute.
fn html_attribute(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browser_lists_split_as_sensible_browser_does() {
        assert_eq!(
            commands("firefox --new-window:  :chromium %s --incognito:w3m"),
            [
                vec!["firefox", "--new-window"],
                vec!["chromium", "%s", "--incognito"],
                vec!["w3m"],
            ]
        );
    }

    #[test]
    fn attributes_are_escaped() {
        assert_eq!(
            html_attribute("https://x/?a=1&b=\"<'>"),
            "https://x/?a=1&amp;b=&quot;&lt;&#39;&gt;"
        );
    }
}
