//! An MFA device's serial number, as IAM lists it and `mfa_serial` names it: what is
//! well-formed, and which kind of device it names (so whether STS can take its codes).

use std::fmt;

/// The kind of device a serial names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SerialKind {
    /// `arn:PARTITION:iam::ACCOUNT:mfa/NAME` (a path allowed): a virtual device, or a TOTP
    /// token IAM names by ARN. IAM deletes only these (DeleteVirtualMFADevice).
    Device,
    /// `arn:PARTITION:iam::ACCOUNT:u2f/...`: a FIDO security key or passkey. It gives no
    /// codes, so STS cannot take it as a SerialNumber.
    SecurityKey,
    /// A hardware token's own serial number (`GAHT12345678`): 9 to 256 characters.
    Hardware,
}

/// A well-formed serial and its kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Serial {
    text: String,
    kind: SerialKind,
}

/// The text is no serial IAM gives. Said after the serial itself ("mfa_serial = X …").
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("is neither an MFA device ARN nor a hardware token's serial number")]
pub struct MalformedSerial;

impl Serial {
    /// Reads `text` by the rules of IAM's serial numbers: an ARN in a partition of the `aws`
    /// family, no region, a 12-digit account, and a name of IAM's name characters; or a
    /// hardware token's serial.
    pub fn parse(text: &str) -> Result<Self, MalformedSerial> {
        let kind = match text.strip_prefix("arn:") {
            None if (9..=256).contains(&text.len()) && text.chars().all(name_char) => {
                SerialKind::Hardware
            }
            None => return Err(MalformedSerial),
            Some(rest) => arn_kind(rest).ok_or(MalformedSerial)?,
        };
        Ok(Self {
            text: text.to_owned(),
            kind,
        })
    }

    pub fn kind(&self) -> SerialKind {
        self.kind
    }

    /// Whether the device gives time-based codes, the only kind STS takes.
    pub fn is_totp(&self) -> bool {
        self.kind != SerialKind::SecurityKey
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// `serial` and what kind of device it names, for a message about a code STS refused:
/// whether the device gives the TOTP codes STS checks, or what else the text is.
pub fn describe_device(serial: &str) -> String {
    let kind = match Serial::parse(serial).map(|serial| serial.kind()) {
        Ok(SerialKind::Device) => "a TOTP device named by ARN (virtual or hardware)",
        Ok(SerialKind::Hardware) => "a hardware TOTP token's serial",
        Ok(SerialKind::SecurityKey) => "a security key, not a TOTP device",
        Err(_) => "no TOTP device: not a serial IAM gives, so check mfa_serial",
    };
    format!("MFA device {serial}, {kind}")
}

impl fmt::Display for Serial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The characters IAM allows in a name or path.
fn name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "+=,.@_-/".contains(c)
}

/// The kind of `PARTITION:iam::ACCOUNT:RESOURCE` (the text after `arn:`), if well-formed.
fn arn_kind(rest: &str) -> Option<SerialKind> {
    let parts: Vec<&str> = rest.splitn(5, ':').collect();
    let [partition, service, region, account, resource] = parts[..] else {
        return None;
    };
    let partition_ok = partition == "aws"
        || partition.strip_prefix("aws-").is_some_and(|p| {
            !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c == '-')
        });
    let (kind, name) = if let Some(name) = resource.strip_prefix("mfa/") {
        (SerialKind::Device, name)
    } else {
        (SerialKind::SecurityKey, resource.strip_prefix("u2f/")?)
    };
    let well_formed = partition_ok
        && service == "iam"
        && region.is_empty()
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && !name.is_empty()
        && !name.ends_with('/')
        && name.chars().all(name_char);
    well_formed.then_some(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(text: &str) -> Result<SerialKind, MalformedSerial> {
        Serial::parse(text).map(|serial| serial.kind())
    }

    #[test]
    fn mfa_serials() {
        for good in [
            "arn:aws:iam::123456789012:mfa/alice",
            "arn:aws-us-gov:iam::123456789012:mfa/team/alice.b@x",
            "arn:aws-cn:iam::123456789012:mfa/alice",
            "GAHT12345678",
        ] {
            assert!(Serial::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "arn:aws:iam::123456789012:user/alice",
            "arn:aws:iam::12345678901:mfa/alice",
            "arn:aws:iam:us-east-1:123456789012:mfa/alice",
            "arn:aws:sts::123456789012:mfa/alice",
            "arn:aws:iam::123456789012:mfa/",
            "arn:aws:iam::123456789012:mfa/ali ce",
            "alice",
            "",
        ] {
            assert!(Serial::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn each_serial_knows_its_kind() {
        assert_eq!(
            kind("arn:aws:iam::123456789012:mfa/team/alice"),
            Ok(SerialKind::Device)
        );
        assert_eq!(kind("GAHT12345678"), Ok(SerialKind::Hardware));
        let key = "arn:aws:iam::123456789012:u2f/user/alice/default-ABCDEFGHIJKLMNOP";
        assert_eq!(kind(key), Ok(SerialKind::SecurityKey));
        assert_eq!(
            kind("arn:aws-cn:iam::123456789012:u2f/user/bob/key-1"),
            Ok(SerialKind::SecurityKey)
        );
        assert!(!Serial::parse(key).unwrap().is_totp());
        assert!(Serial::parse("GAHT12345678").unwrap().is_totp());
        assert!(
            Serial::parse("arn:aws:iam::123456789012:mfa/alice")
                .unwrap()
                .is_totp()
        );
    }

    #[test]
    fn security_keys_are_held_to_the_same_rules() {
        for bad in [
            "arn:aws:iam::123456789012:u2f/",
            "arn:aws:iam::123456789012:u2f/user/alice/",
            "arn:aws:iam::1:u2f/user/alice/key",
            "arn:aws:iam:us-east-1:123456789012:u2f/user/alice/key",
            "arn:aws:iam::123456789012:u2f/user/al ice/key",
            "arn:aws:iam::123456789012:u2fuser/alice",
        ] {
            assert_eq!(kind(bad), Err(MalformedSerial), "{bad}");
        }
    }

    #[test]
    fn a_device_is_described_by_its_kind() {
        assert_eq!(
            describe_device("arn:aws:iam::123456789012:mfa/alice"),
            "MFA device arn:aws:iam::123456789012:mfa/alice, a TOTP device named by ARN (virtual or hardware)"
        );
        assert!(describe_device("GAHT12345678").ends_with("a hardware TOTP token's serial"));
        assert!(
            describe_device("alice")
                .ends_with("no TOTP device: not a serial IAM gives, so check mfa_serial")
        );
    }

    #[test]
    fn the_serial_reads_back_as_written() {
        let text = "arn:aws:iam::123456789012:mfa/alice";
        let serial = Serial::parse(text).unwrap();
        assert_eq!(serial.as_str(), text);
        assert_eq!(serial.to_string(), text);
        assert_eq!(
            format!("mfa_serial = x {}", MalformedSerial),
            "mfa_serial = x is neither an MFA device ARN nor a hardware token's serial number"
        );
    }
}
