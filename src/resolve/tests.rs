use super::*;
use crate::config::{ProfileFiles, parse};

const CONFIG: &str = "\
[default]
region = us-east-1

[profile alice]
mfa_serial = arn:aws:iam::111111111111:mfa/alice
region = eu-west-1

[profile admin]
role_arn = arn:aws:iam::222222222222:role/admin
source_profile = alice
external_id = ext-1
duration_seconds = 1800

[profile deep]
role_arn = arn:aws:iam::333333333333:role/deep
source_profile = admin
role_session_name = me@example

[profile plainrole]
role_arn = arn:aws:iam::222222222222:role/ro
source_profile = bob
region = ap-south-1

[profile selfish]
role_arn = arn:aws:iam::222222222222:role/self
source_profile = selfish
aws_access_key_id = AKIDSELF
aws_secret_access_key = secret-self

[profile envrole]
role_arn = arn:aws:iam::222222222222:role/env
credential_source = Environment

[profile loop-a]
role_arn = arn:aws:iam::1:role/a
source_profile = loop-b

[profile loop-b]
role_arn = arn:aws:iam::1:role/b
source_profile = loop-a

[profile orphan]
role_arn = arn:aws:iam::1:role/o
source_profile = nobody

[profile sso]
sso_session = corp
sso_account_id = 1
";

const CREDENTIALS: &str = "\
[alice]
aws_access_key_id = AKIDALICE
aws_secret_access_key = secret-alice

[bob]
aws_access_key_id = AKIDBOB
aws_secret_access_key = secret-bob
aws_session_token = token-bob
";

fn no_env(_: &str) -> Option<String> {
    None
}

fn plan_of(name: &str) -> Result<Plan, ResolveError> {
    plan_with(name, &Overrides::default(), &no_env)
}

