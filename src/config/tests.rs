use super::*;

fn parsed(config: &str, credentials: &str) -> ProfileSet {
    parse(&ProfileFiles::from_strings(config, credentials)).expect("should parse")
}

fn config(text: &str) -> ProfileSet {
    parsed(text, "")
}

fn error(config: &str, credentials: &str) -> String {
    parse(&ProfileFiles::from_strings(config, credentials))
        .expect_err("should fail")
        .to_string()
}

fn names(set: &ProfileSet) -> Vec<&str> {
    set.profiles().map(Profile::name).collect()
}

fn get<'a>(set: &'a ProfileSet, profile: &str, key: &str) -> Option<&'a str> {
    set.profile(profile)?.get(key)
}

#[test]
fn empty_files_have_no_profiles() {
    let set = parsed("", "");
    assert!(names(&set).is_empty());
    assert!(set.warnings().is_empty());
}

#[test]
fn profiles_hold_trimmed_properties() {
    let set = config("[profile foo]\nname \t=  \tvalue \t\nname2 = val=ue\nempty =\n[profile bar]");
    assert_eq!(names(&set), ["bar", "foo"]);
    assert_eq!(get(&set, "foo", "name"), Some("value"));
    assert_eq!(get(&set, "foo", "name2"), Some("val=ue"));
    assert_eq!(get(&set, "foo", "empty"), Some(""));
    assert_eq!(get(&set, "foo", "missing"), None);
}

#[test]
fn windows_line_endings_are_supported() {
    let set = config("[profile foo]\r\nname = value\r\n");
    assert_eq!(get(&set, "foo", "name"), Some("value"));
}

#[test]
fn profile_in_both_files_is_merged_with_credentials_winning() {
    let set = parsed(
        "[profile foo]\nregion = us-east-1\naws_access_key_id = FROMCONFIG\n",
        "[foo]\naws_access_key_id = FROMCREDS\naws_secret_access_key = s\n",
    );
    let foo = set.profile("foo").unwrap();
    assert_eq!(foo.get("region"), Some("us-east-1"));
    assert_eq!(foo.get("aws_access_key_id"), Some("FROMCREDS"));
    assert_eq!(foo.get("aws_secret_access_key"), Some("s"));
    assert_eq!(
        foo.location("aws_access_key_id").unwrap().to_string(),
        "~/.aws/credentials:2"
    );
    assert_eq!(
        foo.location("region").unwrap().to_string(),
        "~/.aws/config:2"
    );
}

#[test]
fn same_section_twice_in_one_file_merges_with_later_keys_winning() {
    let set = config("[profile foo]\na = 1\nb = 1\n[profile bar]\n[ profile foo ]\nb = 2\n");
    assert_eq!(get(&set, "foo", "a"), Some("1"));
    assert_eq!(get(&set, "foo", "b"), Some("2"));
    assert_eq!(set.profile("foo").unwrap().location("b").unwrap().line, 6);
    let set = config("[profile foo]\nname = value\nname = value2");
    assert_eq!(get(&set, "foo", "name"), Some("value2"));
}

#[test]
fn profile_default_wins_over_default_in_the_config_file() {
    for text in [
        "[profile default]\na = 1\n[default]\nb = 2\n",
        "[default]\nb = 2\n[profile default]\na = 1\n",
    ] {
        let set = config(text);
        let default = set.profile("default").unwrap();
        assert_eq!(default.get("a"), Some("1"), "{text}");
        assert_eq!(default.get("b"), None, "{text}");
        assert_eq!(set.warnings().len(), 1, "{text}");
        assert!(set.warnings()[0].contains("[default] ignored"), "{text}");
    }
    // Every `[default]` is dropped, and `[profile default]` sections merge.
    let set = config("[profile default]\na = 1\n[default]\nb = 2\n[profile default]\nc = 3");
    assert_eq!(get(&set, "default", "b"), None);
    assert_eq!(get(&set, "default", "c"), Some("3"));
    // Without `[profile default]`, `[default]` is the default profile.
    assert_eq!(get(&config("[default]\nb = 2"), "default", "b"), Some("2"));
    // The rule is per file: the credentials file's `[default]` still merges in.
    let set = parsed(
        "[profile default]\na = 1\n[default]\nb = 2",
        "[default]\nc = 3",
    );
    assert_eq!(get(&set, "default", "a"), Some("1"));
    assert_eq!(get(&set, "default", "b"), None);
    assert_eq!(get(&set, "default", "c"), Some("3"));
}

