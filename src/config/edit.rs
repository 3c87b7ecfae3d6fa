//! Editing one profile file so that only the lines an edit means to change do change.
//!
//! A [`Document`] is the file's text, kept byte for byte. Each edit reads it with the same
//! tokenizer as the reader (`lines.rs`), finds the section the reader would use, splices new
//! lines into the text, and then reads the result back: an edit the AWS tools would not read
//! back as written is refused and leaves the document as it was. A file is changed only
//! through [`update`](super::update::update), which locks it, edits it as it is then and
//! replaces it atomically.
//!
//! Where the file defines a profile in several sections, the reader merges them key by key and
//! the last definition of a key wins; so a key is rewritten where it was last defined, and a
//! missing key is added to the last of those sections. In the config file, `[profile default]`
//! hides every `[default]`, so those are the sections edited when both exist.

use super::files::read_text;
use super::lines::{self, Kind, Line};
use super::lock::LockError;
use super::splice::{
    Splices, definitions, last_property_line, property_line, property_lines, rewrite, splice,
    text_span,
};
use super::write::{WriteError, replace_unless_changed};
use super::{ConfigError, FileKind, ProfileSet, merge_file, normalize};
use crate::log::printable;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Why an edit was not made. No variant carries a value, which may be a secret.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// The file cannot be read, or has a line the reader rejects.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The edit would not read back as written; the document is unchanged.
    #[error("cannot set {key} in profile {profile} in {}: {why}", path.display())]
    Refused {
        path: PathBuf,
        /// Escaped for display.
        profile: String,
        /// Escaped for display.
        key: String,
        why: &'static str,
    },
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    Lock(#[from] LockError),
    /// Another program kept changing the file while rsume was editing it.
    #[error("{} kept changing while rsume was editing it (another program writing it?); the file is unchanged: try again", .0.display())]
    KeptChanging(PathBuf),
}

const LINE_BREAK: &str = "a name or value cannot hold a line break";
const NOT_READ_BACK: &str = "the AWS tools would not read it back as written (a value cannot \
    start or end with spaces or hold \" #\" or \" ;\", and names may only use letters, digits \
    and - _ / . % @ : +)";

/// One profile file's text, to be edited and saved. No `Debug` of the text: it holds secrets.
pub struct Document {
    kind: FileKind,
    path: PathBuf,
    text: String,
    /// The text as read, to tell whether an edit changed it and whether the file still holds
    /// it just before it is replaced.
    original: String,
}

impl Document {
    /// A document of the given text; fails as the reader would, naming `path` and the line.
    pub fn parse(
        kind: FileKind,
        path: impl Into<PathBuf>,
        text: impl Into<String>,
    ) -> Result<Document, EditError> {
        let text = text.into();
        let document = Document {
            kind,
            path: path.into(),
            original: text.clone(),
            text,
        };
        read(kind, &document.path, &document.text)?;
        Ok(document)
    }

    /// Reads the file at `path` (through a symbolic link); a missing file is an empty document.
    pub fn load(kind: FileKind, path: impl Into<PathBuf>) -> Result<Document, EditError> {
        let path = path.into();
        let text = read_text(&path)?.unwrap_or_default();
        Document::parse(kind, path, text)
    }

    /// The text, with every edit made so far.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether an edit changed the text.
    pub fn is_changed(&self) -> bool {
        self.text != self.original
    }

    /// Replaces the file with the text, atomically, keeping its mode and owner, unless the
    /// file no longer holds the text it was read with (another program wrote it): then it is
    /// left alone and the answer is `false`. Unreadable counts as changed, and a missing file
    /// as empty, as when it was read.
    pub(super) fn save_if_unchanged(&self) -> Result<bool, EditError> {
        let unchanged =
            || read_text(&self.path).is_ok_and(|now| now.unwrap_or_default() == self.original);
        Ok(replace_unless_changed(
            &self.path,
            self.text.as_bytes(),
            unchanged,
        )?)
    }

    /// The value of `key` in `profile` as the reader reads it from this file alone.
    pub fn get(&self, profile: &str, key: &str) -> Option<String> {
        let set = read(self.kind, &self.path, &self.text).ok()?;
        set.profile(profile)?.get(key).map(str::to_owned)
    }

    /// Sets `key` to `value` in `profile`: rewrites the line where the key is defined (keeping
    /// its spacing and an inline comment, and dropping its continuation lines), else adds a
    /// line after the section's last property, else appends the section to the file.
    pub fn set(&mut self, profile: &str, key: &str, value: &str) -> Result<(), EditError> {
        let refuse = |why| EditError::Refused {
            path: self.path.clone(),
            profile: printable(profile).into_owned(),
            key: printable(key).into_owned(),
            why,
        };
        if [profile, key, value]
            .iter()
            .any(|s| s.contains(['\r', '\n']))
        {
            return Err(refuse(LINE_BREAK));
        }
        let lines: Vec<Line> = lines::lines(&self.text).collect();
        let sections = self.sections(&lines, profile, true);
        let splices = match (definitions(&lines, &sections, key).last(), sections.last()) {
            (Some(&at), _) => rewrite(&lines, at, value),
            (None, Some(section)) => self.insert(&lines, section, key, value),
            (None, None) => self.append(&lines, profile, key, value),
        };
        let text = splice(&self.text, splices);
        let read_back = read(self.kind, &self.path, &text).ok();
        if read_back
            .as_ref()
            .and_then(|set| set.profile(profile)?.get(key))
            != Some(value)
        {
            return Err(refuse(NOT_READ_BACK));
        }
        self.text = text;
        Ok(())
    }

