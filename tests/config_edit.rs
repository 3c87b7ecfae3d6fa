//! The edit API of the profile files, compared byte for byte: an edit changes only the lines
//! it means to, and what it writes reads back as written.

use proptest::prelude::*;
use rsume::config::FileKind::{Config, Credentials};
use rsume::config::edit::{Document, EditError};
use rsume::config::update::update;

fn config(text: &str) -> Document {
    Document::parse(Config, "/home/a/.aws/config", text).expect("should parse")
}

fn credentials(text: &str) -> Document {
    Document::parse(Credentials, "/home/a/.aws/credentials", text).expect("should parse")
}

/// Sets `key` and returns the new text.
fn set(mut document: Document, profile: &str, key: &str, value: &str) -> String {
    document.set(profile, key, value).expect("should set");
    assert_eq!(document.get(profile, key).as_deref(), Some(value));
    document.text().to_owned()
}

/// A config file with everything the editor must leave alone: CRLF endings, comments of both
/// kinds, odd spacing, sub-properties, sso-session and services sections, and no final newline.
const RICH: &str = "# managed by hand\r\n\
    [default]\r\n\
    region=eu-west-1 ; closest\r\n\
    \r\n\
    [sso-session corp]\r\n\
    sso_start_url = https://corp.awsapps.com/start#/\r\n\
    sso_region = eu-west-1\r\n\
    \r\n\
    [services local]\r\n\
    sts =\r\n\
    \x20 endpoint_url = http://127.0.0.1:5000\r\n\
    \r\n\
    [ profile   dev ]   # the team's\r\n\
    role_arn\t=\tarn:aws:iam::123456789012:role/dev\r\n\
    s3 =\r\n\
    \x20\x20\x20\x20max_concurrent_requests = 20\r\n\
    ; trailing note\r\n\
    \r\n\
    [profile prod]\r\n\
    source_profile = dev";

#[test]
fn an_added_key_goes_after_the_sections_last_property_and_nothing_else_moves() {
    let edited = set(
        config(RICH),
        "dev",
        "mfa_serial",
        "arn:aws:iam::123456789012:mfa/me",
    );
    let expected = RICH.replace(
        "max_concurrent_requests = 20\r\n",
        "max_concurrent_requests = 20\r\nmfa_serial = arn:aws:iam::123456789012:mfa/me\r\n",
    );
    assert_eq!(edited, expected);
}

#[test]
fn a_rewritten_key_keeps_its_spacing_and_inline_comment() {
    let edited = set(config(RICH), "default", "region", "us-east-2");
    assert_eq!(
        edited,
        RICH.replace("region=eu-west-1 ; closest", "region=us-east-2 ; closest")
    );
    let edited = set(
        config(RICH),
        "dev",
        "ROLE_ARN",
        "arn:aws:iam::123456789012:role/x",
    );
    assert_eq!(
        edited,
        RICH.replace("role/dev\r\n", "role/x\r\n"),
        "the key keeps its case, tabs and all"
    );
    let edited = set(
        config("[default]\nk = # why\nj =\nl=\n"),
        "default",
        "k",
        "v",
    );
    assert_eq!(edited, "[default]\nk = v # why\nj =\nl=\n");
    let edited = set(config("[default]\nj =\nl=\n"), "default", "j", "v");
    assert_eq!(
        set(config(&edited), "default", "l", "w"),
        "[default]\nj = v\nl=w\n"
    );
}

#[test]
fn a_key_on_the_last_line_without_a_newline_stays_without_one() {
    let edited = set(config(RICH), "prod", "source_profile", "default");
    assert_eq!(
        edited,
        RICH.replace("source_profile = dev", "source_profile = default")
    );
    let edited = set(config(RICH), "prod", "region", "eu-north-1");
    assert_eq!(edited, format!("{RICH}\r\nregion = eu-north-1"));
}

