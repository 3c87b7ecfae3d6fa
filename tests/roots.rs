//! Chains rooted in the machine's own credentials: `credential_source = Ec2InstanceMetadata`
//! against a fake IMDSv2 and `credential_source = EcsContainer` against a fake container
//! credentials endpoint, both on 127.0.0.1 through the SDKs' own endpoint variables, with
//! STS from moto or the fake STS (which shows what each call carried).

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use support::fake_sts::{FakeCreds, FakeSts, Reply};
use support::metadata::{
    CONTAINER_AUTHORIZATION, CONTAINER_AUTHORIZATION_2, FakeMetadata, IMDS_TOKEN, INSTANCE_ROLE,
    Service,
};
use support::moto::moto;
use support::sandbox::{Run, Sandbox, finish_within};

const ALICE_MFA: &str = "arn:aws:iam::123456789012:mfa/alice";

const CONFIG: &str = "\
[profile box-admin]
role_arn = arn:aws:iam::123456789012:role/admin
credential_source = Ec2InstanceMetadata
mfa_serial = arn:aws:iam::123456789012:mfa/alice

[profile task-admin]
role_arn = arn:aws:iam::123456789012:role/task-admin
credential_source = EcsContainer
mfa_serial = arn:aws:iam::123456789012:mfa/alice
";

fn assume(sandbox: &Sandbox, args: &[&str]) -> Run {
    let mut all = args.to_vec();
    all.extend(["--shell", "bash"]);
    sandbox.run(&all)
}

fn fake_sts() -> FakeSts {
    FakeSts::start(vec![Reply::assume_role(
        &FakeCreds::new("admin", Duration::from_secs(3600)),
        "arn:aws:iam::123456789012:role/admin",
    )])
}

fn instance_sandbox(imds: &FakeMetadata, sts: &str) -> Sandbox {
    Sandbox::new(CONFIG, "")
        .endpoint(sts)
        .without("AWS_EC2_METADATA_DISABLED")
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", &imds.url())
}

fn container_sandbox(endpoint: &FakeMetadata, sts: &str) -> Sandbox {
    Sandbox::new(CONFIG, "").endpoint(sts).env(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        &format!("{}/v2/credentials/task", endpoint.url()),
    )
}

#[test]
fn an_instance_role_is_the_root_and_the_code_goes_with_the_assume_role_above_it() {
    let imds = FakeMetadata::start(Service::Imds, "ASIAINSTANCEROLE0001");
    let sts = fake_sts();
    let sandbox = instance_sandbox(&imds, &sts.endpoint());
    let first = assume(&sandbox, &["box-admin", "--mfa-token", "975310"]);
    assert!(first.ok().contains("ASIAADMIN"), "{}", first.stdout);

    let asked: Vec<(String, String)> = imds
        .requests()
        .into_iter()
        .map(|r| (r.method, r.path))
        .collect();
    let list = "/latest/meta-data/iam/security-credentials/";
    assert_eq!(
        asked,
        [
            ("PUT".into(), "/latest/api/token".into()),
            ("GET".into(), list.into()),
            ("GET".into(), format!("{list}{INSTANCE_ROLE}")),
        ]
    );
    assert!(
        imds.requests()[1..]
            .iter()
            .all(|r| r.header("x-aws-ec2-metadata-token") == Some(IMDS_TOKEN))
    );
    assert_eq!(sts.actions(), ["AssumeRole"], "no GetSessionToken");
    let role = &sts.requests()[0];
    assert_eq!(role.access_key_id(), Some("ASIAINSTANCEROLE0001"));
    assert_eq!(role.field("SerialNumber"), Some(ALICE_MFA));
    assert_eq!(role.field("TokenCode"), Some("975310"));

    // Cached: no request to either fake, no code.
    let second = assume(&sandbox, &["box-admin"]);
    assert!(second.ok().contains("ASIAADMIN"));
    assert!(
        second.stderr.contains("cached role credentials"),
        "{}",
        second.stderr
    );
    assert_eq!(imds.request_count(), 3);
    assert_eq!(sts.request_count(), 1);
}

