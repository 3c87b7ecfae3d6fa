//! Completion candidates, read from the user's files at TAB time.

use clap_complete::engine::CompletionCandidate;

/// Profile names for a word that takes one. A name that starts with `-` is left out: clap
/// would read it there as a flag.
pub(super) fn profile_candidates() -> Vec<CompletionCandidate> {
    profile_names()
        .into_iter()
        .filter(|name| !name.starts_with('-'))
        .map(CompletionCandidate::new)
        .collect()
}

/// rsume's first word: a profile name, or for a name that starts with `-` (a flag there)
/// `--profile=NAME`, the one form clap reads it in (`-p NAME` is refused as a flag too).
pub(super) fn first_word_candidates() -> Vec<CompletionCandidate> {
    profile_names()
        .into_iter()
        .map(|name| {
            if name.starts_with('-') {
                format!("--profile={name}")
            } else {
                name
            }
        })
        .map(CompletionCandidate::new)
        .collect()
}

fn profile_names() -> Vec<String> {
    let env = |name: &str| std::env::var(name).ok();
    let Ok((_, set)) = crate::config::load(&env) else {
        return Vec::new();
    };
    set.profiles().map(|p| p.name().to_owned()).collect()
}