#[test]
fn full_line_comments_and_blank_lines_are_skipped() {
    let set = config("# c\n; c\n\t \n[profile foo]\n#x = 1\n;y = 2\n\nname = value\n");
    let foo = set.profile("foo").unwrap();
    assert_eq!(foo.get("name"), Some("value"));
    assert_eq!(foo.get("#x"), None);
    assert_eq!(foo.get("x"), None);
}

#[test]
fn inline_comments_count_only_after_whitespace() {
    let set = config(
        "[profile foo]\na = us-east-1 # x\nb = v ; x\nc = v\t#x\nd = b#c\ne = b;c\nf = http://h/p#frag\ng = ;\n",
    );
    let foo = set.profile("foo").unwrap();
    assert_eq!(foo.get("a"), Some("us-east-1"));
    assert_eq!(foo.get("b"), Some("v"));
    assert_eq!(foo.get("c"), Some("v"));
    assert_eq!(foo.get("d"), Some("b#c"));
    assert_eq!(foo.get("e"), Some("b;c"));
    assert_eq!(foo.get("f"), Some("http://h/p#frag"));
    assert_eq!(foo.get("g"), Some(""));
}

#[test]
fn comments_may_follow_section_headers() {
    let set = config("[profile a] # note\n[profile b];note\n[profile c]#x\n[profile d] ; x");
    assert_eq!(names(&set), ["a", "b", "c", "d"]);
}

#[test]
fn section_headers_are_trimmed() {
    let set = config("[   profile foo    ]\n[profile\tbar]\n[profile \tbaz \t]");
    assert_eq!(names(&set), ["bar", "baz", "foo"]);
    let set = parsed("", "[   foo    ]\nname = value");
    assert_eq!(get(&set, "foo", "name"), Some("value"));
}

#[test]
fn continuation_lines_are_appended_trimmed_with_comments_kept() {
    let set = config(
        "[profile foo]\nname = value\n -continued\n \t -and-continued \t\nother = x\n  y # kept ; too\n",
    );
    assert_eq!(
        get(&set, "foo", "name"),
        Some("value\n-continued\n-and-continued")
    );
    assert_eq!(get(&set, "foo", "other"), Some("x\ny # kept ; too"));
}

#[test]
fn continuation_survives_blank_and_comment_lines() {
    let set = config("[profile foo]\nname = a\n\n# c\n  b\n");
    assert_eq!(get(&set, "foo", "name"), Some("a\nb"));
}

#[test]
fn continuation_without_a_property_is_an_error() {
    let message = error(" -continued", "");
    assert!(message.starts_with("~/.aws/config:1: indented line before any section"));
    let message = error("[profile foo]\n -continued", "");
    assert!(message.starts_with("~/.aws/config:2: indented line with no property"));
    // A new header ends the previous property.
    let message = error(
        "[profile foo]\nname = value\n[profile foo]\n -continued",
        "",
    );
    assert!(message.starts_with("~/.aws/config:4: indented line with no property"));
}

