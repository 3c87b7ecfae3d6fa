//! `rsume -l`: a table for people, JSON for scripts, and never a secret.

mod support;

use support::sandbox::Sandbox;

fn sandbox() -> Sandbox {
    Sandbox::new(
        "[default]\nregion = us-east-1\n\
         [profile alice]\nmfa_serial = arn:aws:iam::1:mfa/alice\n\
         [profile admin]\nrole_arn = arn:aws:iam::1:role/admin\nsource_profile = alice\n\
         external_id = ext\nduration_seconds = 900\n\
         [profile ec2]\nrole_arn = arn:aws:iam::1:role/ec2\ncredential_source = Environment\n",
        "[alice]\naws_access_key_id = AKIAALICE\naws_secret_access_key = TOP-SECRET\n\
         [ci]\naws_access_key_id = AKIACI\naws_secret_access_key = TOP-SECRET\naws_session_token = TOP-TOKEN\n",
    )
}

#[test]
fn table_shows_kind_source_role_mfa_region() {
    let out = sandbox().run(&["-l"]).ok().to_owned();
    let lines: Vec<&str> = out.lines().collect();
    let header: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(
        header,
        ["PROFILE", "KIND", "SOURCE", "ROLE", "ARN", "MFA", "REGION"]
    );
    // Cells are split on runs of two spaces: an inherited value reads "arn (from alice)".
    let row = |name: &str| -> Vec<&str> {
        lines
            .iter()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no row for {name}: {out}"))
            .split("  ")
            .map(str::trim)
            .filter(|cell| !cell.is_empty())
            .collect()
    };
    assert_eq!(
        row("admin"),
        [
            "admin",
            "role",
            "alice",
            "arn:aws:iam::1:role/admin",
            "arn:aws:iam::1:mfa/alice (from alice)",
            "-"
        ]
    );
    assert_eq!(
        row("alice"),
        ["alice", "mfa", "-", "-", "arn:aws:iam::1:mfa/alice", "-"]
    );
    assert_eq!(row("ci"), ["ci", "session", "-", "-", "-", "-"]);
    assert_eq!(
        row("default"),
        ["default", "other", "-", "-", "-", "us-east-1"]
    );
    assert_eq!(
        row("ec2"),
        [
            "ec2",
            "role",
            "Environment",
            "arn:aws:iam::1:role/ec2",
            "-",
            "-"
        ]
    );
    assert!(!out.contains("TOP-"), "a secret in the list: {out}");
}

#[test]
fn json_carries_every_property_rsume_uses() {
    let out = sandbox().run(&["-l", "--json"]).ok().to_owned();
    assert!(!out.contains("TOP-"), "a secret in the list: {out}");
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    let admin = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "admin")
        .unwrap();
    assert_eq!(admin["kind"], "role");
    assert_eq!(admin["source_profile"], "alice");
    assert_eq!(admin["role_arn"], "arn:aws:iam::1:role/admin");
    assert_eq!(admin["external_id"], "ext");
    assert_eq!(admin["duration_seconds"], "900");
    assert!(admin["mfa_serial"].is_null());
    assert_eq!(rows.as_array().unwrap().len(), 5);
}

#[test]
fn a_broken_file_is_an_error_naming_file_and_line() {
    let sandbox = Sandbox::new("[profile ok]\nregion = x\nthis line is broken\n", "");
    let stderr = sandbox.run(&["-l"]).failed().to_owned();
    let config = sandbox.path(".aws/config").display().to_string();
    assert!(stderr.contains(&format!("{config}:3")), "{stderr}");
    let stderr = sandbox.run(&["ok", "--shell", "bash"]).failed().to_owned();
    assert!(stderr.contains(&format!("{config}:3")), "{stderr}");
}

#[test]
fn a_missing_file_is_named_for_an_unknown_profile() {
    let sandbox = Sandbox::new("", "");
    std::fs::remove_file(sandbox.path(".aws/credentials")).unwrap();
    let stderr = sandbox
        .run(&["work", "--shell", "bash"])
        .failed()
        .to_owned();
    assert!(stderr.contains("no profile named 'work'"), "{stderr}");
    assert!(stderr.contains("credentials (not found)"), "{stderr}");
}

#[test]
fn inherited_settings_stop_where_a_run_stops_at_a_source_with_keys() {
    // `user` holds keys, so a run of `top` starts there; `base` is never reached.
    let sandbox = Sandbox::new(
        "[profile top]\nrole_arn = arn:aws:iam::1:role/top\nsource_profile = user\n\
         [profile user]\nrole_arn = arn:aws:iam::1:role/user\nsource_profile = base\n\
         [profile base]\nmfa_serial = arn:aws:iam::1:mfa/base\nregion = eu-north-1\n",
        "[user]\naws_access_key_id = AKIAUSER\naws_secret_access_key = TOP-SECRET\n\
         [base]\naws_access_key_id = AKIABASE\naws_secret_access_key = TOP-SECRET\n",
    );
    let out = sandbox.run(&["-l", "--json"]).ok().to_owned();
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    let row = |name: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap()
            .clone()
    };
    assert!(row("top")["uses_mfa_serial"].is_null(), "{out}");
    assert!(row("top")["uses_region"].is_null(), "{out}");
    // Asked for itself, `user` is a role over `base`, and uses its device and region.
    assert_eq!(row("user")["uses_mfa_serial"]["from"], "base");
    assert_eq!(row("user")["uses_region"]["value"], "eu-north-1");
    // The account a run exports as AWS_ACCOUNT_ID: the last role's; keys alone name none.
    let sandbox = Sandbox::new(
        "[profile top]\nrole_arn = arn:aws:iam::111122223333:role/top\nsource_profile = user\n\
         [profile user]\nrole_arn = arn:aws:iam::444455556666:role/user\nsource_profile = base\n\
         [profile sso]\nsso_start_url = https://x.awsapps.com/start\nsso_region = eu-west-1\n\
         sso_account_id = 777788889999\nsso_role_name = Admin\n",
        "[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = TOP-SECRET\n",
    );
    let out = sandbox.run(&["-l", "--json"]).ok().to_owned();
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    let account = |name: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap()["account_id"]
            .clone()
    };
    assert_eq!(account("top"), "111122223333", "{out}");
    assert_eq!(account("user"), "444455556666", "{out}");
    assert_eq!(account("sso"), "777788889999", "{out}");
    assert!(account("base").is_null(), "{out}");
}