#[test]
fn a_container_role_is_the_root_of_a_chain_against_moto() {
    let endpoint = FakeMetadata::start(Service::Container, "ASIACONTAINERROLE001");
    let sandbox = container_sandbox(&endpoint, &moto().endpoint())
        .env("AWS_CONTAINER_AUTHORIZATION_TOKEN", CONTAINER_AUTHORIZATION);
    let shell = sandbox.eval_in("bash", &["task-admin", "--mfa-token", "123456"]);
    shell.run.ok();
    assert!(shell.vars["AWS_ACCESS_KEY_ID"].starts_with("ASIA"));
    assert_ne!(shell.vars["AWS_ACCESS_KEY_ID"], "ASIACONTAINERROLE001");
    assert_eq!(shell.vars["RSUME_PROFILE"], "task-admin");
    let requests = endpoint.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, "/v2/credentials/task");

    let again = sandbox.eval_in("bash", &["task-admin"]);
    again.run.ok();
    assert_eq!(
        again.vars["AWS_ACCESS_KEY_ID"],
        shell.vars["AWS_ACCESS_KEY_ID"]
    );
    assert_eq!(endpoint.request_count(), 1, "a cached run asks nobody");
}

#[test]
fn the_container_token_may_come_from_a_file() {
    let endpoint = FakeMetadata::start(Service::Container, "ASIACONTAINERROLE002");
    let sts = fake_sts();
    let sandbox = container_sandbox(&endpoint, &sts.endpoint());
    std::fs::write(sandbox.path("eks-token"), CONTAINER_AUTHORIZATION).unwrap();
    let file = sandbox.path("eks-token").display().to_string();
    let sandbox = sandbox.env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", &file);
    assume(&sandbox, &["task-admin", "--mfa-token", "123456"]).ok();
    assert_eq!(
        endpoint.requests()[0].header("authorization"),
        Some(CONTAINER_AUTHORIZATION)
    );
    assert_eq!(
        sts.requests()[0].access_key_id(),
        Some("ASIACONTAINERROLE002")
    );
}

/// Files end in a newline: the token is trimmed, as the SDKs do, and sent as written.
#[test]
fn a_container_token_file_ending_in_a_newline_is_trimmed() {
    let endpoint = FakeMetadata::start(Service::Container, "ASIACONTAINERROLE003");
    let sts = fake_sts();
    let sandbox = container_sandbox(&endpoint, &sts.endpoint());
    std::fs::write(
        sandbox.path("eks-token"),
        format!("{CONTAINER_AUTHORIZATION}\n"),
    )
    .unwrap();
    let file = sandbox.path("eks-token").display().to_string();
    let sandbox = sandbox.env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", &file);
    assume(&sandbox, &["task-admin", "--mfa-token", "123456"]).ok();
    assert_eq!(
        endpoint.requests()[0].header("authorization"),
        Some(CONTAINER_AUTHORIZATION)
    );
}

