//! Inputs at the edges: long chains, huge configs, huge values, and cache files left in odd
//! states. Each either works or fails with a clear message; none panics or loses a file.

mod support;

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, SystemTime};

use support::fake_sts::{FakeCreds, FakeSts, Reply};
use support::sandbox::{Sandbox, finish_within};

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

fn role_sandbox(sts: &FakeSts) -> Sandbox {
    Sandbox::new(
        "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = u\n",
        "[u]\naws_access_key_id = AKIAU\naws_secret_access_key = s\n",
    )
    .endpoint(&sts.endpoint())
}

fn hour() -> Reply {
    Reply::auto(&FakeCreds::new("one", Duration::from_secs(3600)))
}

/// The pid of a process that has ended.
fn dead_pid() -> u32 {
    let mut child = Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

#[test]
fn a_crash_before_the_rename_leaves_the_old_entry_in_use_and_its_leftovers_go() {
    let sts = FakeSts::start(vec![hour()]);
    let sandbox = role_sandbox(&sts);
    let first = sandbox.run(&["r", "--shell", "bash"]).ok().to_owned();
    let dir = sandbox.cache_dir();
    let entry = sandbox.cache_entries().pop().unwrap();
    // What writers killed mid-write leave: half a temporary file beside the entry.
    let stem = entry.file_stem().unwrap().to_string_lossy().into_owned();
    let leftover = |pid: u32, tag: u32| {
        let path = dir.join(format!(".{stem}.{pid}.{tag}.tmp"));
        std::fs::write(&path, "{\"version\": 1, \"acc").unwrap();
        path
    };
    let dead = leftover(dead_pid(), 1);
    let old = leftover(std::process::id(), 2);
    let two_minutes_ago = SystemTime::now() - Duration::from_secs(120);
    File::options()
        .write(true)
        .open(&old)
        .unwrap()
        .set_modified(two_minutes_ago)
        .unwrap();
    // A write in progress: this process is alive and the file is new.
    let live = leftover(std::process::id(), 3);

    let second = sandbox.run(&["r", "--shell", "bash"]);
    assert_eq!(second.ok(), first);
    assert!(!second.stderr.contains("warning"), "{}", second.stderr);
    assert_eq!(sts.request_count(), 1);

    // The next write takes the leftovers of dead or long-gone writers, not a live one.
    sandbox.run(&["r", "-r", "--shell", "bash"]).ok();
    assert_eq!(sts.request_count(), 2);
    assert!(!dead.exists() && !old.exists(), "stale leftovers stayed");
    assert!(live.exists(), "removed a write in progress");

    // `cache clear PROFILE` takes them too.
    let dead = leftover(dead_pid(), 4);
    sandbox.run(&["cache", "clear", "r"]).ok();
    assert!(!dead.exists());
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
}

#[test]
fn a_folder_rsume_did_not_make_is_never_taken_over() {
    let sts = FakeSts::start(vec![hour()]);
    let sandbox = role_sandbox(&sts);
    let project = sandbox.path("proj");
    std::fs::create_dir(&project).unwrap();
    let theirs = ["package.json", "Cargo.lock", "yarn.lock", "notes.tmp"];
    for name in theirs {
        std::fs::write(project.join(name), name).unwrap();
    }
    let sandbox = sandbox.env("RSUME_CACHE_DIR", &project.display().to_string());
    let mode = || std::fs::metadata(&project).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(), 0o755);
    for command in [&["cache", "list"][..], &["cache", "clear"]] {
        let stderr = sandbox.run(command).failed().to_owned();
        assert!(stderr.contains("other users can read it"), "{stderr}");
        assert_eq!(mode(), 0o755, "{command:?} changed the folder's mode");
    }
    let run = sandbox.run(&["r", "--shell", "bash"]);
    run.ok();
    assert!(run.stderr.contains("warning:"), "{}", run.stderr);
    assert_eq!(mode(), 0o755);

    // Made private by its owner, it may hold entries, and rsume's files are all it touches.
    std::fs::set_permissions(&project, std::fs::Permissions::from_mode(0o700)).unwrap();
    sandbox.run(&["r", "--shell", "bash"]).ok();
    let list = sandbox.run(&["cache", "list"]).ok().to_owned();
    assert_eq!(list.lines().count(), 2, "header and one entry: {list}");
    let run = sandbox.run(&["cache", "clear"]);
    run.ok();
    assert!(
        run.stderr.contains("removed 1 cache entry"),
        "{}",
        run.stderr
    );
    let mut left: Vec<String> = std::fs::read_dir(&project)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        ["Cargo.lock", "notes.tmp", "package.json", "yarn.lock"]
    );
    for name in theirs {
        assert_eq!(std::fs::read_to_string(project.join(name)).unwrap(), name);
    }
}

