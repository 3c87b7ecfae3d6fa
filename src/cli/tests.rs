use super::request::parse_duration;
use super::role::{parse_role_arn, parse_tags};
use super::*;
use clap::CommandFactory;

fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
    Cli::try_parse_from(std::iter::once("rsume").chain(args.iter().copied()))
}

#[test]
fn definition_is_valid() {
    Cli::command().debug_assert();
}

#[test]
fn debug_hides_the_mfa_code() {
    let cli = parse(&["admin", "--mfa-token", "975310"]).unwrap();
    assert!(!format!("{cli:?}").contains("975310"));
}

#[test]
fn durations() {
    assert_eq!(parse_duration("3600"), Ok(3600));
    assert_eq!(parse_duration("90m"), Ok(5400));
    assert_eq!(parse_duration("12h"), Ok(43200));
    assert_eq!(parse_duration("1d"), Ok(86400));
    assert!(parse_duration("h").is_err());
    assert!(parse_duration("12w").is_err());
    assert!(parse_duration("-5").is_err());
}

#[test]
fn global_flags_go_before_or_after_the_command_word() {
    for args in [
        &["--debug", "cache", "list"][..],
        &["cache", "list", "--debug"],
        &["--wrapper", "bash", "cache", "clear"],
        &["--shell", "fish", "init", "bash"],
        &["init", "bash", "--no-cache", "-q"],
    ] {
        let cli = parse(args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
        assert!(cli.command.is_some(), "{args:?}");
    }
    let cli = parse(&["--region", "eu-west-1", "admin", "--no-cache"]).unwrap();
    assert_eq!(cli.profile.as_deref(), Some("admin"));
    assert!(cli.request.no_cache);
}

#[test]
fn a_command_word_is_the_command_and_p_reaches_the_profile() {
    let cli = parse(&["init", "bash"]).unwrap();
    assert!(matches!(cli.command, Some(Command::Init { .. })));
    let cli = parse(&["-p", "init"]).unwrap();
    assert!(cli.command.is_none());
    assert_eq!(cli.profile_flag.as_deref(), Some("init"));
    let cli = parse(&["-p", "admin", "cache", "list"]).unwrap();
    assert_eq!(cli.assume_only_flag(), Some("-p/--profile"));
}

#[test]
fn words_after_the_profile_are_kept_for_a_message() {
    let cli = parse(&["admin", "aws", "s3", "ls", "--recursive"]).unwrap();
    assert_eq!(cli.profile.as_deref(), Some("admin"));
    assert_eq!(cli.after_profile, ["aws", "s3", "ls", "--recursive"]);
}

#[test]
fn each_command_declares_what_it_prints() {
    assert_eq!(parse(&["admin"]).unwrap().prints(), Prints::Exports);
    assert_eq!(parse(&["-u"]).unwrap().prints(), Prints::Exports);
    assert_eq!(parse(&["-l"]).unwrap().prints(), Prints::Text);
    assert_eq!(parse(&["cache", "list"]).unwrap().prints(), Prints::Text);
    assert_eq!(parse(&["init", "zsh"]).unwrap().prints(), Prints::Text);
    assert_eq!(
        parse(&["completions", "fish"]).unwrap().prints(),
        Prints::Direct
    );
    assert_eq!(
        parse(&["mfa", "list", "admin"]).unwrap().prints(),
        Prints::Direct
    );
    assert_eq!(
        parse(&["exec", "admin", "--", "aws", "s3", "ls"])
            .unwrap()
            .prints(),
        Prints::Direct
    );
}

#[test]
fn output_and_role_flags_belong_to_assuming() {
    assert!(parse(&["admin", "-o", "mfa", "--auto-refresh"]).is_err());
    assert!(parse(&["admin", "--role-arn", "123456789012:ops"]).is_err());
    assert!(parse(&["--role-arn", "123456789012:ops", "--auto-refresh"]).is_err());
    assert!(parse(&["--tags", "a=b"]).is_err(), "needs --role-arn");
    let cli = parse(&["-o", "mfa", "cache", "list"]).unwrap();
    assert_eq!(cli.assume_only_flag(), Some("-o/--output-profile"));
    let cli = parse(&["--role-arn", "123456789012:ops", "--tags", "a=b,c=d"]).unwrap();
    assert_eq!(
        cli.role.role_arn.as_deref(),
        Some("arn:aws:iam::123456789012:role/ops")
    );
    assert_eq!(cli.role.tags.unwrap().0.len(), 2);
    assert_eq!(parse(&["clean"]).unwrap().prints(), Prints::Text);
}

#[test]
fn finds_the_wrapper_flag() {
    let args = |list: &[&str]| list.iter().map(OsString::from).collect::<Vec<_>>();
    assert_eq!(
        wrapper_in(&args(&["rsume", "--wrapper", "fish", "-h"])),
        Some(Shell::Fish)
    );
    assert_eq!(
        wrapper_in(&args(&["rsume", "--wrapper=zsh"])),
        Some(Shell::Zsh)
    );
    assert_eq!(
        wrapper_in(&args(&["rsume", "--", "--wrapper", "fish"])),
        None
    );
    assert_eq!(wrapper_in(&args(&["rsume", "-l"])), None);
    assert_eq!(
        wrapper_in(&args(&[
            "rsume",
            "--wrapper",
            "zsh",
            "--code-file",
            "/r/1",
            "-h"
        ])),
        None,
        "stdout is not evaluated"
    );
}

#[test]
fn role_arns_in_three_spellings() {
    let full = "arn:aws:iam::123456789012:role/admin";
    assert_eq!(parse_role_arn(full).unwrap(), full);
    assert_eq!(parse_role_arn("123456789012:admin").unwrap(), full);
    assert_eq!(
        parse_role_arn("aws-us-gov:123456789012:ops/admin").unwrap(),
        "arn:aws-us-gov:iam::123456789012:role/ops/admin"
    );
    for bad in [
        "admin",
        "12345:admin",
        "123456789012:",
        "arn:aws:iam::123456789012:user/bob",
        "x:123456789012:admin",
        "123456789012:ad min",
    ] {
        assert!(parse_role_arn(bad).is_err(), "{bad}");
    }
}

#[test]
fn tags_are_pairs() {
    assert_eq!(
        parse_tags("team=ops,env=").unwrap(),
        [("team".into(), "ops".into()), ("env".into(), String::new())]
    );
    assert!(parse_tags("team").is_err());
    assert!(parse_tags("=x").is_err());
}
