//! The credential cache, observed from outside: STS calls counted at a fake STS, files and
//! modes on disk, concurrent runs, and directories rsume must refuse.

mod support;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::time::Duration;

use support::fake_sts::{FakeCreds, FakeSts, Reply, rfc3339};
use support::sandbox::{Run, Sandbox};

const CONFIG: &str = "\
[profile alice]
mfa_serial = arn:aws:iam::123456789012:mfa/alice

[profile admin]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = alice

[profile ops]
role_arn = arn:aws:iam::123456789012:role/ops
source_profile = alice

[profile bob-admin]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = bob
";
const CREDENTIALS: &str = "\
[alice]
aws_access_key_id = AKIAALICE
aws_secret_access_key = alice-secret
[bob]
aws_access_key_id = AKIABOB
aws_secret_access_key = bob-secret
";

fn hour() -> FakeCreds {
    FakeCreds::new("hour", Duration::from_secs(3600))
}

fn setup(reply: Reply) -> (FakeSts, Sandbox) {
    let sts = FakeSts::start(vec![reply]);
    let sandbox = Sandbox::new(CONFIG, CREDENTIALS).endpoint(&sts.endpoint());
    (sts, sandbox)
}

fn assume(sandbox: &Sandbox, args: &[&str]) -> Run {
    let mut all = args.to_vec();
    all.extend(["--shell", "bash"]);
    sandbox.run(&all)
}

#[test]
fn a_second_run_makes_no_sts_call_and_needs_no_code() {
    let (sts, sandbox) = setup(Reply::auto(&hour()));
    let first = assume(&sandbox, &["admin", "--mfa-token", "975310"]);
    first.ok();
    assert!(
        first.stderr.contains("admin: new role credentials"),
        "{}",
        first.stderr
    );
    assert_eq!(sts.actions(), ["GetSessionToken", "AssumeRole"]);

    // No --mfa-token and no terminal: only a cache hit can succeed.
    let second = assume(&sandbox, &["admin", "--debug"]);
    // The fast path builds no runtime and no SDK client (connect() logs this line first).
    assert!(!second.stderr.contains("STS region"), "{}", second.stderr);
    assert!(second.stderr.contains("cache hit"), "{}", second.stderr);
    assert_eq!(second.ok(), first.stdout, "same credentials from the cache");
    assert!(
        second
            .stderr
            .contains("admin: cached role credentials, valid until"),
        "{}",
        second.stderr
    );
    assert_eq!(sts.request_count(), 2, "the cached run called STS");
}

#[test]
fn one_mfa_session_serves_every_role_of_the_user() {
    let (sts, sandbox) = setup(Reply::auto(&hour()));
    assume(&sandbox, &["admin", "--mfa-token", "975310"]).ok();
    assume(&sandbox, &["ops"]).ok();
    assume(&sandbox, &["alice"]).ok();
    assert_eq!(
        sts.actions(),
        ["GetSessionToken", "AssumeRole", "AssumeRole"]
    );
    let ops = &sts.requests()[2];
    assert_eq!(
        ops.field("RoleArn"),
        Some("arn:aws:iam::123456789012:role/ops")
    );
    assert_eq!(ops.access_key_id(), Some(hour().access_key_id.as_str()));
}

#[test]
fn refresh_flags_skip_what_they_name() {
    let (sts, sandbox) = setup(Reply::auto(&hour()));
    assume(&sandbox, &["admin", "--mfa-token", "975310"]).ok();
    assume(&sandbox, &["admin", "-r"]).ok();
    assert_eq!(
        sts.actions(),
        ["GetSessionToken", "AssumeRole", "AssumeRole"]
    );
    let stderr = assume(&sandbox, &["admin", "--refresh-mfa"])
        .failed()
        .to_owned();
    assert!(
        stderr.contains("--mfa-token"),
        "a new MFA session needs a code: {stderr}"
    );
    assume(
        &sandbox,
        &["admin", "--refresh-mfa", "--mfa-token", "975311"],
    )
    .ok();
    assert_eq!(
        sts.actions(),
        [
            "GetSessionToken",
            "AssumeRole",
            "AssumeRole",
            "GetSessionToken",
            "AssumeRole"
        ]
    );
}

