#![allow(dead_code)]
//! Reading PowerShell without PowerShell (pwsh is not packaged for Debian): the
//! tree-sitter-powershell grammar for syntax, and PowerShell's own single-quote rule, which
//! the grammar does not know (any of ' ‘ ’ ‚ ‛ ends a string unless doubled), and its rule
//! for `+`: a string on the left concatenates (a `[char]0xNNNN` on the right adds one UTF-16
//! unit); a `[char]` on the left adds character codes, so an expression must start with a
//! string.

const QUOTES: [char; 5] = ['\'', '\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'];

pub fn parse(code: &str) -> tree_sitter::Tree {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_powershell::LANGUAGE.into())
        .unwrap();
    let tree = parser.parse(code, None).unwrap();
    assert!(
        !tree.root_node().has_error(),
        "PowerShell does not parse:\n{code}\n{}",
        tree.root_node().to_sexp()
    );
    tree
}

/// The lines PowerShell reads from a program's output: .NET's `ReadLine` ends one at CR,
/// LF or CRLF.
pub fn lines(code: &str) -> impl Iterator<Item = &str> {
    code.split('\n')
        .flat_map(|line| line.split('\r'))
        .filter(|line| !line.is_empty())
}

/// Parses each line of `code` alone, the way `… | Invoke-Expression` runs them: every line
/// must be a complete statement.
pub fn parse_each_line(code: &str) {
    for line in lines(code) {
        parse(line);
    }
}

/// The value of every string expression the grammar finds, in order: a string literal, or
/// literals and `[char]` casts joined by `+`. Inside the extent the grammar gives a
/// single-quoted literal, a doubled quote of any of PowerShell's five kinds stands for one;
/// a double-quoted one may hold only the escapes rsume writes (`` `n`` and `` `r``).
pub fn literals(code: &str) -> Vec<String> {
    let tree = parse(code);
    let mut found = Vec::new();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        let is_string = matches!(
            node.kind(),
            "string_literal" | "additive_expression" | "additive_argument_expression"
        );
        if let Some(Term::Text(units)) = is_string.then(|| value(code, node)).flatten() {
            let text = String::from_utf16(&units).expect("a lone surrogate");
            found.push((node.start_byte(), text));
            continue;
        }
        for i in (0..node.child_count()).rev() {
            stack.push(node.child(i).unwrap());
        }
    }
    found.sort();
    found.into_iter().map(|(_, v)| v).collect()
}

/// What a node evaluates to: a string (as .NET holds it, UTF-16) or one `[char]`.
enum Term {
    Text(Vec<u16>),
    Char(u16),
}

/// The value of a node made of string literals, `[char]0xNNNN` casts and `+` only.
fn value(code: &str, node: tree_sitter::Node) -> Option<Term> {
    let text = &code[node.byte_range()];
    let utf16 = |s: String| Term::Text(s.encode_utf16().collect());
    match node.kind() {
        "verbatim_string_characters" => Some(utf16(undouble(&text[1..text.len() - 1]))),
        "expandable_string_literal" => Some(utf16(unescape(&text[1..text.len() - 1]))),
        "cast_expression" => Some(Term::Char(char_cast(text)?)),
        "additive_expression" | "additive_argument_expression" if node.child_count() == 3 => {
            let operator = node.child(1).unwrap();
            if operator.kind() != "+" {
                return None;
            }
            let Term::Text(mut left) = value(code, node.child(0)?)? else {
                panic!("a [char] on the left of + adds numbers: {text}");
            };
            match value(code, node.child(2)?)? {
                Term::Text(right) => left.extend(right),
                Term::Char(unit) => left.push(unit),
            }
            Some(Term::Text(left))
        }
        _ if node.named_child_count() == 1 && node.child_count() == 1 => {
            value(code, node.named_child(0)?)
        }
        _ => None,
    }
}

/// `[char]0xNNNN`: the UTF-16 unit it stands for.
fn char_cast(text: &str) -> Option<u16> {
    let hex = text.strip_prefix("[char]0x")?;
    u16::from_str_radix(hex, 16).ok()
}