fn plan_with(
    name: &str,
    overrides: &Overrides,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Plan, ResolveError> {
    let set = parse(&ProfileFiles::from_strings(CONFIG, CREDENTIALS)).unwrap();
    plan(&set, name, overrides, env)
}

fn roles(plan: &Plan) -> Vec<&str> {
    plan.steps
        .iter()
        .filter_map(|step| match step {
            Step::AssumeRole(role) => Some(role.role_arn.as_str()),
            Step::MfaSession(_) => None,
        })
        .collect()
}

fn source_profile(plan: &Plan) -> &str {
    match &plan.source {
        Source::Static(keys) => keys.profile.as_deref().unwrap(),
        Source::Environment(_) => "<env>",
        Source::Process(process) => &process.profile,
        Source::Sso(role) => &role.profile,
        Source::WebIdentity { role, .. } => &role.profile,
        Source::Instance(instance) => &instance.profile,
        Source::Container(container) => &container.profile,
    }
}

#[test]
fn static_keys_need_no_step() {
    let plan = plan_of("bob").unwrap();
    assert!(plan.steps.is_empty());
    let creds = plan.source.credentials().unwrap();
    assert_eq!(creds.access_key_id, "AKIDBOB");
    assert_eq!(creds.session_token.as_ref().unwrap().expose(), "token-bob");
    assert_eq!(plan.region, None);
    assert_eq!(plan.sts.region, "us-east-1");
}

#[test]
fn mfa_user_gets_a_twelve_hour_session() {
    let plan = plan_of("alice").unwrap();
    assert!(matches!(
        &plan.steps[..],
        [Step::MfaSession(Session { serial, duration: 43200, .. })] if serial == "arn:aws:iam::111111111111:mfa/alice"
    ));
    assert_eq!(plan.region.as_deref(), Some("eu-west-1"));
}

#[test]
fn session_duration_flag_wins() {
    let overrides = Overrides {
        session_duration: Some(3600),
        ..Overrides::default()
    };
    let plan = plan_with("alice", &overrides, &no_env).unwrap();
    assert!(matches!(
        plan.steps[0],
        Step::MfaSession(Session { duration: 3600, .. })
    ));
}

#[test]
fn role_inherits_mfa_and_region_from_its_source() {
    let plan = plan_of("admin").unwrap();
    assert_eq!(source_profile(&plan), "alice");
    assert!(matches!(
        plan.steps[0],
        Step::MfaSession(Session {
            duration: 43200,
            ..
        })
    ));
    let Step::AssumeRole(role) = &plan.steps[1] else {
        panic!("{plan:?}")
    };
    assert_eq!(role.external_id.as_deref(), Some("ext-1"));
    assert_eq!(role.duration, Some(1800));
    assert_eq!(role.session_name, "rsume-admin");
    assert_eq!(plan.region.as_deref(), Some("eu-west-1"));
    assert_eq!(plan.sts.region, "eu-west-1");
}

#[test]
fn two_hop_chain_runs_root_first() {
    let plan = plan_of("deep").unwrap();
    assert_eq!(
        roles(&plan),
        [
            "arn:aws:iam::222222222222:role/admin",
            "arn:aws:iam::333333333333:role/deep"
        ]
    );
    assert_eq!(plan.steps.len(), 3, "one MFA session, then both roles");
    let Step::AssumeRole(last) = plan.steps.last().unwrap() else {
        panic!()
    };
    assert_eq!(last.session_name, "me@example");
}

#[test]
fn role_duration_flag_applies_to_the_last_role_only() {
    let overrides = Overrides {
        role_duration: Some(900),
        ..Overrides::default()
    };
    let plan = plan_with("deep", &overrides, &no_env).unwrap();
    let durations: Vec<_> = plan
        .steps
        .iter()
        .filter_map(|s| match s {
            Step::AssumeRole(r) => Some(r.duration),
            _ => None,
        })
        .collect();
    assert_eq!(durations, [Some(1800), Some(900)]);
}

#[test]
fn region_flag_wins_over_profiles() {
    let overrides = Overrides {
        region: Some("sa-east-1".into()),
        ..Overrides::default()
    };
    let plan = plan_with("admin", &overrides, &no_env).unwrap();
    assert_eq!(plan.region.as_deref(), Some("sa-east-1"));
}

#[test]
fn role_without_mfa_assumes_directly() {
    let plan = plan_of("plainrole").unwrap();
    assert_eq!(source_profile(&plan), "bob");
    assert_eq!(roles(&plan), ["arn:aws:iam::222222222222:role/ro"]);
    assert_eq!(plan.steps.len(), 1);
    assert_eq!(plan.region.as_deref(), Some("ap-south-1"));
}

#[test]
fn a_profile_may_source_itself() {
    let plan = plan_of("selfish").unwrap();
    assert_eq!(source_profile(&plan), "selfish");
    assert_eq!(plan.source.credentials().unwrap().access_key_id, "AKIDSELF");
    assert_eq!(roles(&plan), ["arn:aws:iam::222222222222:role/self"]);
}

#[test]
fn a_source_with_keys_ends_the_walk_even_if_it_has_a_role() {
    let config = "[profile top]\nrole_arn = arn:aws:iam::1:role/top\nsource_profile = mid\n\
                  [profile mid]\nrole_arn = arn:aws:iam::1:role/mid\nsource_profile = nobody\n\
                  aws_access_key_id = AKIDMID\naws_secret_access_key = s\n";
    let set = parse(&ProfileFiles::from_strings(config, "")).unwrap();
    let plan = plan(&set, "top", &Overrides::default(), &no_env).unwrap();
    assert_eq!(source_profile(&plan), "mid");
    assert_eq!(roles(&plan), ["arn:aws:iam::1:role/top"]);
}

#[test]
fn environment_as_credential_source() {
    let env = |name: &str| match name {
        "AWS_ACCESS_KEY_ID" => Some("AKIDENV".into()),
        "AWS_SECRET_ACCESS_KEY" => Some("secret-env".into()),
        _ => None,
    };
    let plan = plan_with("envrole", &Overrides::default(), &env).unwrap();
    assert!(matches!(plan.source, Source::Environment(_)));
    assert_eq!(plan.source.credentials().unwrap().access_key_id, "AKIDENV");
    let error = plan_of("envrole").unwrap_err();
    assert!(error.to_string().contains("AWS_ACCESS_KEY_ID"), "{error}");
}

#[test]
fn cycles_are_named() {
    let error = plan_of("loop-a").unwrap_err().to_string();
    assert!(error.contains("loop-a -> loop-b -> loop-a"), "{error}");
}

#[test]
fn a_missing_source_names_both_profiles_and_the_line() {
    let error = plan_of("orphan").unwrap_err().to_string();
    assert!(
        error.contains("'orphan'") && error.contains("'nobody'"),
        "{error}"
    );
    assert!(
        error.contains(":44"),
        "names the source_profile line: {error}"
    );
}

#[test]
fn unknown_profile_suggests_near_names() {
    let error = plan_of("admn").unwrap_err().to_string();
    assert!(
        error.contains("'admn'") && error.contains("did you mean 'admin'"),
        "{error}"
    );
    let error = plan_of("zzzzzz").unwrap_err().to_string();
    assert!(!error.contains("did you mean"), "{error}");
}

#[test]
fn an_incomplete_source_says_what_it_lacks() {
    // A web identity token without the role to assume with it, as some role's source.
    let config = "[profile r]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = s\n\
                  [profile s]\nweb_identity_token_file = /tmp/token\n";
    let set = parse(&ProfileFiles::from_strings(config, "")).unwrap();
    let error = plan(&set, "r", &Overrides::default(), &no_env)
        .unwrap_err()
        .to_string();
    assert!(error.contains("role_arn"), "{error}");
}

#[test]
fn chains_have_a_depth_limit() {
    let mut config =
        String::from("[profile p0]\naws_access_key_id = A\naws_secret_access_key = s\n");
    for i in 1..=MAX_ROLE_HOPS + 1 {
        config.push_str(&format!(
            "[profile p{i}]\nrole_arn = arn:aws:iam::1:role/r{i}\nsource_profile = p{}\n",
            i - 1
        ));
    }
    let set = parse(&ProfileFiles::from_strings(&config, "")).unwrap();
    let ok = plan(
        &set,
        &format!("p{MAX_ROLE_HOPS}"),
        &Overrides::default(),
        &no_env,
    )
    .unwrap();
    assert_eq!(ok.steps.len(), MAX_ROLE_HOPS);
    let error = plan(
        &set,
        &format!("p{}", MAX_ROLE_HOPS + 1),
        &Overrides::default(),
        &no_env,
    )
    .unwrap_err();
    assert!(matches!(error, ResolveError::TooDeep { .. }), "{error}");
}

#[test]
fn bad_durations_name_file_and_line() {
    let config = "[profile r]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = u\nduration_seconds = lots\n\
                  [profile u]\naws_access_key_id = A\naws_secret_access_key = s\n";
    let set = parse(&ProfileFiles::from_strings(config, "")).unwrap();
    let error = plan(&set, "r", &Overrides::default(), &no_env)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("duration_seconds") && error.contains(":4"),
        "{error}"
    );
    let overrides = Overrides {
        session_duration: Some(60),
        ..Overrides::default()
    };
    let error = plan_with("alice", &overrides, &no_env)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("--session-duration") && error.contains("900"),
        "{error}"
    );
}