#[test]
fn no_cache_neither_reads_nor_writes() {
    let (sts, sandbox) = setup(Reply::auto(&hour()));
    assume(&sandbox, &["admin", "--mfa-token", "975310", "--no-cache"]).ok();
    assert!(sandbox.cache_entries().is_empty());
    assume(&sandbox, &["admin", "--mfa-token", "975310"]).ok();
    assert_eq!(sts.request_count(), 4);
    let sandbox = sandbox.env("RSUME_NO_CACHE", "1");
    assume(&sandbox, &["admin", "--mfa-token", "975310"]).ok();
    assert_eq!(
        sts.request_count(),
        6,
        "RSUME_NO_CACHE=1 still read the cache"
    );
}

#[test]
fn the_same_role_from_another_user_is_another_entry() {
    let (sts, sandbox) = setup(Reply::auto(&hour()));
    assume(&sandbox, &["admin", "--mfa-token", "975310"]).ok();
    assume(&sandbox, &["bob-admin"]).ok();
    assert_eq!(
        sts.actions(),
        ["GetSessionToken", "AssumeRole", "AssumeRole"]
    );
    assert_eq!(sts.requests()[2].access_key_id(), Some("AKIABOB"));
}

#[test]
fn entries_close_to_expiry_are_renewed() {
    // Ten minutes left, under the 15-minute margin for roles.
    let (sts, sandbox) = setup(Reply::auto(&FakeCreds::new(
        "short",
        Duration::from_secs(600),
    )));
    assume(&sandbox, &["bob-admin"]).ok();
    assume(&sandbox, &["bob-admin"]).ok();
    assert_eq!(sts.request_count(), 2);
    // A smaller margin lets the same entry serve.
    assume(&sandbox, &["bob-admin", "--refresh-margin", "5m"]).ok();
    assert_eq!(sts.request_count(), 2);
    let sandbox = sandbox.env("RSUME_REFRESH_MARGIN", "300");
    assume(&sandbox, &["bob-admin"]).ok();
    assert_eq!(sts.request_count(), 2);
}

#[test]
fn files_are_private_and_written_whole() {
    let (_sts, sandbox) = setup(Reply::auto(&hour()));
    assume(&sandbox, &["admin", "--mfa-token", "975310"]).ok();
    let dir = sandbox.cache_dir();
    assert_eq!(std::fs::metadata(&dir).unwrap().mode() & 0o777, 0o700);
    let files = sandbox.cache_entries();
    assert_eq!(files.len(), 2, "an MFA session and a role");
    for file in &files {
        assert_eq!(std::fs::metadata(file).unwrap().mode() & 0o777, 0o600);
        let entry: serde_json::Value =
            serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
        assert!(entry["expiration"].as_str().unwrap().ends_with('Z'));
    }
    let leftovers = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "tmp")
        })
        .count();
    assert_eq!(leftovers, 0);
}

#[test]
fn a_corrupt_entry_is_dropped_with_a_warning_and_replaced() {
    let (sts, sandbox) = setup(Reply::auto(&hour()));
    assume(&sandbox, &["bob-admin"]).ok();
    let file = sandbox.cache_entries().pop().unwrap();
    std::fs::write(&file, "{ half an entry").unwrap();
    let run = assume(&sandbox, &["bob-admin"]);
    run.ok();
    assert_eq!(run.stderr.matches("warning:").count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("warning: dropping the cache entry"),
        "{}",
        run.stderr
    );
    assert_eq!(sts.request_count(), 2);
    let again = assume(&sandbox, &["bob-admin"]);
    again.ok();
    assert!(
        !again.stderr.contains("warning"),
        "not replaced: {}",
        again.stderr
    );
    assert_eq!(sts.request_count(), 2);
}

