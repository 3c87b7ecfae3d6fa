//! PowerShell cannot be installed here, so its output is checked two ways: the
//! tree-sitter-powershell grammar must parse it without error and yield each value back
//! from its string literal, and a reader that applies PowerShell's own single-quote rule
//! (any of ' ‘ ’ ‚ ‛ ends the string unless doubled; the grammar knows only ') must
//! yield it back too. `… | Invoke-Expression` runs each output line as a statement of its
//! own, so each line must also parse alone. Plus an exact snapshot of a whole run.

mod support;

use support::powershell::{as_code_pages, assignments, lines, literals, parse, parse_each_line};
use support::sandbox::Sandbox;

const HOSTILE: &[&str] = &[
    "it's",
    "‘smart’ ‚low‛ “double”",
    "'; Remove-Item -Recurse C:\\; '",
    "$(Get-Process)",
    "`n`$env:PATH",
    "a\\b\\",
    "line1\nline2",
    "\r\n'; Remove-Item x; '\r",
    "\n",
    "a\rb\r\n\nc’\n",
    "ünïcødé ✓ 日本",
    "@'\nhere\n'@",
];

#[test]
fn hostile_values_survive_both_readers() {
    let sandbox = Sandbox::new(
        "[profile ps]\n",
        "[ps]\naws_access_key_id = AKIAPS\naws_secret_access_key = ’$(x)’\n",
    );
    for value in HOSTILE {
        let code = sandbox
            .run(&["ps", "--shell", "powershell", "--region", value])
            .ok()
            .to_owned();
        parse_each_line(&code);
        assert!(
            literals(&code).iter().any(|l| l == value),
            "{value:?} in\n{code}"
        );
        let read = assignments(&code);
        let region = read.iter().find(|(n, _)| n == "AWS_REGION").unwrap();
        assert_eq!(region.1, *value);
        let secret = read
            .iter()
            .find(|(n, _)| n == "AWS_SECRET_ACCESS_KEY")
            .unwrap();
        assert_eq!(secret.1, "’$(x)’");
    }
}

/// Values whose UTF-8 bytes decode to a quote or a line break under some code page
/// (cp932: `ā` is C4 81, read as `ﾄ` and a lead byte; cp1252: U+0082 is C2 82, read as `Â‚`,
/// a low single quote), and typographic quotes, an emoji (two UTF-16 units) and plain quotes.
const NOT_ASCII: &[&str] = &[
    "ā",
    "\u{82}",
    "a\u{82}'; Remove-Item x; '",
    "ā'; Remove-Item x; '",
    "‘smart’ ‚low‛",
    "😀",
    "x😀'y",
    "it's",
    "ünïcødé ✓ 日本\r\n中文 한국어",
    "\u{85}\u{2028}\u{1b}[31m",
];

#[test]
fn every_code_page_reads_the_same_values() {
    let sandbox = Sandbox::new(
        "[profile ps]\n",
        "[ps]\naws_access_key_id = AKIAPS\naws_secret_access_key = ā’$(x)😀\n",
    );
    for value in NOT_ASCII {
        let code = sandbox
            .run(&["ps", "--shell", "powershell", "--region", value])
            .ok()
            .to_owned();
        assert!(code.is_ascii(), "not ASCII:\n{code}");
        for (code_page, read) in as_code_pages(&code) {
            parse_each_line(&read);
            assert!(
                literals(&read).iter().any(|l| l == value),
                "{code_page}: {value:?} in\n{read}"
            );
            let read = assignments(&read);
            let find = |name: &str| read.iter().find(|(n, _)| n == name).unwrap().1.clone();
            assert_eq!(find("AWS_REGION"), *value, "{code_page}");
            assert_eq!(find("AWS_SECRET_ACCESS_KEY"), "ā’$(x)😀", "{code_page}");
        }
    }
}