#[test]
fn half_a_key_pair_is_an_error() {
    let set = parse(&ProfileFiles::from_strings(
        "",
        "[x]\naws_access_key_id = A\n",
    ))
    .unwrap();
    let error = plan(&set, "x", &Overrides::default(), &no_env)
        .unwrap_err()
        .to_string();
    assert!(error.contains("aws_secret_access_key"), "{error}");
}

#[test]
fn endpoint_precedence_follows_the_sdks() {
    let config = "[profile e]\naws_access_key_id = A\naws_secret_access_key = s\n\
                  endpoint_url = http://profile\nservices = local\n\
                  [services local]\nsts =\n  endpoint_url = http://services\n";
    let set = parse(&ProfileFiles::from_strings(config, "")).unwrap();
    let endpoint = |vars: &[(&str, &str)]| {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let env = move |name: &str| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        plan(&set, "e", &Overrides::default(), &env)
            .unwrap()
            .sts
            .endpoint
    };
    let all = [
        ("AWS_ENDPOINT_URL_STS", "http://sts-env"),
        ("AWS_ENDPOINT_URL", "http://global-env"),
    ];
    assert_eq!(endpoint(&all).as_deref(), Some("http://sts-env"));
    assert_eq!(endpoint(&all[1..]).as_deref(), Some("http://global-env"));
    assert_eq!(endpoint(&[]).as_deref(), Some("http://services"));
    assert_eq!(
        endpoint(&[("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"), all[0]]),
        None
    );
}