/// A double-quoted string as rsume writes it: line breaks only.
fn unescape(inner: &str) -> String {
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        assert_eq!(
            c, '`',
            "unexpected text in a double-quoted string: {inner:?}"
        );
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            other => panic!("unexpected escape {other:?} in {inner:?}"),
        }
    }
    out
}

fn undouble(inner: &str) -> String {
    let mut out = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if QUOTES.contains(&c) {
            assert_eq!(chars.next(), Some(c), "a lone quote inside {inner:?}");
        }
    }
    out
}

/// `$env:NAME = '…' + "`n" + '…'` read the way PowerShell reads it, one line each.
pub fn assignments(code: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in lines(code) {
        let Some(after) = line.strip_prefix("$env:") else {
            continue;
        };
        let (name, mut rest) = after.split_once(" = ").expect("assignment");
        let mut value = Vec::new();
        let mut first = true;
        loop {
            let (piece, tail) = read_piece(rest);
            match piece {
                Term::Text(units) => value.extend(units),
                Term::Char(_) if first => panic!("a [char] first adds numbers: {line:?}"),
                Term::Char(unit) => value.push(unit),
            }
            first = false;
            match tail.strip_prefix(" + ") {
                Some(next) => rest = next,
                None => {
                    assert_eq!(tail, "", "text after the value in {line:?}");
                    break;
                }
            }
        }
        let value = String::from_utf16(&value).expect("a lone surrogate");
        out.push((name.to_owned(), value));
    }
    out
}

/// One piece at the start of `text`: a string single-quoted by PowerShell's rule,
/// double-quoted line breaks, or a `[char]0xNNNN`. Returns its value and what follows it.
fn read_piece(text: &str) -> (Term, &str) {
    if let Some(rest) = text.strip_prefix('"') {
        let end = rest.find('"').expect("unterminated double-quoted string");
        let units = unescape(&rest[..end]).encode_utf16().collect();
        return (Term::Text(units), &rest[end + 1..]);
    }
    if text.starts_with("[char]0x") {
        let end = text.find(' ').unwrap_or(text.len());
        let unit = char_cast(&text[..end]).expect("[char]0xNNNN");
        return (Term::Char(unit), &text[end..]);
    }
    let mut chars = text.char_indices();
    assert_eq!(chars.next().map(|(_, c)| c), Some('\''), "{text}");
    let mut value = String::new();
    loop {
        let (i, c) = chars.next().expect("unterminated string");
        if !QUOTES.contains(&c) {
            value.push(c);
            continue;
        }
        match chars.clone().next() {
            Some((_, next)) if QUOTES.contains(&next) => {
                value.push(c);
                chars.next();
            }
            _ => {
                let units = value.encode_utf16().collect();
                return (Term::Text(units), &text[i + c.len_utf8()..]);
            }
        }
    }
}

/// The OEM and ANSI code pages PowerShell may decode a program's output with
/// (`[Console]::OutputEncoding`): Japanese, Simplified Chinese, Korean, Western European,
/// US and multilingual Latin-1.
pub const CODE_PAGES: [&str; 6] = ["cp932", "cp936", "cp949", "cp1252", "cp437", "cp850"];

/// `output` as PowerShell reads it under each of [`CODE_PAGES`], decoded by Python's codecs
/// (a byte a code page does not define becomes U+FFFD, as .NET's decoders do).
pub fn as_code_pages(output: &str) -> Vec<(&'static str, String)> {
    use std::io::Write;
    let mut python = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys\n\
             data = sys.stdin.buffer.read()\n\
             out = [data.decode(cp, 'replace') for cp in sys.argv[1:]]\n\
             sys.stdout.buffer.write('\\0'.join(out).encode('utf-8'))",
        ])
        .args(CODE_PAGES)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    python
        .stdin
        .take()
        .unwrap()
        .write_all(output.as_bytes())
        .unwrap();
    let done = python.wait_with_output().unwrap();
    assert!(done.status.success(), "python3 failed");
    let decoded = String::from_utf8(done.stdout).unwrap();
    let decoded: Vec<&str> = decoded.split('\0').collect();
    assert_eq!(decoded.len(), CODE_PAGES.len());
    CODE_PAGES
        .into_iter()
        .zip(decoded.into_iter().map(str::to_owned))
        .collect()
}
