#![allow(dead_code)]
//! Reading PowerShell without PowerShell (pwsh is not packaged for Debian): the
//! tree-sitter-powershell grammar for syntax, and PowerShell's own single-quote rule, which
//! the grammar does not know (any of ' ‘ ’ ‚ ‛ ends a string unless doubled).

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
/// literals joined by `+`. Inside the extent the grammar gives a single-quoted literal, a
/// doubled quote of any of PowerShell's five kinds stands for one; a double-quoted one may
/// hold only the escapes rsume writes (`` `n`` and `` `r``).
pub fn literals(code: &str) -> Vec<String> {
    let tree = parse(code);
    let mut found = Vec::new();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        let is_string = matches!(
            node.kind(),
            "string_literal" | "additive_expression" | "additive_argument_expression"
        );
        if let Some(value) = is_string.then(|| value(code, node)).flatten() {
            found.push((node.start_byte(), value));
            continue;
        }
        for i in (0..node.child_count()).rev() {
            stack.push(node.child(i).unwrap());
        }
    }
    found.sort();
    found.into_iter().map(|(_, v)| v).collect()
}

/// The string a node evaluates to, if it is made of string literals and `+` only.
fn value(code: &str, node: tree_sitter::Node) -> Option<String> {
    let text = &code[node.byte_range()];
    match node.kind() {
        "verbatim_string_characters" => Some(undouble(&text[1..text.len() - 1])),
        "expandable_string_literal" => Some(unescape(&text[1..text.len() - 1])),
        "additive_expression" | "additive_argument_expression" if node.child_count() == 3 => {
            let operator = node.child(1).unwrap();
            if operator.kind() != "+" {
                return None;
            }
            Some(value(code, node.child(0)?)? + &value(code, node.child(2)?)?)
        }
        _ if node.named_child_count() == 1 && node.child_count() == 1 => {
            value(code, node.named_child(0)?)
        }
        _ => None,
    }
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
        let mut value = String::new();
        loop {
            let (piece, tail) = read_piece(rest);
            value.push_str(&piece);
            match tail.strip_prefix(" + ") {
                Some(next) => rest = next,
                None => {
                    assert_eq!(tail, "", "text after the value in {line:?}");
                    break;
                }
            }
        }
        out.push((name.to_owned(), value));
    }
    out
}

/// One string at the start of `text`: single-quoted by PowerShell's rule, or double-quoted
/// line breaks. Returns its value and what follows it.
fn read_piece(text: &str) -> (String, &str) {
    if let Some(rest) = text.strip_prefix('"') {
        let end = rest.find('"').expect("unterminated double-quoted string");
        return (unescape(&rest[..end]), &rest[end + 1..]);
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
            _ => return (value, &text[i + c.len_utf8()..]),
        }
    }
}