#[test]
fn default_session_names_fit_sts_rules() {
    assert_eq!(default_session_name("admin"), "rsume-admin");
    assert_eq!(
        default_session_name("team/prod admin"),
        "rsume-team-prod-admin"
    );
    assert_eq!(default_session_name(&"x".repeat(100)).len(), 64);
}

#[test]
fn plain_http_endpoints_are_refused_where_sts_is_called() {
    let config = "[profile role]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = keys\n\
                  endpoint_url = http://sts.example.com\n\
                  [profile keys]\naws_access_key_id = A\naws_secret_access_key = s\n\
                  endpoint_url = http://s3.example.com\n";
    let set = parse(&ProfileFiles::from_strings(config, "")).unwrap();
    let error = plan(&set, "role", &Overrides::default(), &no_env)
        .unwrap_err()
        .to_string();
    assert!(error.contains("http://sts.example.com"), "{error}");
    assert!(error.contains("endpoint_url at ~/.aws/config:4"), "{error}");
    let opted_in = |name: &str| (name == ALLOW_HTTP_VARIABLE).then(|| "1".to_owned());
    assert!(plan(&set, "role", &Overrides::default(), &opted_in).is_ok());
    // Keys used as they are call no STS, so their endpoint is none of rsume's business.
    assert!(plan(&set, "keys", &Overrides::default(), &no_env).is_ok());
}

/// The identity of a chain's top, which is its cache key.
fn identity_of(name: &str, overrides: &Overrides) -> String {
    const KEYS_CONFIG: &str = "\
[profile alice]
aws_access_key_id = AKIAALICE
aws_secret_access_key = s
mfa_serial = arn:aws:iam::1:mfa/alice
[profile bob]
aws_access_key_id = AKIABOB
aws_secret_access_key = s
[profile admin-a]
role_arn = arn:aws:iam::1:role/admin
source_profile = alice
[profile admin-b]
role_arn = arn:aws:iam::1:role/admin
source_profile = bob
[profile admin-a2]
role_arn = arn:aws:iam::1:role/admin
source_profile = alice
role_session_name = rsume-admin-a
";
    let set = parse(&ProfileFiles::from_strings(KEYS_CONFIG, "")).unwrap();
    let chain = chain(&set, name, overrides, &no_env).unwrap();
    chain.provider.identity().as_str().to_owned()
}

#[test]
fn same_role_from_different_users_is_another_cache_entry() {
    let default = Overrides::default();
    assert_ne!(
        identity_of("admin-a", &default),
        identity_of("admin-b", &default)
    );
    // admin-a2 spells out admin-a's default session name: the same request.
    assert_eq!(
        identity_of("admin-a", &default),
        identity_of("admin-a2", &default)
    );
    assert!(identity_of("admin-a", &default).starts_with("key:"));
    assert_eq!(identity_of("bob", &default), "akid:AKIABOB");
}

#[test]
fn an_mfa_session_serves_whatever_duration_a_run_asks_for() {
    let long = Overrides {
        session_duration: Some(36 * 3600),
        ..Overrides::default()
    };
    assert_eq!(
        identity_of("alice", &long),
        identity_of("alice", &Overrides::default())
    );
}