#[test]
fn empty_value_starts_sub_properties() {
    let set = config(
        "[profile foo]\ns3 =\n  max_concurrent_requests = 20\n\n  Addressing_Style = path\n  empty =\n  url = http://h/?a=b # c\n",
    );
    let foo = set.profile("foo").unwrap();
    assert_eq!(
        foo.get("s3"),
        Some(
            "\nmax_concurrent_requests = 20\nAddressing_Style = path\nempty =\nurl = http://h/?a=b # c"
        )
    );
    assert_eq!(
        foo.sub_property("S3", "max_concurrent_requests"),
        Some("20")
    );
    // Sub-property names are kept as written, as in aws-config.
    assert_eq!(foo.sub_property("s3", "Addressing_Style"), Some("path"));
    assert_eq!(foo.sub_property("s3", "addressing_style"), None);
    assert_eq!(foo.sub_property("s3", "empty"), Some(""));
    assert_eq!(foo.sub_property("s3", "url"), Some("http://h/?a=b # c"));
    // A value with a first line has no sub-properties.
    let set = config("[profile foo]\ns3 = x\n  a = b\n");
    assert_eq!(set.profile("foo").unwrap().sub_property("s3", "a"), None);
}

#[test]
fn sub_property_lines_need_an_equals_sign_and_a_key() {
    let message = error(
        "[profile foo]\ns3 =\n  aws_secret_access_key SECRETVALUE\n",
        "",
    );
    assert!(
        message.starts_with("~/.aws/config:3: expected \"key = value\""),
        "{message}"
    );
    assert!(message.contains("sub-property"), "{message}");
    assert!(!message.contains("SECRETVALUE"));
    let message = error("[profile foo]\ns3 =\n  = value\n", "");
    assert!(message.starts_with("~/.aws/config:3: "), "{message}");
    assert!(message.contains("no key"), "{message}");
    // A comment hides an '=' after it.
    assert!(
        parse(&ProfileFiles::from_strings(
            "[profile foo]\ns3 =\n  a # = b\n",
            ""
        ))
        .is_err()
    );
    // Invalid sub-property names are accepted, as in the SDKs.
    let set = config("[profile foo]\ns3 =\n in valid = value");
    assert_eq!(get(&set, "foo", "s3"), Some("\nin valid = value"));
}

#[test]
fn services_sections_are_kept_apart_from_profiles() {
    let set = config(
        "[services my-services]\nsts =\n  endpoint_url = http://localhost:4566\n[profile dev]\nservices = my-services\n",
    );
    assert_eq!(names(&set), ["dev"]);
    let services = set.services("my-services").unwrap();
    assert_eq!(services.name(), "my-services");
    assert_eq!(
        services.sub_property("STS", "endpoint_url"),
        Some("http://localhost:4566")
    );
    assert!(set.services("dev").is_none());
}

#[test]
fn sso_session_sections_are_not_profiles() {
    let set = config(
        "[sso-session corp]\nsso_region = eu-west-1\nsso_start_url = https://corp.awsapps.com/start\n[profile bar]\nsso_session = corp",
    );
    assert_eq!(names(&set), ["bar"]);
    let session = set.sso_session("corp").unwrap();
    assert_eq!(session.get("sso_region"), Some("eu-west-1"));
    assert!(set.profile("corp").is_none());
    // Without the space it is a bare name, which the credentials file accepts as a profile.
    let set = parsed("", "[sso-sessionfoo]\nname = value\n[bar]");
    assert_eq!(names(&set), ["bar", "sso-sessionfoo"]);
}

#[test]
fn bare_section_in_config_is_ignored_with_a_warning() {
    let set = config("[foo]\nname = value\n[profilefoo]\nname = value\n[profile bar]");
    assert_eq!(names(&set), ["bar"]);
    assert_eq!(set.warnings().len(), 2);
    assert!(
        set.warnings()[0].starts_with("~/.aws/config:1: section [foo] ignored"),
        "{:?}",
        set.warnings()
    );
    assert!(set.warnings()[0].contains("[profile foo]"));
    assert!(set.warnings()[1].starts_with("~/.aws/config:3: section [profilefoo] ignored"));
}

