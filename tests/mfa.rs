//! `rsume mfa setup|list|remove` against moto's IAM, through a pseudo-terminal where rsume
//! prompts. moto accepts any MFA code, so a recording proxy (the fake STS passing requests
//! on to moto) shows what rsume sent: the codes typed, and the cleanup after a failure.

mod support;

use std::process::Command;

use support::authenticator::{decode_terminal_qr, printed_secret, two_codes};
use support::fake_sts::{FakeSts, Reply};
use support::iam_user::{on_terminal, user_sandbox};
use support::moto::moto;
use support::moto_iam;
use support::sandbox::{BIN, SHELLS, Sandbox, with_wrapper};

const ACCOUNT: &str = "123456789012";

/// A config file with a comment, Windows line endings, sub-properties and another profile,
/// before and after `mfa_serial` is set in profile `user`: only that line may be new.
const CONFIG_BEFORE: &str = "# my profiles\r\n[profile user]\r\nregion = eu-west-1\r\n\
    s3 =\r\n  max_concurrent_requests = 20\r\n\r\n# the other one\r\n[profile other]\r\n\
    region = us-west-2\r\n";

fn config_after(serial: &str) -> String {
    format!(
        "# my profiles\r\n[profile user]\r\nregion = eu-west-1\r\n\
         s3 =\r\n  max_concurrent_requests = 20\r\nmfa_serial = {serial}\r\n\r\n\
         # the other one\r\n[profile other]\r\nregion = us-west-2\r\n"
    )
}

fn field<'a>(request: &'a support::fake_sts::Request, name: &str) -> &'a str {
    request.field(name).unwrap_or_default()
}

