//! Turning the sections of one file into profiles, sso-sessions and services sections.
//!
//! Follows aws-config's `normalize.rs`: what a header means depends on the file, names and keys
//! must be identifiers, `[profile default]` hides `[default]` in the same file, and later
//! definitions win key by key. Anything ignored leaves a warning instead of an error, because the
//! SDKs carry on in those cases and rsume must see the same profiles they do.

use super::lines::{WHITESPACE, range_in, trim};
use super::parse::{self, Event, RawProperty, SyntaxError};
use super::profile::{Origin, Profile, Properties, Property, Value};
use super::{FileKind, ProfileSet};
use crate::log::printable;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

const DEFAULT: &str = "default";
const PROFILE: &str = "profile";
const SSO_SESSION: &str = "sso-session";
const SERVICES: &str = "services";

/// Shown in warnings so that the fix is obvious.
const IDENTIFIER_CHARS: &str = "letters, digits and - _ / . % @ : +";

/// Where the properties of a valid section go.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Profile,
    SsoSession,
    Services,
}

/// A section header that passed validation.
struct Target<'a> {
    kind: Kind,
    name: &'a str,
    /// `[profile default]` or `[default]`; they compete with each other.
    default: Option<Prefixed>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Prefixed {
    Yes,
    No,
}

/// Where the properties of the current section go.
enum Current<'s, 't> {
    /// Before the first header, or in an ignored section.
    Nowhere,
    Section(&'s mut Profile),
    /// A `[default]` or `[profile default]` section, held back until the end of the file shows
    /// whether `[profile default]` exists.
    HeldBack(&'s mut Vec<RawProperty<'t>>),
}

/// Reads one file's text into `set`; files must be merged config first, so that the credentials
/// file wins. Warnings go to `set.warnings`, in line order.
pub(super) fn merge_in(
    set: &mut ProfileSet,
    origin: &Arc<Origin>,
    kind: FileKind,
) -> Result<(), SyntaxError> {
    let shown = origin.path.display();
    let mut warnings: Vec<(usize, String)> = Vec::new();
    let mut prefixed_default: Option<Vec<RawProperty<'_>>> = None;
    let mut unprefixed_default: Option<Vec<RawProperty<'_>>> = None;
    let mut unprefixed_default_lines: Vec<usize> = Vec::new();

    let mut current = Current::Nowhere;
    for event in parse::events(&origin.text) {
        match event? {
            Event::Section { header, line } => {
                current = Current::Nowhere;
                let target = match classify(header, kind) {
                    Ok(target) => target,
                    Err(reason) => {
                        warnings.push((
                            line,
                            format!(
                                "{shown}:{line}: section [{}] ignored: {reason}",
                                printable(trim(header)),
                            ),
                        ));
                        continue;
                    }
                };
                current = match (target.kind, target.default) {
                    (_, Some(Prefixed::Yes)) => {
                        Current::HeldBack(prefixed_default.get_or_insert_with(Vec::new))
                    }
                    (_, Some(Prefixed::No)) => {
                        unprefixed_default_lines.push(line);
                        Current::HeldBack(unprefixed_default.get_or_insert_with(Vec::new))
                    }
                    (Kind::Profile, None) => {
                        Current::Section(entry(&mut set.profiles, target.name))
                    }
                    (Kind::SsoSession, None) => {
                        Current::Section(entry(&mut set.sso_sessions, target.name))
                    }
                    (Kind::Services, None) => {
                        Current::Section(entry(&mut set.services, target.name))
                    }
                };
            }
            Event::Property(property) => match &mut current {
                Current::Nowhere => {}
                Current::Section(section) => insert(section, property, origin, &mut warnings),
                Current::HeldBack(properties) => properties.push(property),
            },
        }
    }

    // Decided per file over the whole file, as in aws-config: `[profile default]` anywhere
    // replaces every `[default]` of the same file, whichever comes first. The losing sections
    // are dropped before their keys are checked, so they cause no key warnings.
    let default = match (prefixed_default, unprefixed_default) {
        (Some(prefixed), _) => {
            for line in unprefixed_default_lines {
                warnings.push((
                    line,
                    format!(
                        "{shown}:{line}: section [default] ignored: [profile default] in the same file takes priority"
                    ),
                ));
            }
            Some(prefixed)
        }
        (None, unprefixed) => unprefixed,
    };
    if let Some(properties) = default {
        let section = entry(&mut set.profiles, DEFAULT);
        for property in properties {
            insert(section, property, origin, &mut warnings);
        }
    }

    warnings.sort_by_key(|(line, _)| *line);
    set.warnings
        .extend(warnings.into_iter().map(|(_, warning)| warning));
    Ok(())
}

/// Adds a property to a section, replacing an earlier value of the same key, or warns when the
/// key is not a valid name.
fn insert(
    section: &mut Profile,
    property: RawProperty<'_>,
    origin: &Arc<Origin>,
    warnings: &mut Vec<(usize, String)>,
) {
    let line = property.line;
    if !is_identifier(property.key) {
        // The key is not shown: a line that is not a real key may be a pasted secret.
        warnings.push((
            line,
            format!(
                "{}:{line}: property ignored: its name may only use {IDENTIFIER_CHARS}",
                origin.path.display()
            ),
        ));
        return;
    }
    let key = match KNOWN_KEYS
        .iter()
        .find(|known| known.eq_ignore_ascii_case(property.key))
    {
        Some(known) => Cow::Borrowed(*known),
        None => Cow::Owned(property.key.to_ascii_lowercase()),
    };
    let value = match property.value {
        Cow::Borrowed(value) => match range_in(&origin.text, value) {
            Some(range) => Value::InFile(range),
            None => Value::Owned(value.into()),
        },
        Cow::Owned(value) => Value::Owned(value.into_boxed_str()),
    };
    section.properties.insert(
        key,
        Property {
            origin: Arc::clone(origin),
            value,
            line,
        },
    );
}

/// Keys common enough to be worth a static string (allocation-free) in every profile.
const KNOWN_KEYS: &[&str] = &[
    "region",
    "output",
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "aws_security_token",
    "aws_account_id",
    "role_arn",
    "source_profile",
    "credential_source",
    "credential_process",
    "role_session_name",
    "external_id",
    "duration_seconds",
    "mfa_serial",
    "web_identity_token_file",
    "sso_session",
    "sso_account_id",
    "sso_role_name",
    "sso_region",
    "sso_start_url",
    "sso_registration_scopes",
    "services",
    "endpoint_url",
    "ca_bundle",
    "retry_mode",
    "max_attempts",
    "sts_regional_endpoints",
    "use_fips_endpoint",
    "use_dualstack_endpoint",
    "cli_pager",
];

/// Gets or creates the named section.
fn entry<'m>(map: &'m mut HashMap<String, Profile>, name: &str) -> &'m mut Profile {
    map.entry(name.to_owned()).or_insert_with(|| Profile {
        name: name.to_owned(),
        properties: Properties::new(),
    })
}

