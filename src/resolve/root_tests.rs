//! What kind of keys a root holds: a bare `credential_source`, temporary keys in the file or
//! the environment, their written expiry, and `-l`'s view of the same walk.

use super::*;
use crate::config::{ProfileFiles, parse};
use crate::time;

const MFA: &str = "arn:aws:iam::1:mfa/alice";

const CONFIG: &str = "\
[profile env]
credential_source = Environment
mfa_serial = arn:aws:iam::1:mfa/alice
[profile over-env]
role_arn = arn:aws:iam::1:role/over-env
source_profile = env
[profile box]
credential_source = Ec2InstanceMetadata
[profile envrole]
role_arn = arn:aws:iam::1:role/envrole
credential_source = Environment
mfa_serial = arn:aws:iam::1:mfa/alice
[profile over-temp]
role_arn = arn:aws:iam::1:role/over-temp
source_profile = temp
mfa_serial = arn:aws:iam::1:mfa/alice
[profile over-user]
role_arn = arn:aws:iam::1:role/over-user
source_profile = user
[profile user]
role_arn = arn:aws:iam::1:role/user-role
source_profile = base
[profile base]
mfa_serial = arn:aws:iam::1:mfa/base
mfa_process = base-codes
region = eu-north-1
";

const CREDENTIALS: &str = "\
[temp]
aws_access_key_id = ASIATEMP
aws_secret_access_key = s
aws_session_token = t
expiration = 2030-01-02T03:04:05Z
[user]
aws_access_key_id = AKIAUSER
aws_secret_access_key = s
[base]
aws_access_key_id = AKIABASE
aws_secret_access_key = s
";

fn set() -> ProfileSet {
    parse(&ProfileFiles::from_strings(CONFIG, CREDENTIALS)).unwrap()
}

fn env_keys(token: bool) -> impl Fn(&str) -> Option<String> {
    move |name: &str| match name {
        "AWS_ACCESS_KEY_ID" => Some("AKIDENV".into()),
        "AWS_SECRET_ACCESS_KEY" => Some("secret-env".into()),
        "AWS_SESSION_TOKEN" if token => Some("token-env".into()),
        "AWS_EC2_METADATA_SERVICE_ENDPOINT" => Some("http://127.0.0.1:9".into()),
        _ => None,
    }
}

fn plan_of(name: &str, env: &dyn Fn(&str) -> Option<String>) -> Plan {
    plan(&set(), name, &Overrides::default(), env).unwrap()
}

/// The MFA device a plan sends a code for, and whether it goes to GetSessionToken.
fn mfa_of(plan: &Plan) -> Option<(&str, bool)> {
    plan.steps.iter().find_map(|step| match step {
        Step::MfaSession(session) => Some((session.serial.as_str(), true)),
        Step::AssumeRole(role) => role.mfa_serial.as_deref().map(|serial| (serial, false)),
    })
}

#[test]
fn a_bare_credential_source_is_the_root_as_in_aws_config() {
    let env = env_keys(false);
    let alone = plan_of("env", &env);
    assert!(matches!(alone.source, Source::Environment(_)));
    assert_eq!(alone.source.credentials().unwrap().access_key_id, "AKIDENV");
    // Long-term keys from the environment, with a device: an MFA session, as for a user.
    assert_eq!(mfa_of(&alone), Some((MFA, true)));
    let over = plan_of("over-env", &env);
    assert!(matches!(over.source, Source::Environment(_)));
    assert_eq!(over.steps.len(), 2);
    assert!(matches!(plan_of("box", &env).source, Source::Instance(_)));
    let error = plan(&set(), "env", &Overrides::default(), &|_| None).unwrap_err();
    assert!(error.to_string().contains("AWS_ACCESS_KEY_ID"), "{error}");
}

#[test]
fn temporary_keys_send_the_code_with_the_role_never_to_get_session_token() {
    // Keys in the file with a session token, and the environment's with AWS_SESSION_TOKEN.
    for (name, env) in [("over-temp", env_keys(false)), ("envrole", env_keys(true))] {
        let plan = plan_of(name, &env);
        assert!(!plan.source.credentials().unwrap().is_long_term(), "{name}");
        assert_eq!(mfa_of(&plan), Some((MFA, false)), "{name}");
        assert_eq!(plan.steps.len(), 1, "{name}: no MFA session step");
    }
    // The same profile over long-term keys in the environment keeps its MFA session.
    assert_eq!(
        mfa_of(&plan_of("envrole", &env_keys(false))),
        Some((MFA, true))
    );
    assert_eq!(mfa_of(&plan_of("env", &env_keys(true))), None);
}

#[test]
fn the_expiry_written_beside_temporary_keys_is_honoured() {
    let temp = |section: &str| {
        let credentials =
            format!("[t]\naws_access_key_id = ASIA\naws_secret_access_key = s\n{section}");
        let set = parse(&ProfileFiles::from_strings("", &credentials)).unwrap();
        plan(&set, "t", &Overrides::default(), &|_| None).map(|plan| {
            plan.source
                .credentials()
                .unwrap()
                .expiration
                .map(time::rfc3339)
        })
    };
    let at = "2030-01-02T03:04:05Z";
    for section in [
        "aws_session_token = x\nexpiration = 2030-01-02T03:04:05Z\n",
        "aws_session_token = x\nexpiration = 2030-01-02T04:04:05+01:00\n",
        "aws_session_token = x\nx_security_token_expires = 2030-01-02T03:04:05Z\n",
        "aws_session_token = x\nexpiration = 2030-01-02 03:04:05\n",
    ] {
        assert_eq!(temp(section).unwrap().as_deref(), Some(at), "{section}");
    }
    assert_eq!(temp("aws_session_token = x\n").unwrap(), None);
    // Long-term keys never expire, whatever a line says.
    assert_eq!(temp("expiration = 2000-01-01T00:00:00Z\n").unwrap(), None);
    let error = temp("aws_session_token = x\nexpiration = soon\n").unwrap_err();
    let text = error.to_string();
    assert!(
        text.contains("'t'") && text.contains("expiration"),
        "{text}"
    );
}

#[test]
fn list_reads_settings_only_along_the_walk_a_run_takes() {
    let set = set();
    let over_user = set.profile("over-user").unwrap();
    // `user` holds keys as a source: the walk ends there, before `base`.
    for key in ["mfa_serial", "mfa_process", "region"] {
        assert_eq!(survey(&set, over_user.name()).setting(key), None, "{key}");
    }
    assert_eq!(mfa_of(&plan_of("over-user", &|_| None)), None);
    // Asked for directly, `user` is a role over `base`, whose device and region it uses.
    let user = set.profile("user").unwrap();
    assert_eq!(
        survey(&set, user.name())
            .setting("mfa_serial")
            .unwrap()
            .from,
        "base"
    );
    // Every profile: `-l` names the device a run sends a code for, and no other.
    let env = env_keys(false);
    for profile in set.profiles() {
        let Ok(plan) = plan(&set, profile.name(), &Overrides::default(), &env) else {
            continue;
        };
        let listed = survey(&set, profile.name())
            .setting("mfa_serial")
            .map(|i| i.value);
        assert_eq!(
            listed,
            mfa_of(&plan).map(|(serial, _)| serial),
            "{}",
            profile.name()
        );
        let region = survey(&set, profile.name())
            .setting("region")
            .map(|i| i.value);
        assert_eq!(region, plan.region.as_deref(), "{}", profile.name());
    }
}