fn spawn(sandbox: &Sandbox, args: &[&str]) -> Child {
    let mut command = sandbox.command(args);
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    command.spawn().unwrap()
}

#[test]
fn fifos_named_like_its_files_hang_nothing() {
    let sts = FakeSts::start(vec![hour()]);
    let sandbox = role_sandbox(&sts);
    sandbox.run(&["r", "--shell", "bash"]).ok();
    let entry = sandbox.cache_entries().pop().unwrap();
    let lock = entry.with_extension("lock");
    for file in [&entry, &lock] {
        std::fs::remove_file(file).unwrap();
        let status = Command::new("mkfifo").arg(file).status().unwrap();
        assert!(status.success());
    }
    let list = finish_within(
        spawn(&sandbox, &["cache", "list"]),
        Duration::from_secs(20),
        "cache list",
    );
    assert!(list.status.success());
    assert!(String::from_utf8_lossy(&list.stdout).contains("unreadable"));
    let run = finish_within(
        spawn(&sandbox, &["r", "--shell", "bash"]),
        Duration::from_secs(20),
        "rsume r",
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(stderr.contains("not a regular file"), "{stderr}");
    assert_eq!(sts.request_count(), 2);
}

/// Reads `child`'s stderr on a thread, a line at a time.
fn stderr_lines(child: &mut Child) -> Receiver<String> {
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in stderr.lines() {
            if send.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    receive
}

#[test]
fn a_run_that_waits_for_a_lock_says_so_and_gives_up_after_a_bound() {
    let sts = FakeSts::start(vec![hour()]);
    let sandbox = role_sandbox(&sts);
    sandbox.run(&["r", "--shell", "bash"]).ok();
    let lock_path = sandbox
        .cache_entries()
        .pop()
        .unwrap()
        .with_extension("lock");
    // Another process holds the lock: flock locks belong to an open file, not a process.
    let held = File::options().write(true).open(&lock_path).unwrap();
    held.lock().unwrap();

    let mut waiting = spawn(&sandbox, &["r", "-r", "--shell", "bash"]);
    let lines = stderr_lines(&mut waiting);
    let said = lines
        .recv_timeout(Duration::from_secs(8))
        .expect("nothing said while waiting for the lock");
    assert!(
        said.contains("waiting for another rsume run")
            && said.contains("role credentials for profile 'r'"),
        "{said}"
    );
    assert!(waiting.try_wait().unwrap().is_none(), "did not wait");
    // Released, the waiting run goes on at once.
    held.unlock().unwrap();
    let output = finish_within(waiting, Duration::from_secs(20), "the waiting run");
    assert!(output.status.success());
    assert_eq!(sts.request_count(), 2);

    // Never released (a run stopped with Ctrl-Z): after the bound it goes on alone.
    held.lock().unwrap();
    let mut blocked = spawn(&sandbox, &["r", "-r", "--shell", "bash"]);
    let lines = stderr_lines(&mut blocked);
    let output = finish_within(blocked, Duration::from_secs(30), "the blocked run");
    assert!(output.status.success());
    let said: Vec<String> = lines.try_iter().collect();
    assert!(
        said.iter()
            .any(|l| l.contains("carrying on without the lock")),
        "{said:?}"
    );
    assert_eq!(sts.request_count(), 3);
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
