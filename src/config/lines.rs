//! The one tokenizer of the profile files, shared by reading (`parse.rs`) and editing
//! (`edit.rs`).
//!
//! Every byte of the text belongs to exactly one [`Line`]: its text and its own ending (`\n`,
//! `\r\n`, or none on a last line), so concatenating the lines gives the file back. Each line is
//! classified by the cross-SDK rules, as aws-config reads them; a line that cannot be read is
//! [`Kind::Junk`] with the [`Problem`], and classifying goes on so an editor can still see the
//! whole file.

use super::problem::Problem;
use std::ops::Range;

/// The only characters the profile file format treats as whitespace (for indentation and
/// trimming). `str::trim` would also strip other Unicode spaces, which the SDKs keep.
pub(super) const WHITESPACE: &[char] = &[' ', '\t'];

/// Both characters start a comment.
const COMMENT: &[char] = &['#', ';'];

/// One line of a file. No `Debug`: the text may hold a secret key.
pub(super) struct Line<'a> {
    /// 1-based, for messages.
    pub number: usize,
    /// Byte offset of the line's first byte in the file.
    pub start: usize,
    /// The line without its ending.
    pub text: &'a str,
    /// `"\n"`, `"\r\n"`, or `""` for a last line without one. A `\r` not followed by `\n`
    /// stays in the text, as with `str::lines`.
    pub ending: &'a str,
    pub kind: Kind<'a>,
}

impl Line<'_> {
    /// Byte offsets of the whole line, ending included.
    pub fn span(&self) -> Range<usize> {
        self.start..self.start + self.text.len() + self.ending.len()
    }

    /// Whether the line is part of a property: its first line or one that continues it.
    pub fn is_property_part(&self) -> bool {
        matches!(
            self.kind,
            Kind::Property { .. } | Kind::Continuation | Kind::SubProperty
        )
    }
}

/// What a line is, by the reader's rules.
pub(super) enum Kind<'a> {
    /// Empty, or spaces and tabs only.
    Blank,
    /// `#` or `;` in the first column (an indented one continues a property instead).
    Comment,
    /// `[...]`: the text between the brackets, not trimmed, without a comment after `]`.
    Header(&'a str),
    /// `key = value`: both trimmed, the value without an inline comment. Both are slices of
    /// the line's text.
    Property { key: &'a str, value: &'a str },
    /// An indented line that continues the property above it.
    Continuation,
    /// An indented `key = value` line under a property whose first line has no value.
    SubProperty,
    /// A line that cannot be read.
    Junk(Problem),
}

/// Splits `text` into classified lines. Linear: each line is scanned a constant number of times.
pub(super) fn lines(text: &str) -> Lines<'_> {
    Lines {
        text,
        start: 0,
        number: 0,
        in_section: false,
        in_property: false,
        sub_properties: false,
    }
}

pub(super) struct Lines<'a> {
    text: &'a str,
    start: usize,
    number: usize,
    in_section: bool,
    /// A property has started in this section, so an indented line continues it (blank and
    /// comment lines do not end it).
    in_property: bool,
    /// That property's first line had an empty value, so indented lines are `k = v`
    /// sub-properties and must contain an '=' sign.
    sub_properties: bool,
}

impl<'a> Iterator for Lines<'a> {
    type Item = Line<'a>;

    fn next(&mut self) -> Option<Line<'a>> {
        let rest = &self.text[self.start..];
        if rest.is_empty() {
            return None;
        }
        let length = rest.find('\n').map_or(rest.len(), |at| at + 1);
        let whole = &rest[..length];
        let text = whole
            .strip_suffix('\n')
            .map_or(whole, |line| line.strip_suffix('\r').unwrap_or(line));
        let line = Line {
            number: self.number + 1,
            start: self.start,
            text,
            ending: &whole[text.len()..],
            kind: self.classify(text),
        };
        self.number += 1;
        self.start += length;
        Some(line)
    }
}

