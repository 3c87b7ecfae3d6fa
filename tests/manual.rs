//! The man page in docs/ is generated from the same command definition as `--help`, and
//! must be current: `RSUME_BLESS=1 cargo test --test manual` rewrites it.

use clap::CommandFactory;

#[test]
fn the_man_page_is_current() {
    // The package version only: a build's commit must not make the page differ.
    let command = rsume::cli::Cli::command().version(env!("CARGO_PKG_VERSION"));
    let mut page = Vec::new();
    clap_mangen::Man::new(command).render(&mut page).unwrap();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rsume.1");
    if std::env::var_os("RSUME_BLESS").is_some() {
        std::fs::write(path, &page).unwrap();
    }
    let current = std::fs::read(path).unwrap_or_default();
    assert!(
        current == page,
        "docs/rsume.1 is out of date: run  RSUME_BLESS=1 cargo test --test manual"
    );
    let text = String::from_utf8(page).unwrap();
    for word in [
        r"\-\-profile",
        r"\-\-mfa\-token",
        "init",
        "cache",
        "completions",
    ] {
        assert!(text.contains(word), "{word} missing from the man page");
    }
}