#[test]
fn a_missing_section_is_appended_after_a_blank_line_with_the_files_newline() {
    let edited = set(config(RICH), "new", "region", "us-east-1");
    assert_eq!(
        edited,
        format!("{RICH}\r\n\r\n[profile new]\r\nregion = us-east-1\r\n")
    );
    let text = "[a]\naws_access_key_id = AKIDEXAMPLE\n";
    let edited = set(credentials(text), "mfa", "aws_session_token", "token");
    assert_eq!(
        edited,
        format!("{text}\n[mfa]\naws_session_token = token\n")
    );
    let edited = set(credentials("[a]\nk = v\n\n"), "b", "k", "v");
    assert_eq!(edited, "[a]\nk = v\n\n[b]\nk = v\n");
    assert_eq!(set(credentials(""), "b", "k", "v"), "[b]\nk = v\n");
    assert_eq!(set(config(""), "default", "k", "v"), "[default]\nk = v\n");
    // More LF than CRLF lines: new lines take LF.
    let edited = set(credentials("[a]\r\nk = v\nj = w\n"), "b", "k", "v");
    assert_eq!(edited, "[a]\r\nk = v\nj = w\n\n[b]\nk = v\n");
}

#[test]
fn an_empty_section_gets_the_key_under_its_header() {
    let text = "[x] ; empty\n# about y\n[y]\nk = v\n";
    let edited = set(credentials(text), "x", "k", "1");
    assert_eq!(edited, "[x] ; empty\nk = 1\n# about y\n[y]\nk = v\n");
}

#[test]
fn a_multi_line_value_is_replaced_whole_and_comments_between_stay() {
    let text = "[default]\nk = a\n  b\n# between\n  c\nnext = 1\n";
    let edited = set(config(text), "default", "k", "z");
    assert_eq!(edited, "[default]\nk = z\n# between\nnext = 1\n");
    let text = "[default]\ns3 =\n  a = 1\n  b = 2\nnext = 1\n";
    let edited = set(config(text), "default", "s3", "off");
    assert_eq!(edited, "[default]\ns3 = off\nnext = 1\n");
}

#[test]
fn duplicate_sections_edit_the_definition_the_reader_uses() {
    // The reader merges both; the later definition of a key wins.
    let text = "[a]\nk = 1\nj = 1\n[b]\n[a]\nk = 2\n";
    let edited = set(credentials(text), "a", "k", "3");
    assert_eq!(edited, "[a]\nk = 1\nj = 1\n[b]\n[a]\nk = 3\n");
    let edited = set(credentials(text), "a", "j", "3");
    assert_eq!(edited, "[a]\nk = 1\nj = 3\n[b]\n[a]\nk = 2\n");
    let edited = set(credentials(text), "a", "new", "3");
    assert_eq!(edited, "[a]\nk = 1\nj = 1\n[b]\n[a]\nk = 2\nnew = 3\n");
    // `[profile default]` hides `[default]`, wherever it is.
    let text = "[profile default]\na = 1\n[default]\nb = 2\n";
    let edited = set(config(text), "default", "b", "3");
    assert_eq!(
        edited,
        "[profile default]\na = 1\nb = 3\n[default]\nb = 2\n"
    );
    // Headers are matched as the reader reads them; other files' spellings are not profiles.
    let text = "[profile a]\nk = 1\n[a]\nk = 2\n[ profile\ta ]\nj = 1\n";
    let edited = set(config(text), "a", "k", "3");
    assert_eq!(
        edited,
        "[profile a]\nk = 3\n[a]\nk = 2\n[ profile\ta ]\nj = 1\n"
    );
}

#[test]
fn what_would_not_read_back_is_refused_and_changes_nothing() {
    let mut document = config(RICH);
    for (profile, key, value) in [
        ("dev", "mfa_serial", "a\nb"),
        ("dev", "mfa_serial", "a\r"),
        ("dev", "bad\nkey", "v"),
        ("new\n[x]", "k", "v"),
        ("dev", "mfa_serial", " padded"),
        ("dev", "mfa_serial", "padded\t"),
        ("dev", "mfa_serial", "cut # here"),
        ("dev", "mfa_serial", "cut ; here"),
        ("dev", "bad key", "v"),
        ("dev", "k=", "v"),
        ("bad name", "k", "v"),
        ("a]b", "k", "v"),
        ("a#b", "k", "v"),
    ] {
        let Err(err) = document.set(profile, key, value) else {
            panic!("{profile:?} {key:?} {value:?} was accepted");
        };
        assert!(
            matches!(err, EditError::Refused { .. }),
            "{profile:?} {key:?} {value:?}"
        );
        let message = err.to_string();
        assert!(
            message.starts_with("cannot set ") && message.contains("/home/a/.aws/config"),
            "{message}"
        );
        assert!(!message.contains('\n'), "{message}");
        assert_eq!(document.text(), RICH);
    }
    // A value with '#' or ';' not after whitespace reads back whole.
    let mut document = config(RICH);
    document
        .set("dev", "sso_start_url", "https://x/start#/a;b")
        .unwrap();
}

