//! The commands ask the plan (answers.rs) and never read its insides: no file under
//! src/cmd matches on a plan's `Source` or `Step`, or on a provider's `EntryKind`.

use std::path::Path;

/// The enum paths only `resolve` and `vault` may match on.
const PLAN_TYPES: [&str; 3] = ["Source::", "Step::", "EntryKind::"];

/// Each place in `text` where `name` starts a path of its own (not the tail of
/// `CodeSource::` or `FileKind::`).
fn uses(text: &str, name: &str) -> usize {
    text.match_indices(name)
        .filter(|(at, _)| {
            !text[..*at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
        .count()
}

#[test]
fn commands_never_match_on_plan_types() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/cmd");
    let files = crate::tests::rust_files(&root);
    assert!(files.len() > 10, "found only {files:?}");
    let mut hits = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for name in PLAN_TYPES {
            if uses(&text, name) > 0 {
                hits.push(format!("{} uses {name}", file.display()));
            }
        }
    }
    assert!(hits.is_empty(), "ask the plan instead: {hits:#?}");
}

#[test]
fn the_scan_sees_a_match_and_ignores_longer_names() {
    assert_eq!(uses("match s { Source::Static(_) => 1 }", "Source::"), 1);
    assert_eq!(uses("crate::resolve::Step::AssumeRole", "Step::"), 1);
    assert_eq!(uses("CodeSource::new(); FileKind::Config", "Source::"), 0);
}
