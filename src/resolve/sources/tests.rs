//! A source is declared once, as a row of [`SOURCES`]: its spellings are its own, the walk
//! dispatches on them only through the table, and nothing else names them.

use std::path::Path;

use super::*;
use crate::config::{ProfileFiles, parse};
use crate::resolve::{Kind, survey};

fn spellings() -> Vec<(&'static str, &'static SourceRow)> {
    SOURCES
        .iter()
        .flat_map(|row| {
            let names: Vec<&'static str> = match row.spelling {
                Spelling::Keys(keys) => keys.to_vec(),
                Spelling::CredentialSource(name) => vec![name],
            };
            names.into_iter().map(move |name| (name, row))
        })
        .collect()
}

#[test]
fn each_spelling_and_kind_belongs_to_one_row() {
    let names = spellings();
    for (i, (name, _)) in names.iter().enumerate() {
        let twice = names[i + 1..]
            .iter()
            .any(|(other, _)| other.eq_ignore_ascii_case(name));
        assert!(!twice, "{name} is spelled by two rows");
    }
    for (i, row) in SOURCES.iter().enumerate() {
        assert!(
            SOURCES[i + 1..].iter().all(|other| other.kind != row.kind),
            "two rows are {}",
            row.kind
        );
        // The walk's own words are for keys, roles and web identity, never a row's.
        assert!(
            [
                Kind::Static,
                Kind::Mfa,
                Kind::Session,
                Kind::Role,
                Kind::WebIdentity,
                Kind::Other
            ]
            .iter()
            .all(|word| word.name() != row.kind),
            "{}",
            row.kind
        );
    }
}

#[test]
fn the_walk_finds_every_row_by_its_spelling_in_any_case() {
    for (name, row) in spellings() {
        let section = match row.spelling {
            Spelling::Keys(_) => format!("{name} = x\n"),
            Spelling::CredentialSource(_) => {
                format!("credential_source = {}\n", name.to_ascii_lowercase())
            }
        };
        let config = format!("[profile p]\n{section}");
        let set = parse(&ProfileFiles::from_strings(&config, "")).unwrap();
        let found = survey(&set, "p");
        assert_eq!(
            found.kind,
            Kind::Listed(row.kind),
            "{name}: {:?}",
            found.error
        );
    }
    let message = credential_source_names();
    assert_eq!(message, "Environment, Ec2InstanceMetadata, EcsContainer");
}

/// No file but the table spells a `credential_source` value as a literal, and only the
/// walk reads `credential_source` to choose a source.
#[test]
fn sources_are_named_only_in_the_table() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = crate::tests::rust_files(&src);
    assert!(files.len() > 50, "found only {}", files.len());
    let mut strays = Vec::new();
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy();
        let relative = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if name == "tests.rs" || name.ends_with("_tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        for (spelling, row) in spellings() {
            if let Spelling::CredentialSource(_) = row.spelling
                && relative != "resolve/sources.rs"
                && text.contains(&format!("\"{spelling}\""))
            {
                strays.push(format!("{relative} spells \"{spelling}\""));
            }
        }
        let in_plan = relative.starts_with("resolve/") || relative.starts_with("vault/");
        if in_plan && relative != "resolve/walk.rs" && text.contains("get(\"credential_source\")") {
            strays.push(format!("{relative} reads credential_source"));
        }
    }
    assert!(
        strays.is_empty(),
        "declare a source in sources.rs only: {strays:#?}"
    );
}