#[test]
fn a_line_break_in_a_value_stays_on_its_line() {
    let value = "first\r\n$(touch pwned)\nlast";
    let sandbox = Sandbox::new(
        "[profile ps]\n",
        "[ps]\naws_access_key_id = AKIAPS\naws_secret_access_key = s3cret\n",
    );
    let code = sandbox
        .run(&["ps", "--shell", "powershell", "--region", value])
        .ok()
        .to_owned();
    // One line per change, as PowerShell splits a program's output.
    assert_eq!(lines(&code).count(), code.matches('\n').count(), "{code}");
    let region = lines(&code)
        .find(|line| line.starts_with("$env:AWS_REGION = "))
        .unwrap();
    assert_eq!(
        region,
        "$env:AWS_REGION = 'first' + \"`r`n\" + '$(touch pwned)' + \"`n\" + 'last'"
    );
    parse(region);
    assert_eq!(literals(region), [value]);
    assert_eq!(
        assignments(region),
        [("AWS_REGION".to_owned(), value.to_owned())]
    );
}

#[test]
fn exact_output() {
    let sandbox = Sandbox::new(
        "[profile ps]\nregion = eu-west-1\n",
        "[ps]\naws_access_key_id = AKIAPS\naws_secret_access_key = it's\n",
    );
    let code = sandbox
        .run(&["ps", "--shell", "powershell"])
        .ok()
        .to_owned();
    assert_eq!(
        code,
        "Remove-Item -LiteralPath 'Env:AWS_PROFILE' -ErrorAction SilentlyContinue\n\
         Remove-Item -LiteralPath 'Env:AWS_DEFAULT_PROFILE' -ErrorAction SilentlyContinue\n\
         Remove-Item -LiteralPath 'Env:AWS_SECURITY_TOKEN' -ErrorAction SilentlyContinue\n\
         $env:AWS_ACCESS_KEY_ID = 'AKIAPS'\n\
         $env:AWS_SECRET_ACCESS_KEY = 'it''s'\n\
         Remove-Item -LiteralPath 'Env:AWS_SESSION_TOKEN' -ErrorAction SilentlyContinue\n\
         Remove-Item -LiteralPath 'Env:AWS_ACCOUNT_ID' -ErrorAction SilentlyContinue\n\
         Remove-Item -LiteralPath 'Env:AWS_CREDENTIAL_EXPIRATION' -ErrorAction SilentlyContinue\n\
         Remove-Item -LiteralPath 'Env:AWSUME_EXPIRATION' -ErrorAction SilentlyContinue\n\
         Remove-Item -LiteralPath 'Env:RSUME_REFRESH_AT' -ErrorAction SilentlyContinue\n\
         Remove-Item -LiteralPath 'Env:RSUME_REFRESH_ARGS' -ErrorAction SilentlyContinue\n\
         $env:AWS_REGION = 'eu-west-1'\n\
         $env:RSUME_SAVED_REGION = 'us-east-1'\n\
         $env:AWS_DEFAULT_REGION = 'eu-west-1'\n\
         Remove-Item -LiteralPath 'Env:RSUME_SAVED_DEFAULT_REGION' -ErrorAction SilentlyContinue\n\
         $env:RSUME_REGION = 'eu-west-1'\n\
         $env:RSUME_PROFILE = 'ps'\n\
         $env:AWSUME_PROFILE = 'ps'\n"
    );
    parse(&code);
    let unset = sandbox
        .run(&["--unset", "--shell", "powershell"])
        .ok()
        .to_owned();
    parse(&unset);
    assert_eq!(unset.lines().count(), 18);
}

#[test]
fn wrapper_and_help_parse() {
    let sandbox = Sandbox::new("", "");
    let wrapper = sandbox.run(&["init", "powershell"]).ok().to_owned();
    assert!(wrapper.contains("function global:rsume"), "{wrapper}");
    // It reads no flag: every command runs as it is, its shell code in the code file.
    assert!(
        wrapper.contains("& $exe --wrapper powershell --code-file $file @args"),
        "{wrapper}"
    );
    assert!(!wrapper.contains("$direct"), "{wrapper}");
    assert!(
        wrapper.contains("$env:RSUME_WRAPPER = 'powershell'"),
        "{wrapper}"
    );
    assert!(wrapper.contains("Register-ArgumentCompleter"), "{wrapper}");
    parse(&wrapper);
    let help = sandbox
        .run(&["--wrapper", "powershell", "--help"])
        .ok()
        .to_owned();
    assert_eq!(lines(&help).count(), 1, "{help}");
    parse_each_line(&help);
    let shown = literals(&help);
    assert_eq!(shown.len(), 1, "{help}");
    assert!(shown[0].lines().count() > 5, "{help}");
    assert!(shown[0].starts_with("Assume an AWS profile"), "{help}");
}
