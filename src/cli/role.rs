//! An ad-hoc role (`--role-arn` and the flags that go with it), and the spellings those flags
//! take.

use clap::Args;
use clap_complete::engine::ArgValueCandidates;

use super::complete::profile_candidates;

/// An ad-hoc role: assumed by its ARN, with no profile for it in the files.
#[derive(Debug, Args)]
#[command(next_help_heading = "Ad-hoc role")]
pub struct RoleArgs {
    /// Assume this role instead of a profile: an ARN, ACCOUNT:ROLE or PARTITION:ACCOUNT:ROLE
    #[arg(long, value_name = "ARN", value_parser = parse_role_arn,
          conflicts_with_all = ["profile", "profile_flag", "unset", "list_profiles", "auto_refresh"])]
    pub role_arn: Option<String>,

    /// The profile whose credentials assume the role [default: the keys in the environment]
    #[arg(long, value_name = "PROFILE", requires = "role_arn",
          add = ArgValueCandidates::new(profile_candidates))]
    pub source_profile: Option<String>,

    /// The external ID the role's trust policy asks for
    #[arg(long, value_name = "ID", requires = "role_arn")]
    pub external_id: Option<String>,

    /// The role session's name, as CloudTrail shows it [default: rsume-ROLE]
    #[arg(long, value_name = "NAME", requires = "role_arn")]
    pub role_session_name: Option<String>,

    /// An MFA device: get an MFA session with it before assuming the role
    #[arg(long, value_name = "ARN", requires = "role_arn")]
    pub mfa_serial: Option<String>,

    /// Session tags: KEY=VALUE,KEY=VALUE
    #[arg(long, value_name = "KEY=VALUE,...", requires = "role_arn",
          value_parser = |text: &str| parse_tags(text).map(Tags))]
    pub tags: Option<Tags>,

    /// An inline session policy (JSON), or @FILE to read it from a file
    #[arg(long, value_name = "JSON|@FILE", requires = "role_arn")]
    pub session_policy: Option<String>,

    /// Managed policies to narrow the session with: ARN,ARN
    #[arg(
        long,
        value_name = "ARN,...",
        value_delimiter = ',',
        requires = "role_arn"
    )]
    pub session_policy_arns: Vec<String>,
}

/// Session tags from `--tags`, in order.
#[derive(Clone, Debug)]
pub struct Tags(pub Vec<(String, String)>);

/// `arn:PARTITION:iam::ACCOUNT:role/NAME`, `ACCOUNT:NAME` or `PARTITION:ACCOUNT:NAME` (the
/// account is 12 digits), as a full ARN.
pub fn parse_role_arn(text: &str) -> Result<String, String> {
    const HINT: &str =
        "use a role ARN, ACCOUNT:ROLE or PARTITION:ACCOUNT:ROLE (the account is 12 digits)";
    let account_ok =
        |account: &str| account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    let name_ok = |name: &str| {
        !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-/".contains(c))
    };
    let parts: Vec<&str> = text.split(':').collect();
    let (partition, account, role) = match parts.as_slice() {
        ["arn", partition, "iam", "", account, resource] => {
            let role = resource.strip_prefix("role/").ok_or(HINT)?;
            (*partition, *account, role)
        }
        [account, role] => ("aws", *account, *role),
        [partition, account, role] => (*partition, *account, *role),
        _ => return Err(HINT.into()),
    };
    let partition_ok = partition.starts_with("aws")
        && partition
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == '-');
    if !partition_ok || !account_ok(account) || !name_ok(role) {
        return Err(HINT.into());
    }
    Ok(format!("arn:{partition}:iam::{account}:role/{role}"))
}

/// `key=value,key=value`, in order; a key or value cannot be empty or hold `,` or `=`.
pub fn parse_tags(text: &str) -> Result<Vec<(String, String)>, String> {
    text.split(',')
        .map(|pair| match pair.split_once('=') {
            Some((key, value)) if !key.is_empty() && !value.contains('=') => {
                Ok((key.to_owned(), value.to_owned()))
            }
            _ => Err(format!(
                "'{pair}' is not key=value; use --tags key=value,key=value"
            )),
        })
        .collect()
}
