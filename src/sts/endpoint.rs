//! An STS endpoint override and where it was set; which one applies is `resolve`'s call.

use std::fmt;

use crate::config::Location;

/// An endpoint override and where it was set. Reads as its URL (`Deref<Target = str>`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub url: String,
    pub origin: Origin,
}

/// Where an endpoint override was set, for messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    Variable(&'static str),
    File {
        /// The property as the user would look for it (`endpoint_url`, `sts.endpoint_url`).
        key: &'static str,
        location: Option<Location>,
    },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Variable(name) => write!(f, "from {name}"),
            Origin::File {
                key,
                location: Some(location),
            } => write!(f, "{key} at {location}"),
            Origin::File {
                key,
                location: None,
            } => write!(f, "{key} in the AWS config"),
        }
    }
}

impl std::ops::Deref for Endpoint {
    type Target = str;

    fn deref(&self) -> &str {
        &self.url
    }
}
