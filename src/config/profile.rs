//! One profile (or sso-session or services section) and its properties, stored so that loading
//! thousands of them stays cheap and so that `Debug` never shows a secret.

use super::Location;
use super::lines;
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

/// A named set of properties: a profile, or an sso-session or services section.
#[derive(Clone)]
pub struct Profile {
    pub(super) name: String,
    pub(super) properties: Properties,
}

/// A profile's properties, keyed by the lowercased key; well-known keys are static strings, so
/// most keys cost no allocation.
///
/// Profiles are many and small, so a few properties sit in a vector searched linearly, which is
/// much cheaper to build than a map. Past `FEW` they move to a hash map, so that a profile with
/// huge numbers of keys still loads in linear time.
#[derive(Clone)]
pub(super) enum Properties {
    Few(Vec<(Cow<'static, str>, Property)>),
    Many(HashMap<Cow<'static, str>, Property>),
}

impl Properties {
    const FEW: usize = 16;

    pub(super) fn new() -> Properties {
        Properties::Few(Vec::new())
    }

    /// `key` must already be lowercase.
    fn get(&self, key: &str) -> Option<&Property> {
        match self {
            Properties::Few(few) => few.iter().find(|(k, _)| k == key).map(|(_, p)| p),
            Properties::Many(many) => many.get(key),
        }
    }

    /// Adds or replaces; the later definition wins.
    pub(super) fn insert(&mut self, key: Cow<'static, str>, property: Property) {
        match self {
            Properties::Few(few) => {
                if let Some(slot) = few.iter_mut().find(|(k, _)| *k == key) {
                    slot.1 = property;
                } else if few.len() < Self::FEW {
                    few.push((key, property));
                } else {
                    let mut many: HashMap<_, _> = few.drain(..).collect();
                    many.insert(key, property);
                    *self = Properties::Many(many);
                }
            }
            Properties::Many(many) => {
                many.insert(key, property);
            }
        }
    }

    /// Sorted by key, so that output is stable.
    fn sorted(&self) -> Vec<(&str, &Property)> {
        let mut all: Vec<(&str, &Property)> = match self {
            Properties::Few(few) => few.iter().map(|(k, p)| (k.as_ref(), p)).collect(),
            Properties::Many(many) => many.iter().map(|(k, p)| (k.as_ref(), p)).collect(),
        };
        all.sort_unstable_by_key(|(key, _)| *key);
        all
    }
}

/// `[sso-session NAME]` and `[services NAME]` sections have the same shape as profiles.
pub type Section = Profile;

#[derive(Clone)]
pub(super) struct Property {
    /// The file it came from, shared by every property of that file.
    pub(super) origin: Arc<Origin>,
    pub(super) value: Value,
    pub(super) line: usize,
}

/// A value without its own allocation where possible: a single-line value is a range of the
/// file text. Profiles are many and small, and one allocation per value dominated load time.
#[derive(Clone)]
pub(super) enum Value {
    InFile(Range<usize>),
    /// A value with continuation lines, which is not a slice of the file.
    Owned(Box<str>),
}

/// One file's path and text, kept alive by the properties read from it.
pub(super) struct Origin {
    pub(super) path: PathBuf,
    pub(super) text: Arc<str>,
}

impl Property {
    /// Trimmed; continuation lines are appended as `"\n" + trimmed line`.
    fn value(&self) -> &str {
        match &self.value {
            // The range always lies in the text (see `normalize::insert`); `get` keeps even a
            // broken range from panicking.
            Value::InFile(range) => self.origin.text.get(range.clone()).unwrap_or_default(),
            Value::Owned(value) => value,
        }
    }
}

/// Keys whose values `Debug` must never print.
const SECRET_KEYS: [&str; 3] = [
    "aws_secret_access_key",
    "aws_session_token",
    "aws_security_token",
];

impl Profile {
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The value of `key` (matched case-insensitively), trimmed.
    ///
    /// As in aws-config, a property whose first line is empty and that has sub-properties reads
    /// as `"\n" + the sub-property lines`; use [`Profile::sub_property`] for those.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.property(key).map(Property::value)
    }

    /// The sub-property `sub` of `key`, as in `s3 =\n  max_concurrent_requests = 20`.
    ///
    /// `key` is matched case-insensitively but `sub` exactly, because aws-config stores
    /// sub-property names as written. Like aws-config, the line is split on its first '=' and
    /// not stripped of comments; the last definition wins.
    pub fn sub_property(&self, key: &str, sub: &str) -> Option<&str> {
        // Only a property with an empty first line has sub-properties, and exactly those values
        // start with a newline (continuation lines are never empty).
        let lines = self.get(key)?.strip_prefix('\n')?;
        // Searching from the end finds the last definition first.
        lines
            .rsplit('\n')
            .filter_map(|line| line.split_once('='))
            .find(|(name, _)| lines::trim(name) == sub)
            .map(|(_, value)| lines::trim(value))
    }

    /// File and line where the winning value of `key` was defined.
    pub fn location(&self, key: &str) -> Option<Location> {
        self.property(key).map(|p| Location {
            path: p.origin.path.clone(),
            line: p.line,
        })
    }

    fn property(&self, key: &str) -> Option<&Property> {
        if key.bytes().any(|b| b.is_ascii_uppercase()) {
            self.properties.get(key.to_ascii_lowercase().as_str())
        } else {
            self.properties.get(key)
        }
    }
}

/// Hand-written so that secrets never reach logs or panic messages.
impl fmt::Debug for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Redacted;
        impl fmt::Debug for Redacted {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("<redacted>")
            }
        }
        struct Shown<'a>(&'a Properties);
        impl fmt::Debug for Shown<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut map = f.debug_map();
                for (key, property) in self.0.sorted() {
                    if SECRET_KEYS.contains(&key) {
                        map.entry(&key, &Redacted);
                    } else {
                        map.entry(&key, &property.value());
                    }
                }
                map.finish()
            }
        }
        f.debug_struct("Profile")
            .field("name", &self.name)
            .field("properties", &Shown(&self.properties))
            .finish()
    }
}