#[test]
fn profile_prefix_in_credentials_is_ignored_with_a_warning() {
    let set = parsed(
        "",
        "[profile foo]\nname = value\n[profile default]\nb = 2\n[bar]",
    );
    assert_eq!(names(&set), ["bar"]);
    assert_eq!(set.warnings().len(), 2);
    assert!(set.warnings()[0].starts_with("~/.aws/credentials:1: section [profile foo] ignored"));
    // Other sections belong in the config file only.
    let set = parsed("", "[sso-session s]\na = b\n[services s]\n");
    assert!(set.sso_session("s").is_none() && set.services("s").is_none());
    assert_eq!(set.warnings().len(), 2);
}

#[test]
fn invalid_profile_names_are_ignored_with_a_warning() {
    let set = parsed(
        "[profile foo]\nname = value\n[profile in valid]\nx = 1\n[profile foo!bar]\n[profile some-thing:long/the_one%only.foo@bar+]\n",
        "[in valid 2]\nname2 = value2\n[]\n",
    );
    assert_eq!(
        names(&set),
        ["foo", "some-thing:long/the_one%only.foo@bar+"]
    );
    assert_eq!(get(&set, "foo", "x"), None);
    assert_eq!(set.warnings().len(), 4, "{:?}", set.warnings());
    assert!(set.warnings()[0].contains("`in valid`"));
}

#[test]
fn unknown_section_types_are_ignored_with_a_warning() {
    let set = config("[Profile foo]\na = b\n[plugins x]\n");
    assert!(names(&set).is_empty());
    assert_eq!(set.warnings().len(), 2);
    assert!(set.warnings()[0].contains("unknown section type `Profile`"));
}

#[test]
fn properties_of_ignored_sections_are_ignored_but_syntax_errors_are_not() {
    let set = config("[foo]\nin valid = x\n[profile bar]\n");
    assert_eq!(set.warnings().len(), 1, "{:?}", set.warnings());
    let message = error("[foo]\nbroken line\n[profile bar]\n", "");
    assert!(message.starts_with("~/.aws/config:2: "), "{message}");
}

#[test]
fn invalid_keys_are_ignored_with_a_warning_that_hides_the_key() {
    let set = config("[profile foo]\nin valid = value\nok-key_1/.%@:+ = v\n");
    let foo = set.profile("foo").unwrap();
    assert_eq!(foo.get("in valid"), None);
    assert_eq!(foo.get("ok-key_1/.%@:+"), Some("v"));
    assert_eq!(
        set.warnings(),
        [
            "~/.aws/config:2: property ignored: its name may only use letters, digits and - _ / . % @ : +"
        ]
    );
}

#[test]
fn keys_are_case_insensitive_and_stored_lowercased() {
    let set =
        config("[profile foo]\nAWS_Access_Key_ID = A\nName = value\n[profile foo]\nname = value2");
    let foo = set.profile("foo").unwrap();
    assert_eq!(foo.get("aws_access_key_id"), Some("A"));
    assert_eq!(foo.get("AWS_ACCESS_KEY_ID"), Some("A"));
    assert_eq!(foo.get("name"), Some("value2"));
    assert!(format!("{foo:?}").contains("\"aws_access_key_id\""));
    // Profile names are not case-insensitive.
    assert!(set.profile("FOO").is_none());
}

#[test]
fn backslashes_and_quotes_are_literal() {
    let set = config("[profile foo]\na = abc\\def\nb = \"quoted\"\nc = 'single'\nd = \\n\n");
    let foo = set.profile("foo").unwrap();
    assert_eq!(foo.get("a"), Some("abc\\def"));
    assert_eq!(foo.get("b"), Some("\"quoted\""));
    assert_eq!(foo.get("c"), Some("'single'"));
    assert_eq!(foo.get("d"), Some("\\n"));
}

#[test]
fn unicode_values_are_kept() {
    let set = config("[profile foo]\nname = 😂 ü\n");
    assert_eq!(get(&set, "foo", "name"), Some("😂 ü"));
}

