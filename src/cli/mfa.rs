//! `rsume mfa …`: the life of an IAM user's virtual MFA device.

use clap::Subcommand;
use clap_complete::engine::ArgValueCandidates;

use super::complete::profile_candidates;

/// `rsume mfa …`: each takes the profile that holds the IAM user's long-term keys.
#[derive(Debug, Subcommand)]
pub enum MfaCommand {
    /// Create a virtual MFA device, show its QR code, enable it with two codes and set the
    /// profile's mfa_serial
    Setup {
        #[arg(add = ArgValueCandidates::new(profile_candidates))]
        profile: String,
        /// Name of the new device [default: the IAM user's name]
        #[arg(long, value_name = "NAME")]
        device_name: Option<String>,
        /// Also write the QR code to this new PNG file (created private: it holds the seed)
        #[arg(long, value_name = "FILE")]
        qr_png: Option<std::path::PathBuf>,
    },
    /// List the IAM user's MFA devices and mark the one the profile uses
    List {
        #[arg(add = ArgValueCandidates::new(profile_candidates))]
        profile: String,
    },
    /// Deactivate and delete the profile's MFA device, and drop its mfa_serial
    Remove {
        #[arg(add = ArgValueCandidates::new(profile_candidates))]
        profile: String,
        /// The device to remove [default: the profile's mfa_serial, else the user's only one]
        #[arg(long, value_name = "ARN")]
        serial: Option<String>,
        /// Do not ask for confirmation (for scripts)
        #[arg(short, long)]
        yes: bool,
    },
}
