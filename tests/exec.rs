//! Using the credentials without eval: `rsume exec` runs a program with them and passes its
//! status through; `rsume credential-process` hands them to any SDK.

mod support;

use support::moto::moto;
use support::sandbox::{SHELLS, Sandbox, with_wrapper};

const CONFIG: &str = "\
[profile alice]
mfa_serial = arn:aws:iam::123456789012:mfa/alice
region = eu-west-1

[profile admin]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = alice

[profile plain]
region = us-west-2
";
const CREDENTIALS: &str = "\
[alice]
aws_access_key_id = AKIAALICEEXAMPLE0001
aws_secret_access_key = alice-secret
[plain]
aws_access_key_id = AKIAPLAIN
aws_secret_access_key = plain-secret
";

fn sandbox() -> Sandbox {
    Sandbox::new(CONFIG, CREDENTIALS)
        .endpoint(&moto().endpoint())
        .env("AWS_PROFILE", "stale")
        .env("AWS_SECURITY_TOKEN", "stale-token")
}

fn env_of(stdout: &str) -> std::collections::BTreeMap<String, String> {
    stdout
        .split('\0')
        .filter_map(|entry| entry.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

#[test]
fn exec_gives_the_program_exactly_the_credentials() {
    let sandbox = sandbox();
    let run = sandbox.run(&["exec", "admin", "--mfa-token", "123456", "--", "env", "-0"]);
    let vars = env_of(run.ok());
    assert!(vars["AWS_ACCESS_KEY_ID"].starts_with("ASIA"), "{vars:?}");
    assert!(!vars["AWS_SECRET_ACCESS_KEY"].is_empty());
    assert!(!vars["AWS_SESSION_TOKEN"].is_empty());
    assert_eq!(vars["AWS_REGION"], "eu-west-1");
    assert_eq!(vars["RSUME_PROFILE"], "admin");
    // Variables that would outrank the keys are gone.
    assert!(!vars.contains_key("AWS_PROFILE"), "{vars:?}");
    assert!(!vars.contains_key("AWS_SECURITY_TOKEN"), "{vars:?}");
    assert!(
        run.stderr.contains("admin: new role credentials"),
        "{}",
        run.stderr
    );

    // Long-term keys: no token, and flags may follow the profile.
    let run = sandbox.run(&["exec", "plain", "--region", "ap-south-1", "env", "-0"]);
    let vars = env_of(run.ok());
    assert_eq!(vars["AWS_ACCESS_KEY_ID"], "AKIAPLAIN");
    assert!(!vars.contains_key("AWS_SESSION_TOKEN"));
    assert_eq!(vars["AWS_REGION"], "ap-south-1");
}

#[test]
fn exec_passes_the_status_through_as_a_shell_reports_it() {
    let sandbox = sandbox();
    for (script, code) in [
        ("exit 0", 0),
        ("exit 7", 7),
        ("kill -TERM $$", 128 + 15),
        ("kill -KILL $$", 128 + 9),
    ] {
        let run = sandbox.run(&["exec", "plain", "--", "sh", "-c", script]);
        assert_eq!(run.status.code(), Some(code), "{script}: {}", run.stderr);
    }
    let run = sandbox.run(&["exec", "plain", "--", "no-such-program-here"]);
    assert_eq!(run.status.code(), Some(1));
    let stderr = run.failed();
    assert!(
        stderr.contains("cannot run no-such-program-here"),
        "{stderr}"
    );
    // The OS error once, not once in the message and again as its cause.
    assert_eq!(stderr.matches("(os error 2)").count(), 1, "{stderr}");
    let run = sandbox.run(&["exec", "nosuch", "--", "true"]);
    assert!(run.failed().contains("no profile named 'nosuch'"));
}

#[test]
fn exec_through_the_wrapper_runs_on_the_terminal_and_leaves_the_shell_alone() {
    let sandbox = sandbox();
    for shell in SHELLS {
        let body =
            "rsume exec admin --mfa-token 123456 -- sh -c 'echo key=$AWS_ACCESS_KEY_ID; exit 3'";
        let result = sandbox.shell(shell, &with_wrapper(shell, body), &[]);
        assert_eq!(
            result.run.status.code(),
            Some(3),
            "{shell}: {}",
            result.run.stderr
        );
        assert!(
            result.run.stdout.starts_with("key=ASIA"),
            "{shell}: {}",
            result.run.stdout
        );
        assert!(!result.vars.contains_key("AWS_ACCESS_KEY_ID"), "{shell}");
        assert_eq!(result.vars["AWS_PROFILE"], "stale", "{shell}");
    }
    // A direct command that reaches the evaluated path is refused, running nothing.
    let run = sandbox.run(&["--wrapper", "bash", "exec", "plain", "--", "touch", "ran"]);
    assert_eq!(run.status.code(), Some(2));
    run.failed();
    assert!(!sandbox.path("ran").exists());
}

#[test]
fn credential_process_prints_the_document_sdks_read() {
    let sandbox = sandbox();
    let run = sandbox.run(&["credential-process", "admin", "--mfa-token", "123456"]);
    let document: serde_json::Value = serde_json::from_str(run.ok()).unwrap();
    assert_eq!(document["Version"], 1);
    assert!(
        document["AccessKeyId"]
            .as_str()
            .unwrap()
            .starts_with("ASIA")
    );
    assert!(document["SessionToken"].is_string());
    assert!(document["Expiration"].as_str().unwrap().ends_with('Z'));

    let run = sandbox.run(&["credential-process", "plain"]);
    let document: serde_json::Value = serde_json::from_str(run.ok()).unwrap();
    assert_eq!(document["AccessKeyId"], "AKIAPLAIN");
    assert!(document.get("SessionToken").is_none());
    assert!(
        document.get("Expiration").is_none(),
        "long-term keys never expire"
    );
}

#[test]
fn an_sdk_gets_its_keys_through_rsume() {
    // botocore (installed with moto) reads `credential_process` as every AWS SDK does.
    let sandbox = Sandbox::new(
        &format!(
            "{CONFIG}\n[profile via-rsume]\ncredential_process = rsume credential-process admin --mfa-token 123456\n"
        ),
        CREDENTIALS,
    )
    .endpoint(&moto().endpoint());
    let python = moto().program().parent().unwrap().join("python3");
    let script = format!(
        "import boto3\n\
         sts = boto3.Session(profile_name='via-rsume').client('sts', endpoint_url='{}', region_name='us-east-1')\n\
         print(sts.get_caller_identity()['Arn'])",
        moto().endpoint()
    );
    let output = sandbox
        .program(python.to_str().unwrap())
        .args(["-c", &script])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("assumed-role/admin"), "{stdout}");
}