#[test]
fn unsafe_directories_are_refused_but_login_works() {
    let (sts, sandbox) = setup(Reply::auto(&hour()));
    let real = sandbox.path("real-cache");
    std::fs::create_dir(&real).unwrap();
    std::os::unix::fs::symlink(&real, sandbox.path("link")).unwrap();
    let shared = sandbox.path("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o777)).unwrap();
    let blocker = sandbox.path("a-file");
    std::fs::write(&blocker, "").unwrap();

    let readable = sandbox.path("readable");
    std::fs::create_dir(&readable).unwrap();
    std::fs::set_permissions(&readable, std::fs::Permissions::from_mode(0o755)).unwrap();

    let cases = [
        (sandbox.path("link"), "symbolic link"),
        (shared.clone(), "other users can write to it"),
        (readable.clone(), "other users can read it"),
        (blocker.join("cache"), "cache:"),
    ];
    for (dir, why) in cases {
        let sandbox = Sandbox::new(CONFIG, CREDENTIALS)
            .endpoint(&sts.endpoint())
            .env("RSUME_CACHE_DIR", &dir.display().to_string());
        let run = assume(&sandbox, &["bob-admin"]);
        run.ok();
        assert!(
            run.stderr.contains("warning:") && run.stderr.contains(why),
            "{why}: {}",
            run.stderr
        );
    }
    assert_eq!(
        std::fs::read_dir(&real).unwrap().count(),
        0,
        "wrote through the symlink"
    );
    assert_eq!(std::fs::read_dir(&shared).unwrap().count(), 0);
    // Refused, never tightened: it may be a folder of the user's.
    for (dir, mode) in [(&shared, 0o777), (&readable, 0o755)] {
        assert_eq!(std::fs::metadata(dir).unwrap().mode() & 0o777, mode);
    }
    assert_eq!(std::fs::read_dir(&readable).unwrap().count(), 0);

    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        let foreign = sandbox.path("foreign");
        std::fs::create_dir(&foreign).unwrap();
        std::os::unix::fs::chown(&foreign, Some(65534), Some(65534)).unwrap();
        let sandbox = sandbox.env("RSUME_CACHE_DIR", &foreign.display().to_string());
        let run = assume(&sandbox, &["bob-admin"]);
        run.ok();
        assert!(
            run.stderr.contains("belongs to another user"),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn cache_location_follows_the_environment() {
    let (_sts, sandbox) = setup(Reply::auto(&hour()));
    let xdg = sandbox.path("xdg");
    let sandbox = sandbox.env("XDG_CACHE_HOME", &xdg.display().to_string());
    assume(&sandbox, &["bob-admin"]).ok();
    assert_eq!(Sandbox::entries_in(&xdg.join("rsume")).len(), 1);
    let own = sandbox.path("own");
    let sandbox = sandbox.env("RSUME_CACHE_DIR", &own.display().to_string());
    assume(&sandbox, &["bob-admin"]).ok();
    assert!(own.is_dir());
}

#[test]
fn parallel_cold_runs_make_one_call_per_key() {
    let (sts, sandbox) = setup(Reply::delay(
        Duration::from_millis(50),
        Reply::auto(&hour()),
    ));
    let children: Vec<_> = (0..32)
        .map(|_| {
            let mut command =
                sandbox.command(&["admin", "--mfa-token", "975310", "--shell", "bash"]);
            command
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            command.spawn().unwrap()
        })
        .collect();
    let outputs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    for output in &outputs {
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(
            output.stdout, outputs[0].stdout,
            "every run got the same credentials"
        );
    }
    assert_eq!(sts.actions(), ["GetSessionToken", "AssumeRole"]);
    assert_eq!(sandbox.cache_entries().len(), 2);
}

#[test]
fn list_and_clear() {
    let (_sts, sandbox) = setup(Reply::auto(&hour()));
    assume(&sandbox, &["admin", "--mfa-token", "975310"]).ok();
    assume(&sandbox, &["bob-admin"]).ok();
    let list = sandbox.run(&["cache", "list"]).ok().to_owned();
    let rows: Vec<Vec<&str>> = list
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(rows[0], ["PROFILE", "KIND", "FOR", "EXPIRES"]);
    let mut summary: Vec<(&str, &str, &str)> =
        rows[1..].iter().map(|r| (r[0], r[1], r[2])).collect();
    summary.sort();
    assert_eq!(
        summary,
        [
            ("admin", "role", "arn:aws:iam::123456789012:role/admin"),
            (
                "alice",
                "mfa-session",
                "arn:aws:iam::123456789012:mfa/alice"
            ),
            ("bob-admin", "role", "arn:aws:iam::123456789012:role/admin"),
        ]
    );
    assert!(
        list.contains("(in 59 min)") || list.contains("(in 60 min)"),
        "{list}"
    );
    let hour = hour();
    assert!(!list.contains(&hour.secret_access_key) && !list.contains(&hour.session_token));

    let run = sandbox.run(&["cache", "clear", "admin"]);
    assert_eq!(run.ok(), "");
    assert!(
        run.stderr
            .contains("removed 1 cache entry of profile 'admin'"),
        "{}",
        run.stderr
    );
    assert_eq!(sandbox.cache_entries().len(), 2);
    sandbox.run(&["cache", "clear"]).ok();
    assert_eq!(sandbox.cache_entries().len(), 0);
    assert_eq!(
        std::fs::read_dir(sandbox.cache_dir()).unwrap().count(),
        0,
        "locks left behind"
    );
}

#[test]
fn an_mfa_session_serves_later_runs_whatever_duration_they_ask_for() {
    let (sts, sandbox) = setup(Reply::auto(&hour()));
    assume(
        &sandbox,
        &[
            "alice",
            "--session-duration",
            "36h",
            "--mfa-token",
            "975310",
        ],
    )
    .ok();
    assert_eq!(sts.requests()[0].field("DurationSeconds"), Some("129600"));
    // No code and no terminal: only alice's cached session can sign this.
    assume(&sandbox, &["admin"]).ok();
    assert_eq!(sts.actions(), ["GetSessionToken", "AssumeRole"]);

    // A nine-minute session is worth using for half its own lifetime, even to a run that
    // would ask for twelve hours (whose half would be far over the 10-minute margin).
    let (sts, sandbox) = setup(Reply::auto(&FakeCreds::new(
        "nine",
        Duration::from_secs(9 * 60),
    )));
    let short = [
        "alice",
        "--session-duration",
        "15m",
        "--mfa-token",
        "975310",
    ];
    assume(&sandbox, &short).ok();
    assume(&sandbox, &["admin"]).ok();
    assert_eq!(sts.actions(), ["GetSessionToken", "AssumeRole"]);
}

#[test]
fn sessions_and_roles_have_their_own_margins_capped_at_half_their_lifetime() {
    // Twelve minutes left: over the MFA session's 10-minute margin, under a role's 15.
    let (sts, sandbox) = setup(Reply::auto(&FakeCreds::new(
        "twelve",
        Duration::from_secs(12 * 60),
    )));
    assume(&sandbox, &["alice", "--mfa-token", "975310"]).ok();
    assume(&sandbox, &["alice"]).ok();
    assume(&sandbox, &["bob-admin"]).ok();
    assume(&sandbox, &["bob-admin"]).ok();
    assert_eq!(
        sts.actions(),
        ["GetSessionToken", "AssumeRole", "AssumeRole"],
        "the session was reused, the role renewed"
    );
    // A 15-minute role: its margin is half of that, so twelve minutes left is plenty,
    // even against a larger --refresh-margin.
    let short = ["bob-admin", "--role-duration", "15m"];
    assume(&sandbox, &short).ok();
    assert_eq!(sts.requests()[3].field("DurationSeconds"), Some("900"));
    assume(&sandbox, &short).ok();
    assume(
        &sandbox,
        &[&short[..], &["--refresh-margin", "20m"]].concat(),
    )
    .ok();
    assert_eq!(sts.request_count(), 4);
}

#[test]
fn no_entry_outlives_the_duration_asked_for() {
    let century = Duration::from_secs(100 * 365 * 24 * 3600);
    let (sts, sandbox) = setup(Reply::auto(&FakeCreds::new("forever", century)));
    let before = std::time::SystemTime::now();
    let code = assume(
        &sandbox,
        &["admin", "--session-duration", "2h", "--mfa-token", "975310"],
    )
    .ok()
    .to_owned();
    let latest = |seconds: u64| rfc3339(before + Duration::from_secs(seconds + 5));
    for file in sandbox.cache_entries() {
        let entry: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        let limit = match entry["kind"].as_str().unwrap() {
            "mfa-session" => latest(2 * 3600),
            _ => latest(3600),
        };
        let expiration = entry["expiration"].as_str().unwrap();
        assert!(expiration[..19] <= limit[..19], "{expiration} > {limit}");
    }
    let exported = code
        .lines()
        .find_map(|l| l.strip_prefix("export AWS_CREDENTIAL_EXPIRATION='"))
        .unwrap();
    assert!(exported[..19] <= latest(3600)[..19], "{exported}");
    assert_eq!(sts.request_count(), 2);
}

#[test]
fn credentials_a_shell_would_refuse_are_never_cached_and_bad_entries_are_replaced() {
    let mut huge = FakeCreds::new("huge", Duration::from_secs(3600));
    huge.session_token = "T".repeat(70_000);
    let sts = FakeSts::start(vec![Reply::auto(&huge), Reply::auto(&hour())]);
    let sandbox = Sandbox::new(CONFIG, CREDENTIALS).endpoint(&sts.endpoint());
    let stderr = assume(&sandbox, &["bob-admin"]).failed().to_owned();
    assert!(
        stderr.contains("the session token is 70000 bytes"),
        "{stderr}"
    );
    assert!(sandbox.cache_entries().is_empty(), "cached before checking");
    assume(&sandbox, &["bob-admin"]).ok();
    assert_eq!(sts.request_count(), 2);

    // An entry that a shell would refuse (written by hand, or by an older rsume) is
    // dropped with a message and fetched again, also when -r keeps the session entry.
    assume(&sandbox, &["admin", "--mfa-token", "975310"]).ok();
    let spoil = || {
        for entry in sandbox.cache_entries() {
            let mut json: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&entry).unwrap()).unwrap();
            json["secret_access_key"] = "bad\u{0}value".into();
            std::fs::write(&entry, serde_json::to_vec(&json).unwrap()).unwrap();
        }
    };
    spoil();
    let run = assume(&sandbox, &["bob-admin"]);
    run.ok();
    assert!(run.stderr.contains("contains a NUL byte"), "{}", run.stderr);
    let run = assume(&sandbox, &["admin", "-r", "--mfa-token", "975311"]);
    run.ok();
    assert!(
        run.stderr.contains("dropping the cache entry"),
        "{}",
        run.stderr
    );
    assert_eq!(
        sts.actions()[4..],
        ["AssumeRole", "GetSessionToken", "AssumeRole"]
    );
    // Dropped even when no new one can be fetched (no code here), so it is said once.
    spoil();
    let stderr = assume(&sandbox, &["alice"]).failed().to_owned();
    assert!(stderr.contains("dropping the cache entry"), "{stderr}");
    assert_eq!(sandbox.cache_entries().len(), 2, "the session entry stayed");
}

#[test]
fn entries_others_could_have_touched_are_refused_and_replaced() {
    let (sts, sandbox) = setup(Reply::auto(&hour()));
    assume(&sandbox, &["bob-admin"]).ok();
    let entry = sandbox.cache_entries().pop().unwrap();
    let elsewhere = sandbox.path("elsewhere.json");
    std::fs::rename(&entry, &elsewhere).unwrap();
    let planted = std::fs::read(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &entry).unwrap();
    let mut refusals = vec![("symbolic link", None)];
    refusals.push(("other users can read or write it", Some(0o644)));
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    if root {
        refusals.push(("belongs to another user", Some(0o600)));
    }
    for (calls, (why, mode)) in (2..).zip(refusals) {
        if let Some(mode) = mode {
            std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(mode)).unwrap();
            if why.contains("another user") {
                std::os::unix::fs::chown(&entry, Some(65534), Some(65534)).unwrap();
            }
        }
        let run = assume(&sandbox, &["bob-admin"]);
        run.ok();
        assert!(
            run.stderr.contains("ignoring the cache entry") && run.stderr.contains(why),
            "{why}: {}",
            run.stderr
        );
        assert_eq!(sts.request_count(), calls, "{why}: the entry was used");
        let meta = std::fs::symlink_metadata(&entry).unwrap();
        assert!(meta.is_file(), "{why}: not replaced by a regular file");
        assert_eq!(meta.mode() & 0o777, 0o600, "{why}");
        assert_eq!(meta.uid(), unsafe { libc::geteuid() }, "{why}");
    }
    assert_eq!(
        std::fs::read(&elsewhere).unwrap(),
        planted,
        "wrote through the symlink"
    );
}

#[test]
fn listing_a_cache_that_does_not_exist_creates_nothing() {
    let sandbox = Sandbox::new(CONFIG, CREDENTIALS);
    let listed = sandbox.run(&["cache", "list"]).ok().to_owned();
    assert!(listed.starts_with("PROFILE"), "{listed}");
    assert_eq!(listed.lines().count(), 1, "{listed}");
    sandbox.run(&["cache", "clear"]).ok();
    assert!(
        !sandbox.path(".cache").exists(),
        "cache list or clear created a directory"
    );
}