#[test]
fn setup_shows_the_seed_as_qr_and_text_and_enables_with_the_typed_codes() {
    let moto = moto().endpoint();
    let proxy = FakeSts::start(vec![Reply::forward(&moto)]);
    let sandbox = user_sandbox("setup-alice", CONFIG_BEFORE, &proxy.endpoint());
    let mut session = on_terminal(
        &sandbox,
        r#""$RSUME" --debug mfa setup user --qr-png code.png > out.txt 2> err.txt; echo "exit=$?""#,
    );
    let serial = format!("arn:aws:iam::{ACCOUNT}:mfa/setup-alice");
    let screen = session
        .exp_string(&format!("MFA code for {serial} (first code): "))
        .unwrap();

    let seed = moto_iam::virtual_devices(&moto)
        .into_iter()
        .find(|(s, _)| *s == serial)
        .expect("moto has the device")
        .1;
    let uri = format!("otpauth://totp/AWS:setup-alice@{ACCOUNT}?secret={seed}&issuer=AWS");
    assert_eq!(decode_terminal_qr(&screen), uri);
    assert_eq!(printed_secret(&screen), seed);

    let (first, next) = two_codes(&seed);
    session.send_line(&first).unwrap();
    session.exp_string("(the next code): ").unwrap();
    session.send_line(&next).unwrap();
    session.exp_string("exit=0").unwrap();

    let enables: Vec<_> = proxy
        .requests()
        .into_iter()
        .filter(|r| r.action == "EnableMFADevice")
        .collect();
    assert_eq!(enables.len(), 1);
    assert_eq!(field(&enables[0], "UserName"), "setup-alice");
    assert_eq!(field(&enables[0], "SerialNumber"), serial);
    assert_eq!(field(&enables[0], "AuthenticationCode1"), first);
    assert_eq!(field(&enables[0], "AuthenticationCode2"), next);
    assert_eq!(
        moto_iam::user_devices(&moto, "setup-alice"),
        std::slice::from_ref(&serial)
    );

    let png = sandbox.path("code.png");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(png.metadata().unwrap().permissions().mode() & 0o777, 0o600);
    let zbar = Command::new("zbarimg")
        .args(["--quiet", "--raw"])
        .arg(&png)
        .output()
        .expect("zbarimg (Debian package zbar-tools; scripts/setup.sh installs it)");
    assert_eq!(String::from_utf8(zbar.stdout).unwrap().trim_end(), uri);

    let out = std::fs::read_to_string(sandbox.path("out.txt")).unwrap();
    assert!(
        out.contains(&format!("Enabled the MFA device {serial}")),
        "{out}"
    );
    let config = std::fs::read_to_string(sandbox.path(".aws/config")).unwrap();
    assert_eq!(config, config_after(&serial));
    let err = std::fs::read_to_string(sandbox.path("err.txt")).unwrap();
    assert!(err.contains("IAM endpoint"), "--debug said nothing: {err}");
    // The seed is on the terminal and in the PNG asked for, and in no other file: not in
    // stdout's, not in stderr's under --debug.
    for file in walk(sandbox.home()) {
        if file != png {
            let bytes = std::fs::read(&file).unwrap();
            assert!(
                !String::from_utf8_lossy(&bytes).contains(&seed),
                "the seed is in {}",
                file.display()
            );
        }
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// Real IAM error bodies for an EnableMFADevice that fails.
fn iam_error(status: u16, code: &str, message: &str) -> Reply {
    let body = format!(
        "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\n  <Error>\n    \
         <Type>Sender</Type>\n    <Code>{code}</Code>\n    <Message>{message}</Message>\n  \
         </Error>\n  <RequestId>4c1d2f0a-6b1e-4f5e-9b0e-1c2d3e4f5a6b</RequestId>\n</ErrorResponse>\n"
    );
    Reply::raw(status, &[("Content-Type", "text/xml")], body)
}

#[test]
fn a_device_that_cannot_be_enabled_is_deleted_again() {
    let moto = moto().endpoint();
    let failures = [
        (
            "out-of-step",
            iam_error(
                403,
                "InvalidAuthenticationCode",
                "Authentication code for device is not valid.",
            ),
            "AWS rejected the two codes",
        ),
        (
            "denied",
            iam_error(
                403,
                "AccessDenied",
                "User: arn:aws:iam::123456789012:user/denied is not authorized to perform: iam:EnableMFADevice",
            ),
            "access denied: User: arn:aws:iam::123456789012:user/denied is not authorized",
        ),
        (
            "assigned",
            iam_error(409, "EntityAlreadyExists", "MFA Device is already in use."),
            "MFA Device is already in use.",
        ),
    ];
    for (user, failure, said) in failures {
        let forward = Reply::forward(&moto);
        let proxy = FakeSts::start(vec![forward.clone(), forward.clone(), failure, forward]);
        let sandbox = user_sandbox(user, "[profile user]\n", &proxy.endpoint());
        let mut session = on_terminal(
            &sandbox,
            r#""$RSUME" mfa setup user --qr-png code.png; echo "exit=$?""#,
        );
        session.exp_string("(first code): ").unwrap();
        session.send_line("123456").unwrap();
        session.exp_string("(the next code): ").unwrap();
        session.send_line("234567").unwrap();
        let screen = session.exp_string("exit=1").unwrap();
        assert!(screen.contains(said), "{user}: {screen}");
        assert!(screen.contains("deleted again"), "{user}: {screen}");
        assert_eq!(
            proxy.actions(),
            [
                "GetUser",
                "CreateVirtualMFADevice",
                "EnableMFADevice",
                "DeleteVirtualMFADevice"
            ],
            "{user}"
        );
        let serial = format!("arn:aws:iam::{ACCOUNT}:mfa/{user}");
        assert_eq!(field(&proxy.requests()[3], "SerialNumber"), serial);
        assert!(
            !moto_iam::virtual_devices(&moto)
                .iter()
                .any(|(s, _)| *s == serial),
            "{user}: the device is left in moto"
        );
        assert!(
            !sandbox.path("code.png").exists(),
            "{user}: the PNG of a deleted device stays"
        );
    }
}

#[test]
fn list_marks_the_profiles_device_and_remove_deletes_it_after_a_yes() {
    let moto = moto().endpoint();
    let (key_id, secret) = moto_iam::user_with_keys(&moto, "list-carol");
    let spare = moto_iam::enabled_device(&moto, "list-carol", "list-carol-spare");
    let used = moto_iam::enabled_device(&moto, "list-carol", "list-carol");
    let config = config_after(&used);
    let credentials =
        format!("[user]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n");
    let sandbox = Sandbox::new(&config, &credentials).env("AWS_ENDPOINT_URL", &moto);

    let listed = sandbox.run(&["mfa", "list", "user"]);
    let text = listed.ok();
    let line = |serial: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("{serial} ")))
            .unwrap_or_else(|| panic!("{serial} not listed:\n{text}"))
            .to_owned()
    };
    assert!(line(&used).ends_with("yes"), "{text}");
    assert!(!line(&spare).ends_with("yes"), "{text}");

    // Without a terminal (setsid: no controlling one) it asks for --yes and changes nothing.
    let refused = sandbox
        .program("setsid")
        .args(["-w", BIN, "mfa", "remove", "user"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("pass --yes"));

    // A "no" on the terminal changes nothing either.
    let mut session = on_terminal(&sandbox, r#""$RSUME" mfa remove user; echo "exit=$?""#);
    session
        .exp_string(&format!(
            "Deactivate and delete the MFA device {used} of the IAM user list-carol? [y/N] "
        ))
        .unwrap();
    session.send_line("n").unwrap();
    session.exp_string("nothing was removed").unwrap();
    session.exp_string("exit=1").unwrap();
    assert_eq!(moto_iam::user_devices(&moto, "list-carol").len(), 2);

    let mut session = on_terminal(&sandbox, r#""$RSUME" mfa remove user; echo "exit=$?""#);
    session.exp_string("[y/N] ").unwrap();
    session.send_line("y").unwrap();
    session
        .exp_string(&format!("Deactivated {used} and deleted it."))
        .unwrap();
    session.exp_string("exit=0").unwrap();
    assert_eq!(
        moto_iam::user_devices(&moto, "list-carol"),
        std::slice::from_ref(&spare)
    );
    let left: Vec<String> = moto_iam::virtual_devices(&moto)
        .into_iter()
        .map(|(serial, _)| serial)
        .collect();
    assert!(!left.contains(&used) && left.contains(&spare), "{left:?}");
    let config = std::fs::read_to_string(sandbox.path(".aws/config")).unwrap();
    assert_eq!(config, CONFIG_BEFORE, "only the mfa_serial line goes");

    // --yes for scripts; without an mfa_serial, the user's only device is the one.
    let removed = sandbox.run(&["mfa", "remove", "user", "--yes"]);
    assert!(removed.ok().contains(&spare), "{}", removed.stdout);
    let config = std::fs::read_to_string(sandbox.path(".aws/config")).unwrap();
    assert_eq!(config, CONFIG_BEFORE, "a line naming another device stays");
    assert!(moto_iam::user_devices(&moto, "list-carol").is_empty());
}

#[test]
fn only_a_profile_with_the_users_keys_will_do_and_no_call_is_made_otherwise() {
    let proxy = FakeSts::start(vec![Reply::forward(&moto().endpoint())]);
    let config =
        "[profile role]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = user\n";
    let sandbox = Sandbox::new(
        config,
        "[user]\naws_access_key_id = AKIA\naws_secret_access_key = s\n",
    )
    .env("AWS_ENDPOINT_URL", &proxy.endpoint());
    for args in [
        &["mfa", "setup", "role"][..],
        &["mfa", "list", "role"],
        &["mfa", "remove", "role", "--yes"],
    ] {
        let run = sandbox.run(args);
        let stderr = run.failed();
        assert!(
            stderr.contains("profile 'role' has no aws_access_key_id"),
            "{stderr}"
        );
        assert!(stderr.contains("IAM user's long-term keys"), "{stderr}");
    }
    let run = sandbox.run(&["mfa", "list", "nobody"]);
    assert!(run.failed().contains("no profile named 'nobody'"));
    assert_eq!(proxy.request_count(), 0);
}

#[test]
fn plain_http_to_another_host_is_refused_before_any_connection() {
    let permitted = Command::new("unshare")
        .args(["-n", "true"])
        .status()
        .is_ok_and(|status| status.success());
    assert!(
        permitted,
        "these tests run as root, where `unshare -n` works"
    );
    let sandbox = Sandbox::new(
        "[profile user]\n",
        "[user]\naws_access_key_id = AKIA\naws_secret_access_key = s\n",
    );
    for (variable, url) in [
        ("AWS_ENDPOINT_URL_IAM", "http://iam.example.com"),
        ("AWS_ENDPOINT_URL", "http://192.0.2.10:8080"),
    ] {
        let output = sandbox
            .program("unshare")
            .args(["-n", BIN, "mfa", "list", "user"])
            .env(variable, url)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(!output.status.success(), "{stderr}");
        assert!(
            stderr.contains(&format!("refusing IAM endpoint {url} (from {variable})")),
            "{stderr}"
        );
        assert!(!stderr.contains("could not reach"), "{stderr}");
    }
}

#[test]
fn an_empty_aws_region_is_unset_and_a_malformed_one_is_named() {
    let proxy = FakeSts::start(vec![Reply::forward(&moto().endpoint())]);
    let sandbox = user_sandbox("region-ivan", "[profile user]\n", &proxy.endpoint())
        .env("AWS_REGION", "")
        .env("AWS_DEFAULT_REGION", "eu-north-1");
    sandbox.run(&["mfa", "list", "user"]).ok();
    let requests = proxy.requests();
    assert!(!requests.is_empty());
    for request in &requests {
        let authorization = request.header("authorization").unwrap_or_default();
        assert!(
            authorization.contains("/eu-north-1/iam/"),
            "{authorization}"
        );
    }
    let seen = requests.len();
    let stderr = sandbox
        .env("AWS_DEFAULT_REGION", "evil.example#")
        .run(&["mfa", "list", "user"])
        .failed()
        .to_owned();
    assert!(
        stderr.contains("'evil.example#' (from AWS_DEFAULT_REGION) is not a region name"),
        "{stderr}"
    );
    assert_eq!(proxy.request_count(), seen, "nothing is sent");
}

#[test]
fn a_dead_endpoint_is_named_with_the_variable_that_set_it() {
    // Port 9 on 127.0.0.1: nothing listens.
    for variable in ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_IAM"] {
        let stderr = Sandbox::new(
            "[profile user]\n",
            "[user]\naws_access_key_id = AKIA\naws_secret_access_key = s\n",
        )
        .env(variable, "http://127.0.0.1:9")
        .run(&["mfa", "list", "user"])
        .failed()
        .to_owned();
        let hint = format!("the endpoint http://127.0.0.1:9 (from {variable})");
        assert!(stderr.contains("could not reach IAM"), "{stderr}");
        assert!(stderr.contains(&hint), "{stderr}");
    }
}

#[test]
fn a_cancelled_prompt_deletes_the_new_device_and_exits_130() {
    let moto = moto().endpoint();
    let proxy = FakeSts::start(vec![Reply::forward(&moto)]);
    let sandbox = user_sandbox("cancel-erin", "[profile user]\n", &proxy.endpoint());
    let mut session = on_terminal(&sandbox, r#""$RSUME" mfa setup user; echo "exit=$?""#);
    session.exp_string("(first code): ").unwrap();
    session.send_control('c').unwrap();
    let screen = session.exp_string("exit=130").unwrap();
    assert!(screen.contains("the prompt was cancelled"), "{screen}");
    assert_eq!(
        proxy.actions(),
        [
            "GetUser",
            "CreateVirtualMFADevice",
            "DeleteVirtualMFADevice"
        ]
    );
    let serial = format!("arn:aws:iam::{ACCOUNT}:mfa/cancel-erin");
    assert!(
        !moto_iam::virtual_devices(&moto)
            .iter()
            .any(|(s, _)| *s == serial)
    );
}

#[test]
fn an_existing_png_is_left_alone_and_no_device_is_created() {
    let proxy = FakeSts::start(vec![Reply::forward(&moto().endpoint())]);
    let sandbox = user_sandbox("png-frank", "[profile user]\n", &proxy.endpoint());
    std::fs::write(sandbox.path("taken.png"), "mine").unwrap();
    let mut session = on_terminal(
        &sandbox,
        r#""$RSUME" mfa setup user --qr-png taken.png; echo "exit=$?""#,
    );
    let screen = session.exp_string("exit=1").unwrap();
    assert!(screen.contains("cannot create taken.png"), "{screen}");
    assert!(screen.contains("it must be a new file"), "{screen}");
    assert_eq!(
        std::fs::read_to_string(sandbox.path("taken.png")).unwrap(),
        "mine"
    );
    assert_eq!(proxy.actions(), ["GetUser"]);
}

#[test]
fn through_the_wrappers_mfa_prints_and_fails_as_without() {
    let moto = moto().endpoint();
    let sandbox = user_sandbox("wrapped-gina", "[profile user]\n", &moto);
    let serial = moto_iam::enabled_device(&moto, "wrapped-gina", "wrapped-gina");
    for shell in SHELLS {
        let listed = sandbox.shell(shell, &with_wrapper(shell, "rsume mfa list user"), &[]);
        let stdout = listed.run.ok();
        assert!(stdout.contains(&format!("{serial}  ")), "{shell}: {stdout}");
        assert!(!listed.vars.contains_key("AWS_ACCESS_KEY_ID"), "{shell}");
        let failed = sandbox.shell(shell, &with_wrapper(shell, "rsume mfa list nobody"), &[]);
        assert_eq!(failed.run.status.code(), Some(1), "{shell}");
        assert!(
            failed.run.stderr.contains("no profile named 'nobody'"),
            "{shell}"
        );
    }
}

#[test]
fn the_root_users_keys_are_refused_with_what_to_do() {
    // GetUser as AWS answers it for the root user: no UserName, an ARN ending in :root.
    let body = "<GetUserResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\n  \
        <GetUserResult>\n    <User>\n      <UserId>123456789012</UserId>\n      \
        <Arn>arn:aws:iam::123456789012:root</Arn>\n      \
        <CreateDate>2020-01-01T00:00:00Z</CreateDate>\n    </User>\n  </GetUserResult>\n  \
        <ResponseMetadata>\n    <RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId>\n  \
        </ResponseMetadata>\n</GetUserResponse>\n";
    let fake = FakeSts::start(vec![Reply::raw(200, &[("Content-Type", "text/xml")], body)]);
    let sandbox = Sandbox::new(
        "[profile user]\n",
        "[user]\naws_access_key_id = AKIAROOT\naws_secret_access_key = s\n",
    )
    .env("AWS_ENDPOINT_URL", &fake.endpoint());
    let stderr = sandbox.run(&["mfa", "list", "user"]).failed().to_owned();
    assert!(
        stderr.contains("these are the account's root keys"),
        "{stderr}"
    );
    assert_eq!(fake.actions(), ["GetUser"]);
}

#[test]
fn a_profile_only_in_the_credentials_file_gets_a_config_section_and_the_mode_stays() {
    let proxy = FakeSts::start(vec![Reply::forward(&moto().endpoint())]);
    let sandbox = user_sandbox("creds-only-hana", "", &proxy.endpoint());
    let config = sandbox.path(".aws/config");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o640)).unwrap();
    let mut session = on_terminal(&sandbox, r#""$RSUME" mfa setup user; echo "exit=$?""#);
    session.exp_string("(first code): ").unwrap();
    session.send_line("123456").unwrap();
    session.exp_string("(the next code): ").unwrap();
    session.send_line("234567").unwrap();
    session.exp_string("exit=0").unwrap();
    let serial = format!("arn:aws:iam::{ACCOUNT}:mfa/creds-only-hana");
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        format!("[profile user]\nmfa_serial = {serial}\n")
    );
    assert_eq!(
        config.metadata().unwrap().permissions().mode() & 0o777,
        0o640
    );
}