#[test]
fn broken_line_error_names_path_and_line_but_not_the_secret() {
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    let message = error(
        "[default]\nregion = us-east-1\n",
        &format!("[default]\naws_access_key_id = AKIDEXAMPLE\n# c\n{secret}\n"),
    );
    assert_eq!(
        message,
        "~/.aws/credentials:4: expected \"key = value\" (a property needs an '=' sign)"
    );
    assert!(!message.contains(secret));
    let err = parse(&ProfileFiles::from_strings(
        "",
        &format!("[default]\n{secret}"),
    ))
    .unwrap_err();
    assert!(!format!("{err:?}").contains(secret));
    assert!(matches!(err, ConfigError::Syntax { line: 2, .. }));
}

#[test]
fn empty_key_is_an_error() {
    let message = error("[profile foo]\n= value", "");
    assert!(message.starts_with("~/.aws/config:2: expected \"key = value\" (there is no key"));
}

#[test]
fn missing_closing_bracket_is_an_error() {
    let message = error("[profile foo\nk=v", "");
    assert!(message.starts_with("~/.aws/config:1: section header has no closing ']'"));
    assert!(message.contains("[profile NAME]"));
    let message = error("", "[a]\n[foo;bar]");
    assert!(message.starts_with("~/.aws/credentials:2: section header has no closing ']'"));
    assert!(message.contains("[NAME]") && !message.contains("[profile NAME]"));
}

#[test]
fn property_before_any_section_is_an_error() {
    let message = error("region = us-east-1\n[default]", "");
    assert!(message.starts_with("~/.aws/config:1: property before any section header"));
    assert!(!message.contains("us-east-1"));
}

#[test]
fn byte_order_mark_is_an_error_that_says_so() {
    let message = error("\u{feff}[default]\nregion = x", "");
    assert!(message.starts_with("~/.aws/config:1: the file starts with a byte-order mark"));
}

#[test]
fn missing_files_parse_as_empty() {
    let dir = std::env::temp_dir().join(format!("rsume-config-{}-load", std::process::id()));
    let home = dir.to_str().unwrap().to_owned();
    let env = move |name: &str| (name == "HOME").then(|| home.clone());
    let (files, set) = load(&env).unwrap();
    assert!(!files.config.exists && !files.credentials.exists);
    assert!(set.profiles().next().is_none());
}

#[test]
fn debug_redacts_secrets() {
    let set = parsed(
        "[profile foo]\nregion = us-east-1\n",
        "[foo]\naws_access_key_id = AKIDEXAMPLE\nAWS_Secret_Access_Key = topsecret1\naws_session_token = topsecret2\naws_security_token = topsecret3\n",
    );
    let shown = format!("{set:?}");
    assert!(!shown.contains("topsecret"), "{shown}");
    assert!(
        shown.contains("\"aws_secret_access_key\": <redacted>"),
        "{shown}"
    );
    assert!(shown.contains("us-east-1") && shown.contains("AKIDEXAMPLE"));
}

#[test]
fn warnings_never_show_values() {
    let set = parsed(
        "[foo]\naws_secret_access_key = topsecret1\n[profile a]\nbad key = topsecret2\n[default]\nk = topsecret3\n[profile default]\n",
        "[profile b]\naws_secret_access_key = topsecret4\n",
    );
    assert_eq!(set.warnings().len(), 4, "{:?}", set.warnings());
    for warning in set.warnings() {
        assert!(!warning.contains("topsecret"), "{warning}");
        assert!(!warning.contains("bad key"), "{warning}");
    }
}

#[test]
fn location_displays_as_path_and_line() {
    let location = Location {
        path: PathBuf::from("/home/a/.aws/config"),
        line: 12,
    };
    assert_eq!(location.to_string(), "/home/a/.aws/config:12");
}

/// Builds `count` profiles with three properties each.
fn many_profiles(count: usize) -> String {
    let mut text = String::new();
    for i in 0..count {
        text.push_str(&format!(
            "[profile p{i}]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/r{i}\nsource_profile = base # c\n\n"
        ));
    }
    text
}

