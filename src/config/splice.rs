//! Where an edit goes in a file's text: the lines of a property, and the splices that
//! rewrite, remove or add them, every other byte kept as it was.

use super::lines::{Kind, Line, WHITESPACE};
use std::ops::Range;

/// Byte ranges of the text and what replaces them; they never overlap.
pub(super) type Splices = Vec<(Range<usize>, String)>;

/// The bytes of the lines in `range`, with their line endings.
pub(super) fn text_span(lines: &[Line], range: &Range<usize>) -> Range<usize> {
    lines[range.start].start..lines[range.end - 1].span().end
}

/// `key = value`, or `key =` when the value is empty.
pub(super) fn property_line(key: &str, value: &str) -> String {
    if value.is_empty() {
        format!("{key} =")
    } else {
        format!("{key} = {value}")
    }
}

/// Indexes of the property lines for `key` in the sections, in file order.
pub(super) fn definitions(lines: &[Line], sections: &[Range<usize>], key: &str) -> Vec<usize> {
    sections
        .iter()
        .flat_map(|section| section.clone())
        .filter(|&at| matches!(lines[at].kind, Kind::Property { key: k, .. } if k.eq_ignore_ascii_case(key)))
        .collect()
}

/// The property starting at line `at` and its continuation lines (not the blank or comment
/// lines between them).
pub(super) fn property_lines<'l>(
    lines: &'l [Line<'_>],
    at: usize,
) -> impl Iterator<Item = usize> + 'l {
    let rest = lines[at + 1..]
        .iter()
        .take_while(|line| !matches!(line.kind, Kind::Property { .. } | Kind::Header(_)))
        .enumerate()
        .filter(|(_, line)| line.is_property_part())
        .map(move |(offset, _)| at + 1 + offset);
    std::iter::once(at).chain(rest)
}

/// The last line of the section that belongs to a property.
pub(super) fn last_property_line(lines: &[Line], section: &Range<usize>) -> Option<usize> {
    section
        .clone()
        .rev()
        .find(|&at| lines[at].is_property_part())
}

/// Rewrites the property line at `at` to hold `value`, keeping the text before the value (the
/// key as written and its spacing) and after it (spaces and an inline comment), and removes its
/// continuation lines.
pub(super) fn rewrite(lines: &[Line], at: usize, value: &str) -> Splices {
    let line = &lines[at];
    let Kind::Property { value: old, .. } = line.kind else {
        return Vec::new();
    };
    // The key holds no '=' and the line is not indented, so the first '=' is the property's.
    let after_equals = line.text.find('=').map_or(line.text.len(), |at| at + 1);
    let spaces = line.text[after_equals..].len()
        - line.text[after_equals..]
            .trim_start_matches(WHITESPACE)
            .len();
    let value_start = after_equals + spaces;
    let (before, after) = (
        &line.text[..value_start],
        &line.text[value_start + old.len()..],
    );
    let mut text = before.to_owned();
    if !value.is_empty() {
        // `key =` gets the space it lacks; `key=value` keeps its style.
        let key_part = &before[..after_equals - 1];
        if spaces == 0 && old.is_empty() && key_part.ends_with(WHITESPACE) {
            text.push(' ');
        }
        text.push_str(value);
        // `key = # note` had its comment right where the value goes.
        if !after.is_empty() && !after.starts_with(WHITESPACE) {
            text.push(' ');
        }
    }
    text.push_str(after);
    let mut splices = vec![(line.start..line.start + line.text.len(), text)];
    splices.extend(
        property_lines(lines, at)
            .skip(1)
            .map(|at| (lines[at].span(), String::new())),
    );
    splices
}

/// Applies the splices to the text.
pub(super) fn splice(text: &str, mut splices: Splices) -> String {
    splices.sort_by_key(|(range, _)| range.start);
    let mut result = String::with_capacity(text.len() + 64);
    let mut from = 0;
    for (range, replacement) in splices {
        result.push_str(&text[from..range.start]);
        result.push_str(&replacement);
        from = range.end;
    }
    result.push_str(&text[from..]);
    result
}
