//! Line-level reading of one profile file.
//!
//! This pass is deliberately literal, like aws-config's: it only finds sections, properties and
//! continuation lines, and rejects lines that cannot be read at all. Which sections are profiles,
//! which names are valid and how files merge is decided afterwards (see `normalize.rs`), so that
//! a syntax error is an error wherever it appears, even inside a section that is later ignored.

use std::borrow::Cow;

/// The only characters the profile file format treats as whitespace (for indentation and
/// trimming). `str::trim` would also strip other Unicode spaces, which the SDKs keep.
pub(super) const WHITESPACE: &[char] = &[' ', '\t'];

/// Both characters start a comment.
const COMMENT: &[char] = &['#', ';'];

/// One complete item of a file, in file order. No `Debug`: a property's value may be a key.
pub(super) enum Event<'a> {
    /// A `[...]` header: the text between the brackets, without the comment after `]`, not
    /// trimmed inside; and its 1-based line.
    Section { header: &'a str, line: usize },
    /// A property, given only once its continuation lines have all been read.
    Property(RawProperty<'a>),
}

/// One `key = value` line plus any continuation lines. No `Debug`, for the same reason.
pub(super) struct RawProperty<'a> {
    /// Key as written (trimmed); lowercased and validated later.
    pub key: &'a str,
    /// Value with continuation lines appended as `"\n" + trimmed line`. Borrowed from the file
    /// text unless a continuation forced a copy, so single-line values cost no allocation here.
    pub value: Cow<'a, str>,
    /// 1-based line of the `key = value` line.
    pub line: usize,
}

/// What is wrong with a line. Kept apart from the message text so that a message can never
/// accidentally include the line itself (which may hold a secret).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Problem {
    ByteOrderMark,
    PropertyBeforeSection,
    ContinuationBeforeSection,
    ContinuationWithoutProperty,
    UnclosedHeader,
    MissingEquals,
    MissingKey,
    SubPropertyMissingEquals,
    SubPropertyMissingKey,
}

impl Problem {
    /// Says what is wrong and what to do. `config` selects the header example, because the two
    /// files spell profile headers differently.
    pub(super) fn message(self, config: bool) -> &'static str {
        match (self, config) {
            (Problem::ByteOrderMark, _) => {
                "the file starts with a byte-order mark (BOM), which the AWS SDKs reject; save it as UTF-8 without BOM"
            }
            (Problem::PropertyBeforeSection, true) => {
                "property before any section header (put it under a header such as [default] or [profile NAME])"
            }
            (Problem::PropertyBeforeSection, false) => {
                "property before any section header (put it under a header such as [default] or [NAME])"
            }
            (Problem::ContinuationBeforeSection, _) => {
                "indented line before any section header (indentation continues the previous property; remove it)"
            }
            (Problem::ContinuationWithoutProperty, _) => {
                "indented line with no property above it in this section (indentation continues the previous property; remove it)"
            }
            (Problem::UnclosedHeader, true) => {
                "section header has no closing ']' (write it as [profile NAME]; '#' and ';' start a comment, even inside brackets)"
            }
            (Problem::UnclosedHeader, false) => {
                "section header has no closing ']' (write it as [NAME]; '#' and ';' start a comment, even inside brackets)"
            }
            (Problem::MissingEquals, _) => {
                "expected \"key = value\" (a property needs an '=' sign)"
            }
            (Problem::MissingKey, _) => {
                "expected \"key = value\" (there is no key before the '=' sign)"
            }
            (Problem::SubPropertyMissingEquals, _) => {
                "expected \"key = value\" (an indented line under a property with an empty value is a sub-property and needs an '=' sign)"
            }
            (Problem::SubPropertyMissingKey, _) => {
                "expected \"key = value\" (this sub-property has no key before the '=' sign)"
            }
        }
    }
}

/// A line that cannot be read; `line` is 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct SyntaxError {
    pub line: usize,
    pub problem: Problem,
}

/// Reads `text` as a stream of [`Event`]s, stopping at the first syntax error.
///
/// Streaming lets the caller build its maps directly, without an intermediate copy of the file's
/// structure. Linear in the text: each line is scanned a constant number of times and
/// continuation lines are appended in place.
pub(super) fn events(text: &str) -> Events<'_> {
    Events {
        lines: text.lines().enumerate(),
        in_section: false,
        pending: None,
        sub_properties: false,
        queued: None,
        done: false,
    }
}

pub(super) struct Events<'a> {
    lines: std::iter::Enumerate<std::str::Lines<'a>>,
    in_section: bool,
    /// The property that indented lines continue; given out when the next item starts.
    pending: Option<RawProperty<'a>>,
    /// The pending property's first line had an empty value, so indented lines are `k = v`
    /// sub-properties and must contain an '=' sign.
    sub_properties: bool,
    /// A header read while a property was pending; given out right after it.
    queued: Option<Event<'a>>,
    done: bool,
}

