//! Inputs at the edges: long chains, huge configs, huge values, and cache files left in odd
//! states. Each either works or fails with a clear message; none panics or loses a file.

mod support;

use std::time::Duration;

use support::fake_sts::{FakeCreds, FakeSts, Reply};
use support::sandbox::Sandbox;

#[test]
fn chains_deeper_than_ten_roles_are_refused_clearly() {
    let mut config = String::new();
    for i in 1..=12 {
        config.push_str(&format!(
            "[profile hop{i}]\nrole_arn = arn:aws:iam::123456789012:role/r{i}\nsource_profile = hop{}\n",
            i - 1
        ));
    }
    let sandbox = Sandbox::new(
        &config,
        "[hop0]\naws_access_key_id = AKIA0\naws_secret_access_key = s\n",
    );
    let stderr = sandbox
        .run(&["hop12", "--shell", "bash"])
        .failed()
        .to_owned();
    assert!(
        stderr.contains("profile 'hop12' chains more than 10 roles"),
        "{stderr}"
    );

    let sts = FakeSts::start(vec![Reply::auto(&FakeCreds::new(
        "hop",
        Duration::from_secs(3600),
    ))]);
    let sandbox = sandbox.endpoint(&sts.endpoint());
    sandbox.run(&["hop10", "--shell", "bash"]).ok();
    assert_eq!(sts.request_count(), 10);
}

#[test]
fn fifty_thousand_profiles_still_work() {
    let mut config = String::with_capacity(6 << 20);
    for i in 0..50_000 {
        config.push_str(&format!(
            "[profile p{i}]\nrole_arn = arn:aws:iam::123456789012:role/r{i}\nsource_profile = base\nregion = eu-west-1\n"
        ));
    }
    let sandbox = Sandbox::new(
        &config,
        "[base]\naws_access_key_id = AKIA\naws_secret_access_key = s\n",
    );
    let list = sandbox.run(&["-l"]).ok().to_owned();
    assert_eq!(
        list.lines().count(),
        50_002,
        "header, 50,000 roles and base"
    );
    let stderr = sandbox
        .run(&["p50000", "--shell", "bash"])
        .failed()
        .to_owned();
    assert!(stderr.contains("did you mean"), "{stderr}");
}

#[test]
fn a_one_megabyte_value_is_refused_for_the_environment_but_listed() {
    let huge = "r".repeat(1 << 20);
    let sandbox = Sandbox::new(
        &format!("[profile big]\nregion = {huge}\n"),
        "[big]\naws_access_key_id = AKIA\naws_secret_access_key = s\n",
    );
    let stderr = sandbox.run(&["big", "--shell", "bash"]).failed().to_owned();
    assert!(
        stderr.contains("the value for AWS_REGION is 1048576 bytes"),
        "{stderr}"
    );
    let list = sandbox.run(&["-l"]).ok().to_owned();
    assert!(list.contains(&huge));
}

#[test]
fn a_crash_before_the_rename_leaves_the_old_entry_in_use() {
    let sts = FakeSts::start(vec![Reply::auto(&FakeCreds::new(
        "one",
        Duration::from_secs(3600),
    ))]);
    let sandbox = Sandbox::new(
        "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = u\n",
        "[u]\naws_access_key_id = AKIAU\naws_secret_access_key = s\n",
    )
    .endpoint(&sts.endpoint());
    let first = sandbox.run(&["r", "--shell", "bash"]).ok().to_owned();
    let dir = sandbox.cache_dir();
    let entry = sandbox.cache_entries().pop().unwrap();
    // What a writer killed mid-write leaves: half a temporary file beside the entry.
    let stem = entry.file_stem().unwrap().to_string_lossy().into_owned();
    std::fs::write(
        dir.join(format!(".{stem}.999.1.tmp")),
        "{\"version\": 1, \"acc",
    )
    .unwrap();
    let second = sandbox.run(&["r", "--shell", "bash"]);
    assert_eq!(second.ok(), first);
    assert!(!second.stderr.contains("warning"), "{}", second.stderr);
    assert_eq!(sts.request_count(), 1);
}

#[test]
fn readers_never_see_half_an_entry_while_writers_replace_it() {
    let sts = FakeSts::start(vec![Reply::auto(&FakeCreds::new(
        "w",
        Duration::from_secs(3600),
    ))]);
    let sandbox = Sandbox::new(
        "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = u\n",
        "[u]\naws_access_key_id = AKIAU\naws_secret_access_key = s\n",
    )
    .endpoint(&sts.endpoint());
    sandbox.run(&["r", "--shell", "bash"]).ok();
    let spawn = |args: &[&str]| {
        let mut command = sandbox.command(args);
        command
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped());
        command.spawn().unwrap()
    };
    let mut children = Vec::new();
    for _ in 0..8 {
        // Writers: -r replaces the role entry on every run.
        children.push(spawn(&["r", "-r", "--shell", "bash"]));
        // Readers: a plain run reads the entry.
        children.push(spawn(&["r", "--shell", "bash"]));
        children.push(spawn(&["cache", "list"]));
    }
    for child in children {
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stderr}");
        assert!(
            !stderr.contains("warning"),
            "a reader saw a partial entry: {stderr}"
        );
    }
}