#[test]
fn the_refusal_never_shows_the_value() {
    let mut document = credentials("[a]\n");
    let err = document
        .set("a", "aws_secret_access_key", " topsecret")
        .unwrap_err();
    assert!(!err.to_string().contains("topsecret"));
    assert!(!format!("{err:?}").contains("topsecret"));
    assert!(!format!("{document:?}").contains("[a]"));
}

#[test]
fn remove_takes_every_definition_with_its_continuation_lines() {
    let text = "[a]\nk = 1\n  more\n# note\nj = 2\n[b]\nk = 3\n[a]\nK = 4\n";
    let mut document = credentials(text);
    assert!(document.remove("a", "k"));
    assert_eq!(document.text(), "[a]\n# note\nj = 2\n[b]\nk = 3\n[a]\n");
    assert_eq!(document.get("a", "k"), None);
    assert!(!document.remove("a", "k"));
    assert!(!document.remove("missing", "k"));
    let mut document = config(RICH);
    assert!(document.remove("dev", "s3"));
    assert_eq!(
        document.text(),
        RICH.replace("s3 =\r\n    max_concurrent_requests = 20\r\n", "")
    );
}

#[test]
fn remove_section_keeps_the_comments_that_lead_into_the_next_one() {
    let mut document = config(RICH);
    assert_eq!(document.remove_sections("dev", |_| true), 1);
    assert_eq!(
        document.text(),
        RICH.replace(
            "[ profile   dev ]   # the team's\r\nrole_arn\t=\tarn:aws:iam::123456789012:role/dev\r\ns3 =\r\n    max_concurrent_requests = 20\r\n",
            ""
        )
    );
    assert_eq!(document.remove_sections("dev", |_| true), 0);
    let mut document = config(RICH);
    assert_eq!(document.remove_sections("prod", |_| true), 1);
    assert!(document.text().ends_with("; trailing note\r\n\r\n"));
    // Every section the reader could take the profile from goes.
    let mut document = config("[default]\na = 1\n\n[profile default]\nb = 2\n\n[profile x]\n");
    assert_eq!(document.remove_sections("default", |_| true), 2);
    assert_eq!(document.text(), "[profile x]\n");
    // The sso-session of the same name is not a profile.
    let mut document = config(RICH);
    assert_eq!(document.remove_sections("corp", |_| true), 0);
    assert_eq!(document.text(), RICH);
}

#[test]
fn get_reads_as_the_reader_does() {
    let document = config(RICH);
    assert_eq!(
        document.get("default", "region").as_deref(),
        Some("eu-west-1")
    );
    assert_eq!(
        document.get("dev", "ROLE_ARN").as_deref(),
        Some("arn:aws:iam::123456789012:role/dev")
    );
    assert_eq!(document.get("corp", "sso_region"), None);
    assert_eq!(document.get("prod", "region"), None);
}

#[test]
fn a_file_the_reader_rejects_is_not_edited() {
    let err = Document::parse(
        Config,
        "/home/a/.aws/config",
        "[default]\nregion = x\nSECRET\n",
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "/home/a/.aws/config:3: expected \"key = value\" (a property needs an '=' sign)"
    );
}