impl<'a> Iterator for Events<'a> {
    type Item = Result<Event<'a>, SyntaxError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(event) = self.queued.take() {
            return Some(Ok(event));
        }
        if self.done {
            return None;
        }
        loop {
            let Some((index, line)) = self.lines.next() else {
                self.done = true;
                return self.pending.take().map(|p| Ok(Event::Property(p)));
            };
            let number = index + 1;
            let fail = |done: &mut bool, problem| {
                *done = true;
                Some(Err(SyntaxError {
                    line: number,
                    problem,
                }))
            };

            // The SDKs fail on a BOM too (the line is neither a header nor a property); this
            // only gives that failure a message that says what to do.
            if number == 1 && line.starts_with('\u{feff}') {
                return fail(&mut self.done, Problem::ByteOrderMark);
            }
            // Blank lines and comments do not end a property: a continuation may follow them.
            if is_blank(line) || line.starts_with(COMMENT) {
                continue;
            }

            if line.starts_with('[') {
                let Some(header) = section_header(line) else {
                    return fail(&mut self.done, Problem::UnclosedHeader);
                };
                self.in_section = true;
                let event = Event::Section {
                    header,
                    line: number,
                };
                return Some(Ok(match self.pending.take() {
                    Some(property) => {
                        self.queued = Some(event);
                        Event::Property(property)
                    }
                    None => event,
                }));
            } else if line.starts_with(WHITESPACE) {
                if !self.in_section {
                    return fail(&mut self.done, Problem::ContinuationBeforeSection);
                }
                let Some(property) = self.pending.as_mut() else {
                    return fail(&mut self.done, Problem::ContinuationWithoutProperty);
                };
                if self.sub_properties {
                    // Checked on the comment-stripped line, but stored as written (comments
                    // and all), exactly as aws-config does.
                    match split_property(line) {
                        Ok(_) => {}
                        Err(PropertyError::NoEquals) => {
                            return fail(&mut self.done, Problem::SubPropertyMissingEquals);
                        }
                        Err(PropertyError::NoKey) => {
                            return fail(&mut self.done, Problem::SubPropertyMissingKey);
                        }
                    }
                }
                // Comments are not stripped from continuation lines: they are part of the value.
                let value = property.value.to_mut();
                value.push('\n');
                value.push_str(trim(line));
            } else {
                if !self.in_section {
                    return fail(&mut self.done, Problem::PropertyBeforeSection);
                }
                let (key, value) = match split_property(line) {
                    Ok(pair) => pair,
                    Err(PropertyError::NoEquals) => {
                        return fail(&mut self.done, Problem::MissingEquals);
                    }
                    Err(PropertyError::NoKey) => return fail(&mut self.done, Problem::MissingKey),
                };
                self.sub_properties = value.is_empty();
                let property = RawProperty {
                    key,
                    value: Cow::Borrowed(value),
                    line: number,
                };
                if let Some(previous) = self.pending.replace(property) {
                    return Some(Ok(Event::Property(previous)));
                }
            }
        }
    }
}

/// Trims the format's whitespace (space and tab) from both ends.
pub(super) fn trim(text: &str) -> &str {
    text.trim_matches(|c| c == ' ' || c == '\t')
}

fn is_blank(line: &str) -> bool {
    trim(line).is_empty()
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

    #[test]
    fn events_come_in_file_order_with_continuations_joined() {
        let text = "[a]\nk = 1\n  2\n\n  3\n[b]\nk = x\n";
        let events: Vec<String> = events(text)
            .map(|e| match e.unwrap() {
                Event::Section { header, line } => format!("[{header}]@{line}"),
                Event::Property(p) => format!("{}={:?}@{}", p.key, p.value, p.line),
            })
            .collect();
        assert_eq!(events, ["[a]@1", "k=\"1\\n2\\n3\"@2", "[b]@6", "k=\"x\"@7"]);
    }

    #[test]
    fn line_numbers_are_one_based_and_count_skipped_lines() {
        let err = events("# c\n\n[default]\nk v\n")
            .find_map(Result::err)
            .unwrap();
        assert_eq!(
            err,
            SyntaxError {
                line: 4,
                problem: Problem::MissingEquals
            }
        );
    }

    #[test]
    fn events_stop_after_an_error() {
        let mut events = events("[a]\nbroken\nk = v\n");
        assert!(matches!(events.next(), Some(Ok(Event::Section { .. }))));
        assert!(matches!(events.next(), Some(Err(_))));
        assert!(events.next().is_none());
    }
}