/// The profile a header defines in a file of this kind, if it defines one: its name, and
/// whether the header is `[profile default]`, which hides every `[default]` of the same file.
pub(super) fn profile_header(header: &str, kind: FileKind) -> Option<(&str, bool)> {
    match classify(header, kind) {
        Ok(Target {
            kind: Kind::Profile,
            name,
            default,
        }) => Some((name, default == Some(Prefixed::Yes))),
        _ => None,
    }
}

/// Decides what a header means in a file of the given kind, or why it is ignored.
///
/// The header splits at its first space or tab into a prefix and a name (`profile foo`);
/// without one it is a bare name (`default`, and so `[profilefoo]` is the bare name
/// `profilefoo`).
fn classify(header: &str, kind: FileKind) -> Result<Target<'_>, String> {
    let header = trim(header);
    // The SDK trims the parts with `str::trim` here, so other Unicode spaces go too.
    let (prefix, name) = match header.split_once(WHITESPACE) {
        Some((prefix, name)) => (Some(prefix.trim()), name.trim()),
        None => (None, header.trim()),
    };

    match (kind, prefix) {
        (FileKind::Config, None) if name == DEFAULT => Ok(Target {
            kind: Kind::Profile,
            name,
            default: Some(Prefixed::No),
        }),
        (FileKind::Config, None) if [PROFILE, SSO_SESSION, SERVICES].contains(&name) => {
            Err("it has no name".to_owned())
        }
        (FileKind::Config, None) => Err(format!(
            "in the config file a profile header is written [profile {}]",
            printable(name)
        )),
        (FileKind::Config, Some(prefix)) => {
            check_name(name)?;
            let kind = match prefix {
                PROFILE => Kind::Profile,
                SSO_SESSION => Kind::SsoSession,
                SERVICES => Kind::Services,
                _ => {
                    return Err(format!(
                        "unknown section type `{}` (expected profile, sso-session or services)",
                        printable(prefix)
                    ));
                }
            };
            let default = (kind == Kind::Profile && name == DEFAULT).then_some(Prefixed::Yes);
            Ok(Target {
                kind,
                name,
                default,
            })
        }
        (FileKind::Credentials, None) => {
            check_name(name)?;
            Ok(Target {
                kind: Kind::Profile,
                name,
                default: None,
            })
        }
        (FileKind::Credentials, Some(PROFILE)) => Err(format!(
            "in the credentials file a profile header is written [{}], without `profile`",
            printable(name)
        )),
        (FileKind::Credentials, Some(_)) => Err(
            "only profiles belong in the credentials file; move it to the config file".to_owned(),
        ),
    }
}

fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        Err("it has no name".to_owned())
    } else if is_identifier(name) {
        Ok(())
    } else {
        Err(format!(
            "the name `{}` may only use {IDENTIFIER_CHARS}",
            printable(name)
        ))
    }
}

/// Names and keys must match `[A-Za-z0-9_\-/.%@:+]+`.
fn is_identifier(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-/.%@:+".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_allow_the_documented_characters_only() {
        assert!(is_identifier("some-thing:long/the_one%only.foo@bar+"));
        assert!(is_identifier("ABCxyz019"));
        assert!(!is_identifier("foo!bar"));
        assert!(!is_identifier("a b"));
        assert!(!is_identifier("ü"));
        assert!(!is_identifier(""));
    }

    #[test]
    fn headers_split_at_first_whitespace() {
        let t = classify(" profile \t foo ", FileKind::Config).ok().unwrap();
        assert!(t.kind == Kind::Profile && t.name == "foo");
        let t = classify("profile\tdefault", FileKind::Config).ok().unwrap();
        assert!(t.default == Some(Prefixed::Yes));
        assert!(classify("profilefoo", FileKind::Config).is_err());
        let t = classify("sso-sessionfoo", FileKind::Credentials)
            .ok()
            .unwrap();
        assert!(t.kind == Kind::Profile && t.name == "sso-sessionfoo");
        assert!(classify("profile", FileKind::Config).is_err());
        assert!(classify("", FileKind::Credentials).is_err());
    }
}