impl<'a> Lines<'a> {
    fn classify(&mut self, line: &'a str) -> Kind<'a> {
        // The SDKs fail on a BOM too (the line is neither a header nor a property); this only
        // gives that failure a message that says what to do.
        if self.number == 0 && line.starts_with('\u{feff}') {
            return Kind::Junk(Problem::ByteOrderMark);
        }
        if trim(line).is_empty() {
            return Kind::Blank;
        }
        if line.starts_with(COMMENT) {
            return Kind::Comment;
        }
        if line.starts_with('[') {
            let Some(header) = section_header(line) else {
                return Kind::Junk(Problem::UnclosedHeader);
            };
            self.in_section = true;
            self.in_property = false;
            return Kind::Header(header);
        }
        if line.starts_with(WHITESPACE) {
            if !self.in_section {
                return Kind::Junk(Problem::ContinuationBeforeSection);
            }
            if !self.in_property {
                return Kind::Junk(Problem::ContinuationWithoutProperty);
            }
            if !self.sub_properties {
                return Kind::Continuation;
            }
            // Checked on the comment-stripped line, but the reader keeps it as written
            // (comments and all), exactly as aws-config does.
            return match split_property(line) {
                Ok(_) => Kind::SubProperty,
                Err(PropertyError::NoEquals) => Kind::Junk(Problem::SubPropertyMissingEquals),
                Err(PropertyError::NoKey) => Kind::Junk(Problem::SubPropertyMissingKey),
            };
        }
        if !self.in_section {
            return Kind::Junk(Problem::PropertyBeforeSection);
        }
        match split_property(line) {
            Ok((key, value)) => {
                self.in_property = true;
                self.sub_properties = value.is_empty();
                Kind::Property { key, value }
            }
            Err(PropertyError::NoEquals) => Kind::Junk(Problem::MissingEquals),
            Err(PropertyError::NoKey) => Kind::Junk(Problem::MissingKey),
        }
    }
}

/// Trims the format's whitespace (space and tab) from both ends.
pub(super) fn trim(text: &str) -> &str {
    text.trim_matches(WHITESPACE)
}

/// Where `part` lies in `text`, if it is a slice of it (the slices in a [`Kind`] are).
pub(super) fn range_in(text: &str, part: &str) -> Option<Range<usize>> {
    let start = (part.as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
    let range = start..start.checked_add(part.len())?;
    // In bounds and on character boundaries means it is `part` itself: same memory.
    text.get(range.clone()).map(|_| range)
}

/// Returns the text between `[` and `]`, or `None` when the closing bracket is missing. A
/// comment after `]` needs no whitespace before it (`[profile a]#note`), but a `#` or `;` inside
/// the brackets also starts a comment, which then hides the `]`.
fn section_header(line: &str) -> Option<&str> {
    strip_comment(line, false)
        .strip_prefix('[')?
        .strip_suffix(']')
}

enum PropertyError {
    NoEquals,
    NoKey,
}

/// Splits `key = value` on the first '=' and trims both sides. The comment is removed first, so
/// an '=' inside a comment does not count.
fn split_property(line: &str) -> Result<(&str, &str), PropertyError> {
    let (key, value) = strip_comment(line, true)
        .split_once('=')
        .ok_or(PropertyError::NoEquals)?;
    let key = trim(key);
    if key.is_empty() {
        return Err(PropertyError::NoKey);
    }
    Ok((key, trim(value)))
}

/// Trims the line and cuts it at the first comment character. In property lines a comment
/// must follow whitespace, so `b#c` and URLs with fragments stay intact; in headers it need not.
/// "Whitespace" before a comment means any Unicode whitespace, as in aws-config.
fn strip_comment(line: &str, needs_whitespace_before: bool) -> &str {
    let line = trim(line);
    let mut from = 0;
    let end = loop {
        // Each search starts after the previous candidate, so the scan stays linear.
        // Both comment characters are ASCII, so a byte search finds them.
        let Some(offset) = line.as_bytes()[from..]
            .iter()
            .position(|&b| b == b'#' || b == b';')
        else {
            break line.len();
        };
        let at = from + offset;
        if !needs_whitespace_before
            || line[..at]
                .chars()
                .next_back()
                .is_some_and(char::is_whitespace)
        {
            break at;
        }
        from = at + 1; // '#' and ';' are one byte long
    };
    trim(&line[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(line: &str) -> Option<(&str, &str)> {
        split_property(line).ok()
    }

    /// Each line as `kind|text|ending`, for compact comparisons.
    fn shapes(text: &str) -> Vec<String> {
        lines(text)
            .map(|line| {
                let kind = match line.kind {
                    Kind::Blank => "blank".to_owned(),
                    Kind::Comment => "comment".to_owned(),
                    Kind::Header(header) => format!("header({header})"),
                    Kind::Property { key, value } => format!("property({key}={value})"),
                    Kind::Continuation => "continuation".to_owned(),
                    Kind::SubProperty => "sub".to_owned(),
                    Kind::Junk(problem) => format!("junk({problem:?})"),
                };
                format!("{kind}|{}|{:?}", line.text, line.ending)
            })
            .collect()
    }

    #[test]
    fn every_byte_is_in_exactly_one_line() {
        for text in [
            "",
            "\n",
            "\r\n",
            "[a]\r\nk = v\nx = y\r\n",
            "[a]\nk = v",
            "[a]\nk = v\r",
            "\r\r\n\n\r",
            "[a]\n\u{feff}k = é\r\n",
        ] {
            let mut joined = String::new();
            let mut expected_start = 0;
            for line in lines(text) {
                assert_eq!(line.start, expected_start, "{text:?}");
                assert_eq!(&text[line.span()], format!("{}{}", line.text, line.ending));
                joined.push_str(line.text);
                joined.push_str(line.ending);
                expected_start = line.span().end;
            }
            assert_eq!(joined, text);
        }
    }

    proptest::proptest! {
        /// Any text at all comes back whole from its lines, and the line texts are those of
        /// `str::lines`, which the reader used before.
        #[test]
        fn any_text_is_its_lines(text in "[\\[\\]=#; \t\r\na\u{feff}]{0,64}") {
            let joined: String = lines(&text).map(|l| format!("{}{}", l.text, l.ending)).collect();
            proptest::prop_assert_eq!(&joined, &text);
            let texts: Vec<&str> = lines(&text).map(|l| l.text).collect();
            proptest::prop_assert_eq!(texts, text.lines().collect::<Vec<_>>());
        }
    }

    #[test]
    fn lines_match_str_lines() {
        let text = "a\nb\r\n\r\nc\rd\r";
        let ours: Vec<&str> = lines(text).map(|line| line.text).collect();
        assert_eq!(ours, text.lines().collect::<Vec<_>>());
    }

    #[test]
    fn lines_are_classified_by_the_readers_rules() {
        let text = "# c\r\n[profile a] ; note\r\n  \t\nk = v # c\n  more\n\n; c\n\
                    s3 =\n  x = 1\n  # y = 2\n  nope\n[b]\n  junk";
        assert_eq!(
            shapes(text),
            [
                "comment|# c|\"\\r\\n\"",
                "header(profile a)|[profile a] ; note|\"\\r\\n\"",
                "blank|  \t|\"\\n\"",
                "property(k=v)|k = v # c|\"\\n\"",
                "continuation|  more|\"\\n\"",
                "blank||\"\\n\"",
                "comment|; c|\"\\n\"",
                "property(s3=)|s3 =|\"\\n\"",
                "sub|  x = 1|\"\\n\"",
                // At the start of the trimmed line, `#` follows no whitespace.
                "sub|  # y = 2|\"\\n\"",
                "junk(SubPropertyMissingEquals)|  nope|\"\\n\"",
                "header(b)|[b]|\"\\n\"",
                "junk(ContinuationWithoutProperty)|  junk|\"\"",
            ]
        );
    }

    #[test]
    fn property_lines_split_on_first_equals_and_trim() {
        assert_eq!(pair("a = b"), Some(("a", "b")));
        assert_eq!(pair("a=b"), Some(("a", "b")));
        assert_eq!(pair("a \t=  \tb \t"), Some(("a", "b")));
        assert_eq!(pair("a = b=c=="), Some(("a", "b=c==")));
        assert_eq!(pair("a ="), Some(("a", "")));
        assert!(matches!(
            split_property("a b"),
            Err(PropertyError::NoEquals)
        ));
        assert!(matches!(split_property(" = b"), Err(PropertyError::NoKey)));
    }

    #[test]
    fn comments_in_property_lines_need_whitespace_before_them() {
        assert_eq!(strip_comment("k = v # c # d", true), "k = v");
        assert_eq!(strip_comment("k = v\t; c", true), "k = v");
        assert_eq!(strip_comment("k = v#c # d", true), "k = v#c");
        assert_eq!(strip_comment("k = v;c", true), "k = v;c");
        // An '=' inside a comment does not make a property.
        assert!(matches!(
            split_property("k # = v"),
            Err(PropertyError::NoEquals)
        ));
    }

    #[test]
    fn comments_in_headers_need_no_whitespace() {
        assert_eq!(section_header("[profile a]#x"), Some("profile a"));
        assert_eq!(section_header("[profile a] ; x"), Some("profile a"));
        assert_eq!(section_header("[ profile a ]"), Some(" profile a "));
        assert_eq!(section_header("[profile a#b]"), None);
        assert_eq!(section_header("[profile a] junk"), None);
    }

    #[test]
    fn comment_after_non_ascii_whitespace_counts() {
        assert_eq!(strip_comment("k = v\u{a0}# c", true), "k = v\u{a0}");
        assert_eq!(strip_comment("k = é#c", true), "k = é#c");
    }
}