/// Correctness at size; how fast is for the benchmark (`bench/`), not for a test.
#[test]
fn five_thousand_profiles_load_from_the_files() {
    let dir = std::env::temp_dir().join(format!("rsume-config-{}-many", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config");
    let credentials = dir.join("credentials");
    std::fs::write(&config, many_profiles(5_000)).unwrap();
    // A realistic credentials file next to the big config file.
    let mut text = String::new();
    for i in 0..20 {
        text.push_str(&format!(
            "[p{i}]\naws_access_key_id = AKID{i}\naws_secret_access_key = secret{i}\n"
        ));
    }
    std::fs::write(&credentials, text).unwrap();
    let paths = [
        config.to_str().unwrap().to_owned(),
        credentials.to_str().unwrap().to_owned(),
    ];
    let env = move |name: &str| match name {
        "AWS_CONFIG_FILE" => Some(paths[0].clone()),
        "AWS_SHARED_CREDENTIALS_FILE" => Some(paths[1].clone()),
        _ => None,
    };

    let (_, set) = load(&env).unwrap();
    assert_eq!(set.profiles().count(), 5_000);
    assert_eq!(
        get(&set, "p4999", "role_arn"),
        Some("arn:aws:iam::123456789012:role/r4999")
    );
    assert_eq!(get(&set, "p17", "source_profile"), Some("base"));
    assert_eq!(get(&set, "p17", "aws_access_key_id"), Some("AKID17"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn many_keys_in_one_profile_stay_correct_and_linear() {
    let mut text = String::from("[profile big]\n");
    for i in 0..100_000 {
        text.push_str(&format!("key{i} = {i}\n"));
    }
    text.push_str("KEY7 = again\nkey99999 = last\n");
    let set = config(&text);
    let big = set.profile("big").unwrap();
    assert_eq!(big.get("key0"), Some("0"));
    assert_eq!(big.get("key7"), Some("again"));
    assert_eq!(big.get("Key99999"), Some("last"));
    assert_eq!(big.location("key7").unwrap().line, 100_002);
    // Around the switch from the short list to the map.
    let mut text = String::from("[profile p]\n");
    for i in 0..40 {
        text.push_str(&format!("k{} = {i}\n", i % 20));
    }
    let set = config(&text);
    let p = set.profile("p").unwrap();
    for i in 0..20 {
        assert_eq!(p.get(&format!("k{i}")), Some((i + 20).to_string().as_str()));
    }
}

#[test]
fn large_inputs_do_not_panic() {
    let set = parsed(&many_profiles(50_000), "");
    assert_eq!(set.profiles().count(), 50_000);

    let big = "x".repeat(1 << 20);
    let set = config(&format!("[profile a]\nk = {big}\n  {big}\n"));
    assert_eq!(get(&set, "a", "k").unwrap().len(), 2 * big.len() + 1);

    let _ = parse(&ProfileFiles::from_strings(&format!("[{big}"), &big));
    let _ = parse(&ProfileFiles::from_strings(
        &"[profile a]\nk =\n  a = b\n".repeat(10_000),
        "",
    ));
}

#[test]
fn arbitrary_input_does_not_panic() {
    // Deterministic pseudo-random bytes biased towards the characters the parser cares about.
    const ALPHABET: &[u8] =
        b"[]=#; \t\r\n\nabcAB_-profilesdefaultservicesso\xc3\xa9\xff\xef\xbb\xbf";
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..2_000 {
        let len = (next() % 200) as usize;
        let bytes: Vec<u8> = (0..len)
            .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
            .collect();
        let text = String::from_utf8_lossy(&bytes);
        let (a, b) = text.split_at(
            text.char_indices()
                .nth(text.chars().count() / 2)
                .map_or(0, |(i, _)| i),
        );
        if let Ok(set) = parse(&ProfileFiles::from_strings(a, b)) {
            for profile in set.profiles() {
                let _ = format!("{profile:?}");
                let _ = profile.sub_property("s3", "x");
            }
        }
    }
}