#[cfg(unix)]
#[test]
fn load_edit_save_goes_through_a_link_and_keeps_the_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("dotfiles-config");
    std::fs::write(&real, RICH).unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o644)).unwrap();
    let link = dir.path().join("config");
    std::os::unix::fs::symlink(&real, &link).unwrap();

    update(Config, &link, |document| {
        document.set("dev", "region", "eu-west-3")
    })
    .unwrap();
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let expected = RICH.replace(
        "max_concurrent_requests = 20\r\n",
        "max_concurrent_requests = 20\r\nregion = eu-west-3\r\n",
    );
    assert_eq!(std::fs::read_to_string(&real).unwrap(), expected);
    assert_eq!(
        std::fs::metadata(&real).unwrap().permissions().mode() & 0o777,
        0o644
    );

    // A missing file is an empty document, saved 0600.
    let missing = dir.path().join("sub").join("credentials");
    assert_eq!(Document::load(Credentials, &missing).unwrap().text(), "");
    update(Credentials, &missing, |document| {
        document.set("a", "k", "v")
    })
    .unwrap();
    assert_eq!(std::fs::read_to_string(&missing).unwrap(), "[a]\nk = v\n");
    assert_eq!(
        std::fs::metadata(&missing).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

/// One line of a generated file, with odd spacing, comments and continuations among them.
fn line() -> impl Strategy<Value = String> {
    let name = "(a|b|default|x-1)";
    let value = "[a-z0-9:/#;=]{0,6}";
    let patterns = vec![
        format!("\\[{name}\\]( ?[#;] ?[a-z ]{{0,4}})?"),
        format!("\\[ ?profile[ \\t]{{1,2}}{name} ?\\]"),
        format!("\\[(sso-session|services) {name}\\]"),
        // Maybe followed by a line that continues it (or is its sub-property: it has an '=').
        format!(
            "(k|K|region|s3)[ \\t]{{0,2}}=[ \\t]{{0,2}}{value}( [#;][a-z ]{{0,4}})?[ \\t]{{0,2}}\
             (\r?\n[ \\t]{{1,2}}[a-z]{{1,3}} ?= ?[a-z0-9]{{0,3}})?"
        ),
        "[#;][ a-z=\\[\\]]{0,6}".to_owned(),
        "[ \\t]{0,2}".to_owned(),
    ];
    prop::sample::select(patterns)
        .prop_flat_map(|pattern| proptest::string::string_regex(&pattern).expect("a valid pattern"))
}

/// A file of those lines after a comment and a header (mostly), each line with either ending.
fn file() -> impl Strategy<Value = String> {
    (
        "(# [a-z]{0,3}\n)?\\[(a|profile a|profile b|b)\\]",
        prop::collection::vec((line(), prop_oneof!["\n", "\r\n"]), 0..24),
        any::<bool>(),
    )
        .prop_map(|(first, lines, final_newline)| {
            let mut text = first + "\r\n";
            text.extend(lines.into_iter().map(|(l, e)| l + &e));
            if !final_newline && text.ends_with('\n') {
                text.pop();
                if text.ends_with('\r') {
                    text.pop();
                }
            }
            text
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Setting every key to the value it has returns the very same bytes.
    #[test]
    fn a_no_op_edit_returns_identical_bytes(text in file(), kind in prop_oneof![Just(Config), Just(Credentials)]) {
        let Ok(mut document) = Document::parse(kind, "f", text.as_str()) else {
            return Ok(());
        };
        for profile in ["a", "b", "default", "x-1"] {
            for key in ["k", "region", "s3"] {
                if let Some(value) = document.get(profile, key).filter(|v| !v.contains('\n')) {
                    document.set(profile, key, &value).unwrap();
                    prop_assert_eq!(document.text(), text.as_str());
                }
            }
        }
    }

    /// A real edit reads back, and every other profile reads as before.
    #[test]
    fn an_edit_changes_only_its_target(text in file(), value in "[a-z0-9]{1,5}") {
        let Ok(mut document) = Document::parse(Config, "f", text.as_str()) else {
            return Ok(());
        };
        let before: Vec<_> = ["a", "b", "default"]
            .iter()
            .map(|p| (document.get(p, "k"), document.get(p, "region")))
            .collect();
        document.set("x-1", "region", &value).unwrap();
        prop_assert_eq!(document.get("x-1", "region"), Some(value));
        let after: Vec<_> = ["a", "b", "default"]
            .iter()
            .map(|p| (document.get(p, "k"), document.get(p, "region")))
            .collect();
        prop_assert_eq!(before, after);
    }
}

#[test]
fn each_section_of_a_duplicated_name_is_read_and_removed_on_its_own() {
    let text = "[work]\nk = theirs\n\n[other]\nk = 0\n\n[work]\nmark = yes\n";
    let mut document = credentials(text);
    let marks: Vec<Option<String>> = document
        .sections_of("work")
        .iter()
        .map(|section| section.get("mark").map(str::to_owned))
        .collect();
    assert_eq!(marks, [None, Some("yes".to_owned())]);
    // The merged profile has both keys; the sections keep them apart.
    assert_eq!(document.get("work", "mark").as_deref(), Some("yes"));
    let removed = document.remove_sections("work", |section| section.get("mark").is_some());
    assert_eq!(removed, 1);
    assert_eq!(document.text(), "[work]\nk = theirs\n\n[other]\nk = 0\n\n");
}