    /// Removes every definition of `key` in `profile`, with its continuation lines; says
    /// whether there was one.
    pub fn remove(&mut self, profile: &str, key: &str) -> bool {
        let lines: Vec<Line> = lines::lines(&self.text).collect();
        let sections = self.sections(&lines, profile, true);
        let splices: Splices = definitions(&lines, &sections, key)
            .into_iter()
            .flat_map(|at| property_lines(&lines, at))
            .map(|at| (lines[at].span(), String::new()))
            .collect();
        let removed = !splices.is_empty();
        self.text = splice(&self.text, splices);
        removed
    }

    /// Every section that defines `profile` (in the config file, `[default]` and
    /// `[profile default]` alike), each read on its own, in file order: what rsume may do
    /// with a section is decided on that section, never on the profile they merge into.
    pub fn sections_of(&self, profile: &str) -> Vec<Section> {
        let lines: Vec<Line> = lines::lines(&self.text).collect();
        self.sections(&lines, profile, false)
            .iter()
            .map(|range| Section {
                profile: profile.to_owned(),
                set: read(self.kind, &self.path, &self.text[text_span(&lines, range)]).ok(),
            })
            .collect()
    }

    /// Removes each section that defines `profile` (as [`Document::sections_of`] lists them)
    /// for which `which` says so: from its header to its last property and the blank lines
    /// after it. Comments after the last property stay, as they often describe the next
    /// section. Returns how many went.
    pub fn remove_sections(&mut self, profile: &str, which: impl Fn(&Section) -> bool) -> usize {
        let lines: Vec<Line> = lines::lines(&self.text).collect();
        let splices: Splices = self
            .sections(&lines, profile, false)
            .into_iter()
            .zip(self.sections_of(profile))
            .filter(|(_, section)| which(section))
            .map(|(section, _)| {
                let mut end = last_property_line(&lines, &section).unwrap_or(section.start) + 1;
                while end < section.end && matches!(lines[end].kind, Kind::Blank) {
                    end += 1;
                }
                (
                    lines[section.start].start..lines[end - 1].span().end,
                    String::new(),
                )
            })
            .collect();
        let removed = splices.len();
        self.text = splice(&self.text, splices);
        removed
    }

    /// The sections (as ranges of line indexes, header first) that define `profile`. With
    /// `winning`, only those the reader uses: `[profile default]` hides `[default]`.
    fn sections(&self, lines: &[Line], profile: &str, winning: bool) -> Vec<Range<usize>> {
        let mut found: Vec<(Range<usize>, bool)> = Vec::new();
        let mut current: Option<(usize, bool)> = None;
        let mut close = |current: &mut Option<(usize, bool)>, end| {
            if let Some((start, prefixed)) = current.take() {
                found.push((start..end, prefixed));
            }
        };
        for (index, line) in lines.iter().enumerate() {
            if let Kind::Header(header) = line.kind {
                close(&mut current, index);
                current = normalize::profile_header(header, self.kind)
                    .filter(|(name, _)| *name == profile)
                    .map(|(_, prefixed)| (index, prefixed));
            }
        }
        close(&mut current, lines.len());
        let hidden = winning && found.iter().any(|(_, prefixed)| *prefixed);
        found
            .into_iter()
            .filter(|(_, prefixed)| *prefixed || !hidden)
            .map(|(range, _)| range)
            .collect()
    }

    /// A new `key = value` line after the section's last property (or its header).
    fn insert(&self, lines: &[Line], section: &Range<usize>, key: &str, value: &str) -> Splices {
        let anchor = &lines[last_property_line(lines, section).unwrap_or(section.start)];
        let end = anchor.span().end;
        let newline = self.newline();
        let property = property_line(key, value);
        let added = if anchor.ending.is_empty() {
            // The file ends here without a newline, and keeps ending without one.
            format!("{newline}{property}")
        } else {
            format!("{property}{newline}")
        };
        vec![(end..end, added)]
    }

    /// The section with its one property at the end of the file, after a blank line.
    fn append(&self, lines: &[Line], profile: &str, key: &str, value: &str) -> Splices {
        let newline = self.newline();
        let mut added = String::new();
        if let Some(last) = lines.last() {
            if last.ending.is_empty() {
                added.push_str(newline);
            }
            if !matches!(last.kind, Kind::Blank) {
                added.push_str(newline);
            }
        }
        let header = match self.kind {
            FileKind::Config if profile == "default" => "[default]".to_owned(),
            FileKind::Config => format!("[profile {profile}]"),
            FileKind::Credentials => format!("[{profile}]"),
        };
        let property = property_line(key, value);
        added.push_str(&format!("{header}{newline}{property}{newline}"));
        let end = self.text.len();
        vec![(end..end, added)]
    }

    /// The newline most lines of the file end with; `\n` on a tie or an empty file.
    fn newline(&self) -> &'static str {
        let crlf = self.text.matches("\r\n").count();
        let lf = self.text.matches('\n').count() - crlf;
        if crlf > lf { "\r\n" } else { "\n" }
    }
}

/// Hand-written so that `{:?}` never prints the text, which holds secrets.
impl fmt::Debug for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Document")
            .field("kind", &self.kind)
            .field("path", &self.path)
            .field("text_len", &self.text.len())
            .finish()
    }
}

/// One section of a profile, read on its own. No `Debug`: it holds secrets.
pub struct Section {
    profile: String,
    /// `None` when the section alone cannot be read (nothing in it is then trusted).
    set: Option<ProfileSet>,
}

impl Section {
    /// The value of `key` as this section alone defines it.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.set.as_ref()?.profile(&self.profile)?.get(key)
    }
}

/// Reads the text alone, as the reader would read that file.
fn read(kind: FileKind, path: &Path, text: &str) -> Result<ProfileSet, ConfigError> {
    let mut set = ProfileSet::default();
    merge_file(&mut set, kind, path, Arc::from(text))?;
    Ok(set)
}
