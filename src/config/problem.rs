//! What can be wrong with one line of a profile file, found by the tokenizer (`lines.rs`) and
//! reported by reading (`parse.rs`) and editing alike.

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