#[test]
fn cache_keys_are_those_of_earlier_versions() {
    // Entries written before providers became types stay valid: no new MFA prompt. The
    // digests were computed independently from the scheme of rsume's cache v1.
    let default = Overrides::default();
    assert_eq!(
        identity_of("alice", &default),
        "key:f7d0741433faf8ed6ac371d5d8433de947c788cca09afff7f75703512c5a549e"
    );
    assert_eq!(
        identity_of("admin-a", &default),
        "key:fc9517a64aaaf569733c6430ecd3c17f5cc1244c5a9c6711fc892ed91e7eb932"
    );
}

#[test]
fn a_process_root_sends_the_code_with_its_first_role() {
    let config = "[profile proc]\ncredential_process = 'my creds' --for \"a b\"\n\
                  mfa_serial = arn:aws:iam::1:mfa/p\n\
                  [profile admin]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = proc\n\
                  [profile deep]\nrole_arn = arn:aws:iam::1:role/d\nsource_profile = admin\n\
                  [profile both]\ncredential_process = creds\n\
                  aws_access_key_id = AKIDBOTH\naws_secret_access_key = s\n\
                  [profile broken]\ncredential_process = creds 'unclosed\n";
    let set = parse(&ProfileFiles::from_strings(config, "")).unwrap();
    let plan_of = |name| plan(&set, name, &Overrides::default(), &no_env);
    let deep = plan_of("deep").unwrap();
    let Source::Process(process) = &deep.source else {
        panic!("{:?}", deep.source)
    };
    assert_eq!(
        (process.profile.as_str(), process.program.as_str()),
        ("proc", "my creds")
    );
    let serials: Vec<Option<&str>> = deep
        .steps
        .iter()
        .map(|step| match step {
            Step::AssumeRole(role) => role.mfa_serial.as_deref(),
            Step::MfaSession(_) => panic!("no GetSessionToken above a process"),
        })
        .collect();
    assert_eq!(serials, [Some("arn:aws:iam::1:mfa/p"), None]);
    // Alone, its mfa_serial has no role to go with: the process's credentials as they are.
    assert!(plan_of("proc").unwrap().steps.is_empty());
    // Keys win over a command, as in the AWS CLI.
    assert_eq!(source_profile(&plan_of("both").unwrap()), "both");
    assert!(plan_of("both").unwrap().source.credentials().is_some());
    let error = plan_of("broken").unwrap_err().to_string();
    assert!(
        error.contains("'broken': credential_process") && error.contains("unclosed ' quote"),
        "{error}"
    );
}

#[test]
fn a_root_without_long_term_keys_sends_the_code_with_the_first_role_above_it() {
    let config = "\
[profile ci]
role_arn = arn:aws:iam::1:role/ci
web_identity_token_file = /run/token
[profile admin]
role_arn = arn:aws:iam::1:role/admin
source_profile = ci
mfa_serial = arn:aws:iam::1:mfa/alice
[profile deep]
role_arn = arn:aws:iam::1:role/deep
source_profile = admin
[profile box]
role_arn = arn:aws:iam::1:role/box
credential_source = Ec2InstanceMetadata
mfa_serial = arn:aws:iam::1:mfa/alice
";
    let set = parse(&ProfileFiles::from_strings(config, "")).unwrap();
    let env = |name: &str| {
        (name == "AWS_EC2_METADATA_SERVICE_ENDPOINT").then(|| "http://127.0.0.1:9".into())
    };
    for (name, expected) in [("deep", 2), ("box", 1)] {
        let plan = plan(&set, name, &Overrides::default(), &env).unwrap();
        assert!(plan.source.credentials().is_none(), "{name}");
        assert_eq!(plan.steps.len(), expected, "{name}: no MFA session step");
        let Step::AssumeRole(first) = &plan.steps[0] else {
            panic!("{name}: starts with an MFA session");
        };
        assert_eq!(
            first.mfa_serial.as_deref(),
            Some("arn:aws:iam::1:mfa/alice")
        );
        assert!(
            plan.steps[1..]
                .iter()
                .all(|step| matches!(step, Step::AssumeRole(role) if role.mfa_serial.is_none()))
        );
    }
    let ci = plan(&set, "ci", &Overrides::default(), &no_env).unwrap();
    assert!(ci.steps.is_empty());
    assert_eq!(source_profile(&ci), "ci");
}
