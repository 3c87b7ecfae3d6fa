//! Quoting at scale: generated strings (quotes of every kind, `$(…)`, backticks, `$VAR`, `!`,
//! `%`, `\`, newlines, CR, tabs, control characters, long strings, any Unicode but NUL) go
//! through the real renderer into real bash, zsh and fish processes and must come back
//! byte-identical; PowerShell's output must parse and yield each value back.
//!
//! `cargo test --test quoting` runs 300 strings per shell;
//! `RSUME_QUOTING_CASES=10000 cargo test --test quoting` runs the full count (CI does).

mod support;

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use rsume::shell::{Change, Shell};
use support::powershell::{assignments, literals, parse_each_line};

/// Values per shell process: enough to amortise the start, small enough to locate a failure.
const BATCH: usize = 500;

fn cases() -> usize {
    std::env::var("RSUME_QUOTING_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(300)
}

fn hostile() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "'",
        "\"",
        "`",
        "$(",
        ")",
        "${HOME}",
        "$HOME",
        "$((1+1))",
        "!",
        "!!",
        "%PATH%",
        "\\",
        "\\\\",
        "\\'",
        "'\\''",
        "\n",
        "\r",
        "\r\n",
        "\t",
        "\u{1b}[31m",
        "\u{7}",
        "\u{7f}",
        "\u{2018}",
        "\u{2019}",
        "\u{201A}",
        "\u{201B}",
        "\u{201C}",
        "\u{201D}",
        ";",
        "&",
        "|",
        "#",
        "*",
        "?",
        "[a]",
        "{a,b}",
        "~",
        " ",
        "-",
        "--",
        "=",
        "@'",
        "'@",
        "`n",
        "$env:X",
        "ü",
        "日本",
        "🚀",
        "\u{200b}",
        "\u{feff}",
    ])
    .prop_map(str::to_owned);
    let any_char = any::<char>()
        .prop_filter("environment values cannot hold NUL", |c| *c != '\0')
        .prop_map(String::from);
    let piece = prop_oneof![3 => pieces, 2 => any_char, 1 => "[a-zA-Z0-9_./:-]{1,12}"];
    prop_oneof![
        9 => prop::collection::vec(piece.clone(), 0..24).prop_map(|v| v.concat()),
        1 => prop::collection::vec(piece, 200..600).prop_map(|v| v.concat()),
    ]
}

/// The strings every test uses: generated once per process (the tests run as threads of
/// one), the same ones on every run (a fixed seed), so a failure reproduces.
fn values() -> &'static [String] {
    static VALUES: OnceLock<Vec<String>> = OnceLock::new();
    VALUES.get_or_init(|| generate(cases()))
}

fn generate(count: usize) -> Vec<String> {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let strategy = hostile();
    (0..count)
        .map(|_| strategy.new_tree(&mut runner).unwrap().current())
        .collect()
}

fn render(shell: Shell, value: &str) -> String {
    shell
        .render(&[Change::Set {
            name: "RSUME_PROBE",
            value: value.to_owned(),
        }])
        .unwrap()
}

/// How the script applies each rendered value: as the code it is, or through the unquoted
/// `eval $(…)`, which splits the code into words, globs each (bash) and joins them.
#[derive(Clone, Copy)]
enum Form {
    AsIs,
    UnquotedEval,
}

/// Runs one script of `value`s in `shell`, each set by rsume's renderer and printed back
/// NUL-terminated, and compares byte for byte.
fn round_trip(shell: Shell, program: &str, args: &[&str], values: &[String]) {
    round_trip_as(Form::AsIs, shell, program, args, values)
}

fn round_trip_as(form: Form, shell: Shell, program: &str, args: &[&str], values: &[String]) {
    let mut script = String::new();
    for value in values {
        match form {
            Form::AsIs => script.push_str(&render(shell, value)),
            Form::UnquotedEval => script.push_str(&format!(
                "eval $(cat <<'RSUME_END'\n{}RSUME_END\n)\n",
                render(shell, value)
            )),
        }
        script.push_str("printf '%s\\0' \"$RSUME_PROBE\"\n");
    }
    let mut child = Command::new(program)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("LANG", "C.UTF-8")
        .env("HOME", std::env::temp_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {program} ({e}); run scripts/setup.sh"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let got: Vec<&[u8]> = output.stdout.split(|b| *b == 0).collect();
    for (i, value) in values.iter().enumerate() {
        assert_eq!(
            got.get(i).copied(),
            Some(value.as_bytes()),
            "{program} mangled {value:?} (quoted as {})\nstderr: {}",
            render(shell, value),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    assert_eq!(
        got.len(),
        values.len() + 1,
        "{program} printed extra values"
    );
}

#[test]
fn bash_reads_back_every_value() {
    for batch in values().chunks(BATCH) {
        round_trip(Shell::Bash, "bash", &["--noprofile", "--norc", "-s"], batch);
    }
}

#[test]
fn zsh_reads_back_every_value() {
    for batch in values().chunks(BATCH) {
        round_trip(Shell::Zsh, "zsh", &["-f", "-s"], batch);
    }
}

#[test]
fn bash_and_zsh_read_back_every_value_through_unquoted_eval() {
    let bash = [
        "--noprofile",
        "--norc",
        "-O",
        "extglob",
        "-O",
        "nullglob",
        "-s",
    ];
    for batch in values().chunks(BATCH) {
        round_trip_as(Form::UnquotedEval, Shell::Bash, "bash", &bash, batch);
        round_trip_as(Form::UnquotedEval, Shell::Zsh, "zsh", &["-f", "-s"], batch);
    }
}

#[test]
fn fish_reads_back_every_value() {
    for batch in values().chunks(BATCH) {
        round_trip(Shell::Fish, "fish", &["--no-config"], batch);
    }
}

#[test]
fn powershell_parses_and_reads_back_every_value() {
    for batch in values().chunks(BATCH) {
        let code: String = batch.iter().map(|v| render(Shell::Powershell, v)).collect();
        assert!(code.is_ascii(), "PowerShell code must be ASCII");
        parse_each_line(&code);
        let by_grammar = literals(&code);
        let by_powershell: Vec<String> = assignments(&code).into_iter().map(|(_, v)| v).collect();
        assert_eq!(&by_grammar, batch);
        assert_eq!(&by_powershell, batch);
    }
}

#[test]
fn the_generator_covers_the_hard_characters() {
    let all: String = values().concat();
    for needle in ["'", "\\", "\n", "\r", "$(", "`", "\u{2019}", "!", "%"] {
        assert!(
            all.contains(needle),
            "no {needle:?} in the generated strings"
        );
    }
    assert!(values().iter().any(|v| v.chars().count() > 200));
}