#[test]
fn with_no_aws_files_the_list_says_so_and_points_to_the_first_session() {
    let sandbox = Sandbox::new("", "");
    std::fs::remove_dir_all(sandbox.path(".aws")).unwrap();
    let aws = sandbox.path(".aws").display().to_string();
    let first = "create a profile with  aws configure  (docs/first-session.md walks through a first session)";
    let run = sandbox.run(&["-l"]);
    assert_eq!(
        run.ok(),
        format!("no AWS files: neither {aws}/config nor {aws}/credentials exists; {first}\n")
    );
    let run = sandbox.run(&["-l", "--json"]);
    assert_eq!(run.ok(), "[]\n");
    assert!(
        run.stderr.contains("no AWS files: neither "),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(first), "{}", run.stderr);

    // Files that exist but hold no profile say that instead.
    let empty = Sandbox::new("", "");
    assert_eq!(
        empty.run(&["-l"]).ok(),
        format!(
            "no profiles in {0}/config or {0}/credentials; {first}\n",
            empty.path(".aws").display()
        )
    );
}

#[test]
fn a_profile_whose_walk_fails_is_other_with_the_error() {
    // What a run would say is what -l says: `orphan` names a source that does not exist,
    // `odd` a credential_source AWS does not define; `fine` resolves and has no error.
    let sandbox = Sandbox::new(
        "[profile orphan]\nrole_arn = arn:aws:iam::1:role/o\nsource_profile = gone\nregion = eu-west-3\n\
         [profile odd]\nrole_arn = arn:aws:iam::1:role/d\ncredential_source = Elsewhere\n\
         [profile fine]\nrole_arn = arn:aws:iam::1:role/f\ncredential_source = Environment\n",
        "",
    );
    let out = sandbox.run(&["-l", "--json"]).ok().to_owned();
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    let row = |name: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(row("orphan")["kind"], "other", "{out}");
    let error = row("orphan")["error"].as_str().unwrap().to_owned();
    assert!(error.contains("'gone'"), "{error}");
    // The settings of the profiles the walk got through are still shown.
    assert_eq!(row("orphan")["uses_region"]["value"], "eu-west-3");
    assert_eq!(row("odd")["kind"], "other", "{out}");
    assert!(
        row("odd")["error"].as_str().unwrap().contains("Elsewhere"),
        "{out}"
    );
    assert_eq!(row("fine")["kind"], "role", "{out}");
    assert!(row("fine").get("error").is_none(), "{out}");
    let table = sandbox.run(&["-l"]).ok().to_owned();
    let orphan = table.lines().find(|l| l.starts_with("orphan")).unwrap();
    assert!(orphan.contains("other"), "{table}");
}

/// The walk reads the files only: what the environment decides at run time is marked, in
/// the table and in --json, with the variables it depends on.
#[test]
fn answers_that_depend_on_the_environment_are_marked() {
    let sandbox = sandbox();
    let out = sandbox.run(&["-l", "--json"]).ok().to_owned();
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    let environment = |name: &str| -> Vec<String> {
        let row = rows
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("no row for {name}: {out}"));
        row["environment"]
            .as_array()
            .unwrap_or_else(|| panic!("no environment for {name}: {out}"))
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    // credential_source = Environment under a role: the keys come from the variables.
    let ec2 = environment("ec2");
    assert!(ec2.contains(&"AWS_ACCESS_KEY_ID".to_owned()), "{ec2:?}");
    assert!(ec2.contains(&"AWS_SESSION_TOKEN".to_owned()), "{ec2:?}");
    // No credentials of its own: the web identity variables would make it that root.
    let default = environment("default");
    assert!(
        default.contains(&"AWS_WEB_IDENTITY_TOKEN_FILE".to_owned()),
        "{default:?}"
    );
    // Keys in the files decide alone, through a role too.
    for name in ["alice", "admin", "ci"] {
        assert!(environment(name).is_empty(), "{name}: {out}");
    }
    let table = sandbox.run(&["-l"]).ok().to_owned();
    let note = table
        .lines()
        .find(|line| line.starts_with("depend on the environment"))
        .unwrap_or_else(|| panic!("no note: {table}"));
    assert!(note.ends_with(": default, ec2"), "{note}");
}
