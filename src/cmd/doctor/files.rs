//! The checks on files: the AWS config files parse and only their owner can read them, and
//! the cache directory is safe to keep credentials in.

use std::path::Path;

use super::Check;
use crate::cache::{self, Cache};
use crate::cmd::{Env, profiles};
use crate::config::{self, ProfileSet, SourceFile};

/// Parses both files; the set comes back when they parse, with whether neither file exists.
pub(super) fn check(env: Env<'_>, checks: &mut Vec<Check>) -> Option<(ProfileSet, bool)> {
    const CHECK: &str = "config files";
    let (files, set) = match config::load(env) {
        Ok(loaded) => loaded,
        Err(error) => {
            checks.push(Check::fail(
                CHECK,
                error.to_string(),
                "correct the file at that line (docs/configuration.md shows the syntax)",
            ));
            return None;
        }
    };
    if profiles::no_files(&files) {
        checks.push(Check::fail(
            CHECK,
            format!(
                "no AWS files: neither {} nor {} exists",
                files.config.path.display(),
                files.credentials.path.display()
            ),
            profiles::FIRST_SESSION,
        ));
        checks.push(Check::skip("file modes", "no AWS files to check"));
        return Some((set, true));
    }
    let names = format!("{} and {}", shown(&files.config), shown(&files.credentials));
    checks.push(match set.warnings() {
        [] => Check::pass(CHECK, format!("{names} parse")),
        warnings => Check::fail(
            CHECK,
            warnings.join("; "),
            "move or rename what the AWS SDKs would ignore, as each warning says",
        ),
    });
    checks.push(modes(&[&files.config, &files.credentials]));
    Some((set, false))
}

fn shown(file: &SourceFile) -> String {
    let state = if file.exists { "" } else { " (not found)" };
    format!("{}{state}", file.path.display())
}

/// Both files may hold keys (`aws_access_key_id` is allowed in the config file too).
#[cfg(unix)]
fn modes(files: &[&SourceFile]) -> Check {
    use std::os::unix::fs::PermissionsExt;
    const CHECK: &str = "file modes";
    let open: Vec<(&Path, u32)> = files
        .iter()
        .filter(|file| file.exists)
        .filter_map(|file| {
            let mode = std::fs::metadata(&file.path).ok()?.permissions().mode() & 0o777;
            (mode & 0o077 != 0).then_some((file.path.as_path(), mode))
        })
        .collect();
    if open.is_empty() {
        return Check::pass(CHECK, "only you can read the AWS files");
    }
    let list =
        |f: &dyn Fn(&(&Path, u32)) -> String| open.iter().map(f).collect::<Vec<_>>().join(", ");
    Check::fail(
        CHECK,
        format!(
            "other users can read {}",
            list(&|(path, mode)| format!("{} (mode {mode:04o})", path.display()))
        ),
        format!(
            "chmod 600 {}",
            list(&|(path, _)| crate::shell::Shell::Bash.word(&path.display().to_string()))
        ),
    )
}

#[cfg(not(unix))]
fn modes(_: &[&SourceFile]) -> Check {
    Check::skip("file modes", "not checked on this system")
}

/// The cache directory as `Cache::open` would judge it, without creating it.
pub(super) fn cache(env: Env<'_>, off: bool) -> Check {
    const CHECK: &str = "cache directory";
    if off {
        return Check::skip(CHECK, "the cache is off (--no-cache or RSUME_NO_CACHE)");
    }
    let Some(dir) = cache::default_dir(env) else {
        return Check::fail(
            CHECK,
            "there is no cache directory: neither HOME nor RSUME_CACHE_DIR is set",
            "set RSUME_CACHE_DIR to a directory only you can use",
        );
    };
    if std::fs::symlink_metadata(&dir).is_err() {
        return Check::pass(
            CHECK,
            format!(
                "{} will be created (mode 0700) when first needed",
                dir.display()
            ),
        );
    }
    match Cache::open(dir.clone()) {
        Ok(_) => Check::pass(CHECK, format!("{} is private", dir.display())),
        Err(error) => Check::fail(
            CHECK,
            error.to_string(),
            format!(
                "let only you use it ( chmod 700 {} ), or point RSUME_CACHE_DIR at a new directory",
                crate::shell::Shell::Bash.word(&dir.display().to_string())
            ),
        ),
    }
}