/// Each way the container token can be unusable has its own words, naming the file or the
/// variable; none reaches the endpoint, and nothing is printed or cached.
#[test]
fn each_unusable_container_token_says_what_is_wrong() {
    let endpoint = FakeMetadata::start(Service::Container, "ASIACONTAINERROLE004");
    let sts = fake_sts();
    let base = container_sandbox(&endpoint, &sts.endpoint());
    let file = base.path("eks-token");
    let fifo = base.path("eks-fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    std::fs::write(&file, " \n").unwrap();
    let file = file.display().to_string();
    let fifo = fifo.display().to_string();
    let cases = [
        (
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
            file.as_str(),
            format!("the authorization token in {file} (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE) is empty"),
        ),
        (
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
            fifo.as_str(),
            format!("cannot read {fifo}: it is a FIFO (named pipe), not a regular file"),
        ),
        (
            "AWS_CONTAINER_AUTHORIZATION_TOKEN",
            "Bearer a\u{1}b",
            "the authorization token AWS_CONTAINER_AUTHORIZATION_TOKEN holds characters an HTTP header cannot carry".into(),
        ),
    ];
    for (variable, value, says) in cases {
        let sandbox = container_sandbox(&endpoint, &sts.endpoint()).env(variable, value);
        let run = finish_within(
            sandbox
                .command(&["task-admin", "--mfa-token", "123456", "--shell", "bash"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap(),
            Duration::from_secs(30),
            "rsume task-admin",
        );
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(!run.status.success(), "{stderr}");
        assert!(run.stdout.is_empty());
        assert!(stderr.contains(&says), "{says}\nin: {stderr}");
        assert!(!stderr.contains("not allowed"), "{stderr}");
        assert!(Sandbox::entries_in(&sandbox.cache_dir()).is_empty());
    }
    assert_eq!(endpoint.request_count(), 0);
}

/// Two tasks with their own tokens on one endpoint are two callers: each is asked for,
/// and each cached apart (the key holds a digest of the token, never the token).
#[test]
fn another_container_token_is_another_cache_entry() {
    let endpoint = FakeMetadata::start(Service::Container, "ASIACONTAINERROLE005");
    let sts = FakeSts::start(vec![Reply::auto(&FakeCreds::new(
        "admin",
        Duration::from_secs(3600),
    ))]);
    let base = container_sandbox(&endpoint, &sts.endpoint());
    let with = |token: &str| {
        container_sandbox(&endpoint, &sts.endpoint())
            .env("AWS_CONTAINER_AUTHORIZATION_TOKEN", token)
            .env("RSUME_CACHE_DIR", &base.cache_dir().display().to_string())
    };
    assume(
        &with(CONTAINER_AUTHORIZATION),
        &["task-admin", "--mfa-token", "123456"],
    )
    .ok();
    assert_eq!(endpoint.request_count(), 1);
    assume(
        &with(CONTAINER_AUTHORIZATION_2),
        &["task-admin", "--mfa-token", "123456"],
    )
    .ok();
    assert_eq!(
        endpoint.request_count(),
        2,
        "the second token was asked for"
    );
    let again = assume(
        &with(CONTAINER_AUTHORIZATION),
        &["task-admin", "--mfa-token", "123456"],
    );
    again.ok();
    assert_eq!(
        endpoint.request_count(),
        2,
        "the first token's entry is still used"
    );
    for entry in Sandbox::entries_in(&base.cache_dir()) {
        let text = std::fs::read_to_string(entry).unwrap();
        assert!(!text.contains("container-token"), "{text}");
    }
}

#[test]
fn an_unreachable_metadata_endpoint_is_one_line_quickly_and_caches_nothing() {
    let sts = fake_sts();
    for (name, sandbox) in [
        (
            "instance",
            Sandbox::new(CONFIG, "")
                .without("AWS_EC2_METADATA_DISABLED")
                .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9"),
        ),
        (
            "container",
            Sandbox::new(CONFIG, "").env(
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "http://127.0.0.1:9/v2/credentials/task",
            ),
        ),
    ] {
        let sandbox = sandbox.endpoint(&sts.endpoint());
        let profile = format!("{}-admin", if name == "instance" { "box" } else { "task" });
        let started = Instant::now();
        let run = assume(&sandbox, &[&profile, "--mfa-token", "123456"]);
        let stderr = run.failed();
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "{name}: too slow"
        );
        assert_eq!(stderr.trim().lines().count(), 1, "{name}: {stderr}");
        assert!(stderr.contains(&format!("profile '{profile}'")), "{stderr}");
        assert!(stderr.contains("http://127.0.0.1:9"), "{stderr}");
        assert!(
            Sandbox::entries_in(&sandbox.cache_dir()).is_empty(),
            "{name}"
        );
    }
    assert_eq!(sts.request_count(), 0);
}

#[test]
fn a_wrong_container_token_is_refused_without_echoing_the_reply() {
    let endpoint = FakeMetadata::start(Service::Container, "ASIACONTAINERROLE003");
    let sts = fake_sts();
    let sandbox = container_sandbox(&endpoint, &sts.endpoint())
        .env("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer wrong");
    let stderr = assume(&sandbox, &["task-admin", "--mfa-token", "123456"])
        .failed()
        .to_owned();
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("container credentials endpoint"),
        "{stderr}"
    );
    assert!(
        stderr.contains("it refused the authorization token (HTTP 401)"),
        "{stderr}"
    );
    assert!(!stderr.contains("wrong"), "{stderr}");
    assert_eq!(sts.request_count(), 0);
}

#[test]
fn a_disabled_or_unset_metadata_source_is_refused_before_any_request() {
    let imds = FakeMetadata::start(Service::Imds, "ASIAINSTANCEROLE0004");
    let disabled =
        instance_sandbox(&imds, "http://127.0.0.1:9").env("AWS_EC2_METADATA_DISABLED", "true");
    let stderr = assume(&disabled, &["box-admin"]).failed().to_owned();
    assert!(stderr.contains("AWS_EC2_METADATA_DISABLED"), "{stderr}");
    assert_eq!(imds.request_count(), 0);

    let unset = Sandbox::new(CONFIG, "");
    let stderr = assume(&unset, &["task-admin"]).failed().to_owned();
    assert!(
        stderr.contains("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
        "{stderr}"
    );
}
