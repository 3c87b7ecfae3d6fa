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

/// The values of every string literal the grammar finds, in order. Inside the extent the
/// grammar gives, a doubled quote of any of PowerShell's five kinds stands for one.
pub fn literals(code: &str) -> Vec<String> {
    let tree = parse(code);
    let mut found = Vec::new();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        if node.kind() == "verbatim_string_characters" {
            let raw = &code[node.byte_range()];
            let inner = &raw[1..raw.len() - 1];
            found.push((node.start_byte(), undouble(inner)));
        }
        for i in (0..node.child_count()).rev() {
            stack.push(node.child(i).unwrap());
        }
    }
    found.sort();
    found.into_iter().map(|(_, v)| v).collect()
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

/// `$env:NAME = '…'` read the way PowerShell reads it.
pub fn assignments(code: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(start) = rest.find("$env:") {
        let after = &rest[start + 5..];
        let (name, tail) = after.split_once(" = ").expect("assignment");
        let mut chars = tail.char_indices();
        assert_eq!(chars.next().map(|(_, c)| c), Some('\''), "{tail}");
        let mut value = String::new();
        let end = loop {
            let (i, c) = chars.next().expect("unterminated string");
            if QUOTES.contains(&c) {
                match chars.clone().next() {
                    Some((_, next)) if QUOTES.contains(&next) => {
                        value.push(c);
                        chars.next();
                    }
                    _ => break i + c.len_utf8(),
                }
            } else {
                value.push(c);
            }
        };
        assert!(
            tail[end..].starts_with('\n'),
            "text after the string: {:?}",
            &tail[end..]
        );
        out.push((name.to_owned(), value));
        rest = &tail[end..];
    }
    out
}
