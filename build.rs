//! Stamps the commit rsume is built from into `RSUME_COMMIT`, for `rsume --version`.
//! Outside a git checkout of rsume itself (a crates.io tarball, a vendored copy inside
//! another repository, no git installed) it says "unknown" and never fails the build.

use std::path::Path;
use std::process::Command;

fn main() {
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let commit = checkout_commit(Path::new(&manifest_dir)).unwrap_or_else(|| "unknown".into());
    println!("cargo::rustc-env=RSUME_COMMIT={commit}");
    println!("cargo::rerun-if-changed=build.rs");
}

/// The short commit of HEAD, when `dir` is the top of a git work tree; also asks Cargo to
/// run this again when HEAD moves (a commit, a checkout).
fn checkout_commit(dir: &Path) -> Option<String> {
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    if Path::new(&top).canonicalize().ok()? != dir.canonicalize().ok()? {
        return None;
    }
    let commit = git(dir, &["rev-parse", "--short=12", "HEAD"])?;
    // HEAD names the branch; the branch's file (or packed-refs) holds the commit. In a
    // linked worktree they live in different directories, which --git-path resolves.
    let mut watched = vec!["HEAD".to_string(), "packed-refs".to_string()];
    watched.extend(git(dir, &["symbolic-ref", "-q", "HEAD"]));
    for name in watched {
        let path = git(
            dir,
            &["rev-parse", "--path-format=absolute", "--git-path", &name],
        );
        // Cargo reruns on every build for a watched file that does not exist.
        if let Some(path) = path.filter(|path| Path::new(path).exists()) {
            println!("cargo::rerun-if-changed={path}");
        }
    }
    Some(commit)
}

/// One line of git's output, or None if git is missing or fails.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let line = text.trim();
    (output.status.success() && !line.is_empty()).then(|| line.to_string())
}
