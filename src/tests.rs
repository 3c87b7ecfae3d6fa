//! The crate's layering, checked on the source: data flows one way (files -> the walk -> the
//! plan -> providers -> credentials -> a command's output), so the lower layers name nothing
//! above them.

use std::path::{Path, PathBuf};

/// Each lower layer and the modules it must not reach: `resolve` builds on all of them, and
/// `cmd` on everything.
const LAYERS: [(&str, &[&str]); 6] = [
    ("src/vault", &["resolve", "cmd"]),
    ("src/cache", &["resolve", "cmd"]),
    ("src/sts", &["resolve", "cmd"]),
    ("src/iam", &["resolve", "cmd"]),
    ("src/config", &["resolve", "cmd"]),
    ("src/cli", &["resolve", "cmd"]),
];

/// The top-level modules a text names through `crate::`: in `use` lines, in `use crate::{…}`
/// groups (nested or over several lines) and in paths written inline, such as a clap
/// attribute's `value_parser = crate::resolve::parse`. Comment lines are not code.
fn crate_modules(text: &str) -> Vec<String> {
    let code: String = text
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut found = Vec::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        let preceded_by_ident = rest[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        rest = &rest[at + "crate::".len()..];
        if preceded_by_ident {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            found.extend(group_heads(group));
        } else {
            found.push(ident(rest).to_owned());
        }
    }
    found
}

/// The first segment of each item of a `{…}` group (its text after the `{`), up to the
/// matching `}`.
fn group_heads(group: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut item_start = true;
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => item_start = true,
            c if item_start && depth == 0 && !c.is_whitespace() => {
                heads.push(ident(&group[i..]).to_owned());
                item_start = false;
            }
            _ => {}
        }
    }
    heads
}

fn ident(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// Every `.rs` file at or below `path`: what the structural tests of the crate scan.
pub(crate) fn rust_files(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_owned()];
    }
    let Ok(entries) = std::fs::read_dir(path) else {
        return Vec::new();
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

#[test]
fn lower_layers_import_nothing_from_resolve_or_cmd() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut upward = Vec::new();
    for (layer, forbidden) in LAYERS {
        let files = rust_files(&root.join(layer));
        assert!(!files.is_empty(), "no files in {layer}: moved?");
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for module in crate_modules(&text) {
                if forbidden.contains(&module.as_str()) {
                    let relative = file.strip_prefix(root).unwrap().display().to_string();
                    upward.push(format!("{relative} uses crate::{module}"));
                }
            }
        }
    }
    assert!(upward.is_empty(), "arrows up:\n{}", upward.join("\n"));
}

#[test]
fn every_spelling_of_an_import_is_seen() {
    let text = "\
use crate::resolve::Plan;
use crate::{log, time};
use crate::{
    credentials::Secret,
    cmd::{Env, Output},
};
    #[arg(value_parser = crate::resolve::parse_role_arn)]
let x = crate::config::load(env);
// crate::cmd in a comment is not code
/// nor in a doc comment: [`crate::cmd::run`]
let y = notcrate::cmd::x;
";
    assert_eq!(
        crate_modules(text),
        [
            "resolve",
            "log",
            "time",
            "credentials",
            "cmd",
            "resolve",
            "config"
        ]
    );
}
