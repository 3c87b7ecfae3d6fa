//! `rsume mfa setup` against moto's IAM through a recording proxy, on a pseudo-terminal:
//! what it says when the user already has a device (the one in use works; a second one
//! replaces `mfa_serial`, and it says so), that the IAM permissions the docs list are exactly
//! the calls it makes, and that a hostile seed never reaches the terminal raw.

mod support;

use std::collections::BTreeSet;

use support::fake_sts::{FakeSts, Reply};
use support::iam_user::{on_terminal, user_sandbox};
use support::moto::moto;
use support::moto_iam;

const ACCOUNT: &str = "123456789012";

/// Runs `args` after `rsume` on a terminal, types two codes if asked (moto takes any), and
/// returns the screen up to the exit status, which must be `exit`.
fn setup(sandbox: &support::sandbox::Sandbox, args: &str, codes: bool, exit: u8) -> String {
    let mut session = on_terminal(sandbox, &format!(r#""$RSUME" {args}; echo "exit=$?""#));
    let mut screen = String::new();
    if codes {
        screen += &session.exp_string("(first code): ").unwrap();
        session.send_line("123456").unwrap();
        screen += &session.exp_string("(the next code): ").unwrap();
        session.send_line("234567").unwrap();
    }
    screen += &session.exp_string(&format!("exit={exit}")).unwrap();
    screen.replace("\r\n", " ").replace('\n', " ")
}

fn config(sandbox: &support::sandbox::Sandbox) -> String {
    std::fs::read_to_string(sandbox.path(".aws/config")).unwrap()
}

#[test]
fn the_device_in_use_works_and_a_second_device_says_it_takes_over() {
    let moto = moto().endpoint();
    let proxy = FakeSts::start(vec![Reply::forward(&moto)]);
    let user = "again-gina";
    let serial = format!("arn:aws:iam::{ACCOUNT}:mfa/{user}");
    let before = format!("[profile user]\nmfa_serial = {serial}\n");
    let sandbox = user_sandbox(user, &before, &proxy.endpoint());
    assert_eq!(moto_iam::enabled_device(&moto, user, user), serial);

    // The same setup again: the device works, nothing is created, nothing is to be deleted.
    let screen = setup(&sandbox, "mfa setup user", false, 0);
    assert!(
        screen.contains(&format!(
            "Profile 'user' already uses the MFA device {serial}, and it works"
        )),
        "{screen}"
    );
    assert!(
        screen.contains("rsume mfa setup user --device-name NAME"),
        "{screen}"
    );
    assert!(!screen.contains("delete"), "{screen}");
    assert_eq!(proxy.actions(), ["GetUser", "ListMFADevices"]);
    assert_eq!(config(&sandbox), before);

    // A second device: said before it starts and at the end, with the device asked next.
    let second = format!("{serial}2");
    let screen = setup(
        &sandbox,
        &format!("mfa setup user --device-name {user}2"),
        true,
        0,
    );
    assert!(
        screen.contains(&format!("profile 'user' asks for codes of {serial} now")),
        "{screen}"
    );
    assert!(
        screen.contains(&format!(
            "it named {serial} before; that device stays enabled, and  rsume mfa remove user --serial {serial}  removes it"
        )),
        "{screen}"
    );
    assert!(
        screen.contains(&format!("rsume user now asks for codes of {second}.")),
        "{screen}"
    );
    assert_eq!(
        config(&sandbox),
        format!("[profile user]\nmfa_serial = {second}\n")
    );
    let mut devices = moto_iam::user_devices(&moto, user);
    devices.sort();
    assert_eq!(devices, [serial, second]);
}

#[test]
fn a_device_of_the_user_that_the_profile_does_not_name_is_not_offered_for_deletion() {
    let moto = moto().endpoint();
    let proxy = FakeSts::start(vec![Reply::forward(&moto)]);
    let user = "unnamed-hal";
    let sandbox = user_sandbox(user, "[profile user]\n", &proxy.endpoint());
    let serial = moto_iam::enabled_device(&moto, user, user);
    let screen = setup(&sandbox, "mfa setup user", false, 1);
    assert!(
        screen.contains(&format!(
            "the IAM user {user} already has the MFA device {serial}, but profile 'user' does not name it"
        )),
        "{screen}"
    );
    assert!(
        screen.contains(&format!("set  mfa_serial = {serial}  in the profile")),
        "{screen}"
    );
    assert!(!screen.contains("delete"), "{screen}");
    assert_eq!(config(&sandbox), "[profile user]\n");
}

/// The `iam:` permissions in the one paragraph of `doc` that lists them.
fn listed_permissions(doc: &str) -> BTreeSet<String> {
    let path = format!("{}/docs/{doc}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let permissions = |paragraph: &str| -> BTreeSet<String> {
        paragraph
            .split("iam:")
            .skip(1)
            .map(|rest| {
                rest.chars()
                    .take_while(char::is_ascii_alphanumeric)
                    .collect::<String>()
            })
            .filter(|name| name.starts_with(|c: char| c.is_ascii_uppercase()))
            .collect()
    };
    let listing: Vec<BTreeSet<String>> = text
        .split("\n\n")
        .map(permissions)
        .filter(|found| !found.is_empty())
        .collect();
    assert_eq!(
        listing.len(),
        1,
        "{doc}: one paragraph lists the permissions"
    );
    listing.into_iter().next().unwrap()
}

#[test]
fn the_permissions_the_docs_list_are_the_calls_setup_makes() {
    let moto = moto().endpoint();
    let mut called = BTreeSet::new();
    let mut record = |proxy: &FakeSts| called.extend(proxy.actions());

    // A new device, enabled.
    let proxy = FakeSts::start(vec![Reply::forward(&moto)]);
    let sandbox = user_sandbox("perm-ivy", "[profile user]\n", &proxy.endpoint());
    setup(&sandbox, "mfa setup user", true, 0);
    record(&proxy);
    // Setup again: the device in use is looked up.
    let proxy = FakeSts::start(vec![Reply::forward(&moto)]);
    let sandbox = sandbox.env("AWS_ENDPOINT_URL", &proxy.endpoint());
    setup(&sandbox, "mfa setup user", false, 0);
    record(&proxy);
    // Codes rejected: the new device is deleted again.
    let rejected = Reply::raw(
        403,
        &[("Content-Type", "text/xml")],
        "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error>\
         <Type>Sender</Type><Code>InvalidAuthenticationCode</Code>\
         <Message>Authentication code for device is not valid.</Message></Error>\
         <RequestId>4c1d2f0a-6b1e-4f5e-9b0e-1c2d3e4f5a6b</RequestId></ErrorResponse>",
    );
    let forward = Reply::forward(&moto);
    let proxy = FakeSts::start(vec![forward.clone(), forward.clone(), rejected, forward]);
    let sandbox = user_sandbox("perm-jo", "[profile user]\n", &proxy.endpoint());
    setup(&sandbox, "mfa setup user", true, 1);
    record(&proxy);

    assert_eq!(
        called,
        [
            "CreateVirtualMFADevice",
            "DeleteVirtualMFADevice",
            "EnableMFADevice",
            "GetUser",
            "ListMFADevices"
        ]
        .map(String::from)
        .into(),
    );
    for doc in ["mfa.md", "first-session.md", "first-session.ja.md"] {
        assert_eq!(listed_permissions(doc), called, "docs/{doc}");
    }
}

#[test]
fn a_hostile_seed_never_reaches_the_terminal_raw() {
    let moto = moto().endpoint();
    // "JBSW", an OSC title change, BEL, a clear-screen, "Y3DP": base64 in the reply.
    let created = Reply::raw(
        200,
        &[("Content-Type", "text/xml")],
        format!(
            "<CreateVirtualMFADeviceResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\
             <CreateVirtualMFADeviceResult><VirtualMFADevice>\
             <SerialNumber>arn:aws:iam::{ACCOUNT}:mfa/seed-kim</SerialNumber>\
             <Base32StringSeed>SkJTVxtdMDtwd25lZAcbWzJKWTNEUA==</Base32StringSeed>\
             </VirtualMFADevice></CreateVirtualMFADeviceResult>\
             <ResponseMetadata><RequestId>5d1d2f0a-6b1e-4f5e-9b0e-1c2d3e4f5a6b</RequestId>\
             </ResponseMetadata></CreateVirtualMFADeviceResponse>"
        ),
    );
    let forward = Reply::forward(&moto);
    let proxy = FakeSts::start(vec![forward.clone(), created, forward]);
    let sandbox = user_sandbox("seed-kim", "[profile user]\n", &proxy.endpoint());
    let screen = setup(&sandbox, "mfa setup user", false, 1);
    assert!(!screen.contains(['\u{1b}', '\u{7}']), "{screen:?}");
    assert!(!screen.contains("pwned"), "{screen:?}");
    assert_eq!(config(&sandbox), "[profile user]\n");
}
