use super::*;

fn env_for(home: &Path) -> impl Fn(&str) -> Option<String> {
    let home = home.display().to_string();
    move |name: &str| (name == "HOME").then(|| home.clone())
}

#[test]
fn only_a_numbered_file_in_rsumes_own_directory() {
    let home = tempfile::tempdir().unwrap();
    let env = env_for(home.path());
    let dir = dir(&env).unwrap();
    assert_eq!(dir, home.path().join(".cache/rsume/wrapper"));
    for path in [
        home.path().join(".ssh/123"),
        dir.join("id_rsa"),
        dir.join(""),
        dir.join("12/34"),
    ] {
        let error = CodeFile::claim(&path, Shell::Bash, &env).err().unwrap();
        assert!(matches!(error, CodeFileError::NotOurs { .. }), "{path:?}");
        assert!(error.to_string().contains("eval \"$(rsume init bash)\""));
    }
    assert!(!dir.exists(), "a refused claim creates nothing");
}

#[cfg(unix)]
#[test]
fn the_file_is_new_private_and_replaces_the_last_one() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let env = env_for(home.path());
    let path = dir(&env).unwrap().join("4242");
    CodeFile::claim(&path, Shell::Zsh, &env)
        .unwrap()
        .write("one")
        .unwrap();
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(path.parent().unwrap()), 0o700);
    let claimed = CodeFile::claim(&path, Shell::Zsh, &env).unwrap();
    assert!(!path.exists(), "the claim removes the last run's code");
    claimed.write("two").unwrap();
    assert_eq!(fs::read_to_string(&path).unwrap(), "two");

    // A file that appears after the claim (or a symlink there) is never written through.
    let claimed = CodeFile::claim(&path, Shell::Zsh, &env).unwrap();
    let target = home.path().join("target");
    std::os::unix::fs::symlink(&target, &path).unwrap();
    assert!(claimed.write("three").is_err());
    assert!(!target.exists());
}

#[cfg(unix)]
#[test]
fn a_directory_others_can_enter_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let env = env_for(home.path());
    let dir = dir(&env).unwrap();
    fs::create_dir_all(&dir).unwrap();
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
    let error = CodeFile::claim(&dir.join("1"), Shell::Fish, &env)
        .err()
        .unwrap();
    assert!(
        error.to_string().contains("other users can enter it"),
        "{error}"
    );

    // XDG_RUNTIME_DIR is used only when it is private.
    let runtime = home.path().join("run");
    fs::create_dir(&runtime).unwrap();
    let with_runtime = |mode| {
        fs::set_permissions(&runtime, fs::Permissions::from_mode(mode)).unwrap();
        let runtime = runtime.display().to_string();
        let env = env_for(home.path());
        super::dir(&move |name: &str| match name {
            "XDG_RUNTIME_DIR" => Some(runtime.clone()),
            other => env(other),
        })
    };
    assert_eq!(with_runtime(0o700), Some(runtime.join("rsume")));
    assert_eq!(with_runtime(0o755), Some(dir));
}

#[cfg(unix)]
#[test]
fn a_directory_above_that_others_can_write_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    // HOME writable by everyone, not sticky: anyone could rename .cache and put their
    // own code directory in its place.
    fs::set_permissions(home.path(), fs::Permissions::from_mode(0o777)).unwrap();
    let env = env_for(home.path());
    let path = dir(&env).unwrap().join("7");
    let error = CodeFile::claim(&path, Shell::Bash, &env).err().unwrap();
    assert!(
        error.to_string().contains("could swap the code directory"),
        "{error}"
    );
    // Sticky, as /tmp is: others cannot rename what they do not own.
    fs::set_permissions(home.path(), fs::Permissions::from_mode(0o1777)).unwrap();
    CodeFile::claim(&path, Shell::Bash, &env).unwrap();
}

#[test]
fn a_relative_cache_directory_is_never_the_code_directory() {
    let env = |name: &str| (name == "RSUME_CACHE_DIR").then(|| "relative/cache".to_owned());
    assert_eq!(dir(&env), None);
}

#[test]
fn a_run_without_code_removes_what_a_child_wrote_there() {
    let home = tempfile::tempdir().unwrap();
    let env = env_for(home.path());
    let path = dir(&env).unwrap().join("99");
    let claimed = CodeFile::claim(&path, Shell::Bash, &env).unwrap();
    // What a program run by `exec` could write under this run's name.
    fs::write(&path, "echo planted").unwrap();
    claimed.discard();
    assert!(!path.exists(), "nothing left for the wrapper to evaluate");
}
