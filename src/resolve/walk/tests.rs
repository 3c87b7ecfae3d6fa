use super::*;
use crate::config::{ProfileFiles, parse};

#[test]
fn each_profile_gets_one_word_from_the_fixed_set() {
    let config = "\
[profile keys]
aws_access_key_id = A
aws_secret_access_key = s
[profile user]
aws_access_key_id = A
aws_secret_access_key = s
mfa_serial = arn:aws:iam::1:mfa/u
[profile written]
aws_access_key_id = ASIA
aws_secret_access_key = s
aws_session_token = t
mfa_serial = arn:aws:iam::1:mfa/u
[profile admin]
role_arn = arn:aws:iam::1:role/a
source_profile = user
[profile envrole]
role_arn = arn:aws:iam::1:role/e
credential_source = Environment
[profile env]
credential_source = environment
[profile box]
credential_source = Ec2InstanceMetadata
[profile task]
credential_source = EcsContainer
[profile odd]
credential_source = Elsewhere
[profile proc]
credential_process = /bin/creds
[profile corp]
sso_session = corp
sso_account_id = 1
[profile legacy]
sso_start_url = https://example.awsapps.com/start
[profile ci]
role_arn = arn:aws:iam::1:role/ci
web_identity_token_file = /tmp/token
[profile settings]
region = eu-west-1
";
    let set = parse(&ProfileFiles::from_strings(config, "")).unwrap();
    let names: Vec<(&str, &str)> = set
        .profiles()
        .map(|p| (p.name(), survey(&set, p.name()).kind.name()))
        .collect();
    for expected in [
        ("keys", "static"),
        ("user", "mfa"),
        ("written", "session"),
        ("admin", "role"),
        ("envrole", "role"),
        ("env", "environment"),
        ("box", "instance"),
        ("task", "container"),
        ("odd", "other"),
        ("proc", "process"),
        ("corp", "sso"),
        ("legacy", "sso"),
        ("ci", "web-identity"),
        ("settings", "other"),
    ] {
        assert!(names.contains(&expected), "{expected:?} in {names:?}");
    }
}

#[test]
fn nearest_setting_along_the_chain() {
    let set = parse(&ProfileFiles::from_strings(
        "[profile alice]\nmfa_serial = m\nregion = r1\n\
         [profile admin]\nsource_profile = alice\nrole_arn = a\n\
         [profile deep]\nsource_profile = admin\nrole_arn = b\nregion = r2\n\
         [profile loop]\nsource_profile = loop2\n[profile loop2]\nsource_profile = loop\n",
        "",
    ))
    .unwrap();
    assert_eq!(
        survey(&set, "deep").setting("mfa_serial"),
        Some(Inherited {
            value: "m",
            from: "alice"
        })
    );
    assert_eq!(survey(&set, "deep").setting("region").unwrap().from, "deep");
    assert_eq!(survey(&set, "loop").setting("region"), None);
}
