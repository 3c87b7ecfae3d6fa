//! Line-level reading of one profile file.
//!
//! This pass is deliberately literal, like aws-config's: it only finds sections, properties and
//! continuation lines, and rejects lines that cannot be read at all. Which sections are profiles,
//! which names are valid and how files merge is decided afterwards (see `normalize.rs`), so that
//! a syntax error is an error wherever it appears, even inside a section that is later ignored.

use super::lines::{self, Kind};
use super::problem::Problem;
use std::borrow::Cow;

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

/// A line that cannot be read; `line` is 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct SyntaxError {
    pub line: usize,
    pub problem: Problem,
}

/// Reads `text` as a stream of [`Event`]s, stopping at the first syntax error.
///
/// Streaming lets the caller build its maps directly, without an intermediate copy of the file's
/// structure. Linear in the text: lines come from the shared tokenizer and continuation lines
/// are appended in place.
pub(super) fn events(text: &str) -> Events<'_> {
    Events {
        lines: lines::lines(text),
        pending: None,
        queued: None,
        done: false,
    }
}

pub(super) struct Events<'a> {
    lines: lines::Lines<'a>,
    /// The property that indented lines continue; given out when the next item starts.
    pending: Option<RawProperty<'a>>,
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
            let Some(line) = self.lines.next() else {
                self.done = true;
                return self.pending.take().map(|p| Ok(Event::Property(p)));
            };
            match line.kind {
                // Blank lines and comments do not end a property: a continuation may follow.
                Kind::Blank | Kind::Comment => {}
                Kind::Junk(problem) => {
                    self.done = true;
                    return Some(Err(SyntaxError {
                        line: line.number,
                        problem,
                    }));
                }
                Kind::Header(header) => {
                    let event = Event::Section {
                        header,
                        line: line.number,
                    };
                    return Some(Ok(match self.pending.take() {
                        Some(property) => {
                            self.queued = Some(event);
                            Event::Property(property)
                        }
                        None => event,
                    }));
                }
                // The tokenizer gives these only while a property is pending. Comments are
                // not stripped from them: they are part of the value.
                Kind::Continuation | Kind::SubProperty => {
                    if let Some(property) = self.pending.as_mut() {
                        let value = property.value.to_mut();
                        value.push('\n');
                        value.push_str(lines::trim(line.text));
                    }
                }
                Kind::Property { key, value } => {
                    let property = RawProperty {
                        key,
                        value: Cow::Borrowed(value),
                        line: line.number,
                    };
                    if let Some(previous) = self.pending.replace(property) {
                        return Some(Ok(Event::Property(previous)));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
