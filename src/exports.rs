//! Which environment variables rsume sets and clears: the product's contract with the
//! shell, in one table (`OWNED`) for `rsume <profile>`, `--auto-refresh` and `rsume --unset`.
//!
//! The region is the one variable a user often sets by hand. rsume remembers what it
//! exported itself (`RSUME_REGION`), so a region it set never outlives a switch to a profile
//! without one, and it keeps the user's own region aside (`RSUME_SAVED_REGION`, set only while
//! rsume's region replaces it) to put it back later.

use crate::credentials::Credentials;
use crate::shell::Change;
use crate::time;

const ACCESS_KEY_ID: &str = "AWS_ACCESS_KEY_ID";
const SECRET_ACCESS_KEY: &str = "AWS_SECRET_ACCESS_KEY";
const SESSION_TOKEN: &str = "AWS_SESSION_TOKEN";
const EXPIRATION: &str = "AWS_CREDENTIAL_EXPIRATION";
const REGION: &str = "AWS_REGION";
const DEFAULT_REGION: &str = "AWS_DEFAULT_REGION";
const PROFILE_MARKER: &str = "RSUME_PROFILE";
/// The region rsume exported last, so the next run can tell it from the user's own.
const OUR_REGION: &str = "RSUME_REGION";
/// The user's own region while rsume's replaces it.
const SAVED_REGION: &str = "RSUME_SAVED_REGION";
const SAVED_DEFAULT_REGION: &str = "RSUME_SAVED_DEFAULT_REGION";
/// What prompt tools read (starship's and powerlevel10k's aws segments): the profile, and
/// the expiry as RFC 3339, the format starship parses.
const PROMPT_PROFILE: &str = "AWSUME_PROFILE";
/// The account the SDKs use for account-based endpoints (`account_id_endpoint_mode`).
const ACCOUNT_ID: &str = "AWS_ACCOUNT_ID";
const PROMPT_EXPIRATION: &str = "AWSUME_EXPIRATION";
/// When the shell hook of `rsume init --auto-refresh` assumes the profile again, in epoch
/// seconds, so a shell with a clock of its own compares without starting a process.
const REFRESH_AT: &str = "RSUME_REFRESH_AT";
/// How long before the expiry the hook refreshes: the cache's role margin, capped at half
/// the time left, so short sessions are not refreshed at every prompt.
const REFRESH_MARGIN: u64 = 15 * 60;
/// What the hook repeats (see `cmd::repeat`): the profile and the flags that shaped the
/// result, in a form rsume parses back itself, so the hook evaluates nothing.
const REFRESH_ARGS: &str = "RSUME_REFRESH_ARGS";
/// Set by `--auto-refresh` to name rsume's own profile.
const AWS_PROFILE: &str = "AWS_PROFILE";

/// Every variable rsume sets or clears, in the order the exports list them. Each mode
/// (`assume`, `refreshing`, `unset`) says only what it sets (and the regions); every other
/// variable here is unset by it, so nothing an earlier mode set outlives a switch.
/// `AWS_DEFAULT_PROFILE` and `AWS_SECURITY_TOKEN` are never set: left from an earlier
/// session, they would outrank or confuse the exported keys.
const OWNED: [&str; 18] = [
    AWS_PROFILE,
    "AWS_DEFAULT_PROFILE",
    "AWS_SECURITY_TOKEN",
    ACCESS_KEY_ID,
    SECRET_ACCESS_KEY,
    SESSION_TOKEN,
    ACCOUNT_ID,
    EXPIRATION,
    PROMPT_EXPIRATION,
    REFRESH_AT,
    REFRESH_ARGS,
    REGION,
    SAVED_REGION,
    DEFAULT_REGION,
    SAVED_DEFAULT_REGION,
    OUR_REGION,
    PROFILE_MARKER,
    PROMPT_PROFILE,
];

type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Exports for `creds` of `profile`, in `account` when it is known. `repeat` is what the
/// prompt hook runs again to renew them (`None`: a run it cannot repeat, so the hook is not
/// armed).
pub fn assume(
    profile: &str,
    creds: &Credentials,
    account: Option<&str>,
    region: Option<&str>,
    repeat: Option<&str>,
    env: Env<'_>,
) -> Vec<Change> {
    let mut changes = vec![
        set(ACCESS_KEY_ID, &creds.access_key_id),
        set(SECRET_ACCESS_KEY, creds.secret_access_key.expose()),
    ];
    if let Some(token) = &creds.session_token {
        changes.push(set(SESSION_TOKEN, token.expose()));
    }
    if let Some(account) = account {
        changes.push(set(ACCOUNT_ID, account));
    }
    if let Some(at) = creds.expiration {
        changes.push(set(EXPIRATION, &time::rfc3339(at)));
        changes.push(set(PROMPT_EXPIRATION, &time::rfc3339(at)));
        if let Some(repeat) = repeat {
            let left = time::seconds_left(at).max(0) as u64;
            let due = time::epoch_seconds(at) - REFRESH_MARGIN.min(left / 2) as i64;
            changes.push(set(REFRESH_AT, &due.to_string()));
            changes.push(set(REFRESH_ARGS, repeat));
        }
    }
    changes.extend(regions(region, env));
    changes.push(set(PROFILE_MARKER, profile));
    changes.push(set(PROMPT_PROFILE, profile));
    in_table_order(changes)
}

/// Exports for `--auto-refresh`: `AWS_PROFILE` names `refresh_profile`, whose
/// credential_process asks rsume for `profile`'s credentials; no keys, so tools refresh on
/// their own, and no prompt hook. `unset` clears it all, `AWS_PROFILE` included.
pub fn refreshing(
    profile: &str,
    refresh_profile: &str,
    region: Option<&str>,
    env: Env<'_>,
) -> Vec<Change> {
    let mut changes = vec![set(AWS_PROFILE, refresh_profile)];
    changes.extend(regions(region, env));
    changes.push(set(PROFILE_MARKER, profile));
    changes.push(set(PROMPT_PROFILE, profile));
    in_table_order(changes)
}

/// Exports for a program served by `rsume exec --server`: the region and the profile's
/// name, and no keys at all, so its SDK asks the endpoint (which the caller names in the
/// container variables) and nothing in the environment outranks it.
pub fn served(profile: &str, region: Option<&str>, env: Env<'_>) -> Vec<Change> {
    let mut changes = regions(region, env);
    changes.push(set(PROFILE_MARKER, profile));
    changes.push(set(PROMPT_PROFILE, profile));
    in_table_order(changes)
}

/// Clears everything `assume` and `refreshing` may have set, and puts back the user's own
/// region.
pub fn unset(env: Env<'_>) -> Vec<Change> {
    in_table_order(regions(None, env))
}

fn set(name: &'static str, value: &str) -> Change {
    Change::Set {
        name,
        value: value.to_owned(),
    }
}

/// The one rule: every owned variable once, in `OWNED`'s order, as the mode's `changes`
/// say, else unset.
fn in_table_order(mut changes: Vec<Change>) -> Vec<Change> {
    let name_of = |change: &Change| match change {
        Change::Set { name, .. } | Change::Unset(name) => *name,
        Change::Print(_) => unreachable!("exports print nothing"),
    };
    let ordered = OWNED
        .into_iter()
        .map(
            |owned| match changes.iter().position(|c| name_of(c) == owned) {
                Some(at) => changes.swap_remove(at),
                None => Change::Unset(owned),
            },
        )
        .collect();
    debug_assert!(
        changes.is_empty(),
        "not in OWNED: {:?}",
        changes.iter().map(name_of).collect::<Vec<_>>()
    );
    ordered
}

/// The region variables for a profile with `region` (or none): rsume's region replaces
/// whatever is there, keeping the user's own aside; without one, the user's own comes back
/// and a region rsume set earlier goes.
fn regions(region: Option<&str>, env: Env<'_>) -> Vec<Change> {
    let ours = env(OUR_REGION);
    let mut changes = Vec::new();
    for (name, saved) in [
        (REGION, SAVED_REGION),
        (DEFAULT_REGION, SAVED_DEFAULT_REGION),
    ] {
        // A value that differs from what rsume last exported is the user's, set since.
        let users = env(name)
            .filter(|current| Some(current) != ours.as_ref())
            .or_else(|| env(saved));
        match (region, users) {
            (Some(region), users) => {
                changes.push(Change::Set {
                    name,
                    value: region.to_owned(),
                });
                changes.push(match users {
                    Some(value) => Change::Set { name: saved, value },
                    None => Change::Unset(saved),
                });
            }
            (None, Some(value)) => {
                changes.push(Change::Set { name, value });
                changes.push(Change::Unset(saved));
            }
            (None, None) => {
                changes.push(Change::Unset(name));
                changes.push(Change::Unset(saved));
            }
        }
    }
    changes.push(match region {
        Some(region) => Change::Set {
            name: OUR_REGION,
            value: region.to_owned(),
        },
        None => Change::Unset(OUR_REGION),
    });
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Secret;
    use std::collections::HashMap;

    fn creds() -> Credentials {
        Credentials {
            access_key_id: "AKID".into(),
            secret_access_key: Secret::new("s"),
            session_token: Some(Secret::new("t")),
            expiration: time::parse_rfc3339("2026-11-28T13:07:00.5Z"),
        }
    }

    /// Applies changes to a map, as a shell would.
    fn apply(vars: &mut HashMap<String, String>, changes: &[Change]) {
        for change in changes {
            match change {
                Change::Set { name, value } => {
                    vars.insert((*name).to_owned(), value.clone());
                }
                Change::Unset(name) => {
                    vars.remove(*name);
                }
                Change::Print(_) => unreachable!(),
            }
        }
    }

    fn run(vars: &mut HashMap<String, String>, region: Option<&str>) {
        let snapshot = vars.clone();
        let env = move |name: &str| snapshot.get(name).cloned();
        let changes = match region {
            Some("--unset") => unset(&env),
            region => assume("p", &creds(), None, region, Some("again"), &env),
        };
        apply(vars, &changes);
    }

    #[test]
    fn unset_covers_everything_assume_touches() {
        let cleared: Vec<Change> = unset(&|_| None);
        for change in assume(
            "p",
            &creds(),
            None,
            Some("eu-west-1"),
            Some("again"),
            &|_| None,
        ) {
            let name = match change {
                Change::Set { name, .. } | Change::Unset(name) => name,
                Change::Print(_) => unreachable!(),
            };
            assert!(cleared.contains(&Change::Unset(name)), "{name}");
        }
    }

    #[test]
    fn a_region_rsume_set_does_not_survive_a_profile_without_one() {
        let mut vars = HashMap::new();
        run(&mut vars, Some("ap-southeast-2"));
        assert_eq!(vars["AWS_REGION"], "ap-southeast-2");
        run(&mut vars, None);
        assert!(!vars.contains_key("AWS_REGION"), "{vars:?}");
        assert!(!vars.contains_key("AWS_DEFAULT_REGION"));
    }

    #[test]
    fn the_users_own_region_comes_back() {
        let mut vars = HashMap::from([
            ("AWS_REGION".to_owned(), "us-west-2".to_owned()),
            ("AWS_DEFAULT_REGION".to_owned(), "us-west-1".to_owned()),
        ]);
        run(&mut vars, Some("eu-west-1"));
        run(&mut vars, Some("ap-southeast-2"));
        assert_eq!(vars["AWS_REGION"], "ap-southeast-2");
        run(&mut vars, None);
        assert_eq!(vars["AWS_REGION"], "us-west-2");
        assert_eq!(vars["AWS_DEFAULT_REGION"], "us-west-1");
        run(&mut vars, Some("eu-west-1"));
        run(&mut vars, Some("--unset"));
        assert_eq!(vars["AWS_REGION"], "us-west-2");
        assert_eq!(vars["AWS_DEFAULT_REGION"], "us-west-1");
        assert!(!vars.keys().any(|k| k.starts_with("RSUME_")), "{vars:?}");
    }

    #[test]
    fn a_region_the_user_sets_between_runs_is_theirs() {
        let mut vars = HashMap::new();
        run(&mut vars, Some("eu-west-1"));
        vars.insert("AWS_REGION".into(), "sa-east-1".into());
        run(&mut vars, Some("eu-west-2"));
        run(&mut vars, None);
        assert_eq!(vars["AWS_REGION"], "sa-east-1");
    }

    #[test]
    fn the_refresh_hook_is_due_before_the_expiry() {
        let mut vars = HashMap::new();
        let mut creds = creds();
        let now = time::epoch_seconds(std::time::SystemTime::now());
        creds.expiration =
            Some(std::time::SystemTime::now() + std::time::Duration::from_secs(3600));
        apply(
            &mut vars,
            &assume("p", &creds, None, None, Some("again"), &|_| None),
        );
        let due: i64 = vars["RSUME_REFRESH_AT"].parse().unwrap();
        assert!((now + 2690..=now + 2710).contains(&due), "{due} vs {now}");
        creds.expiration = Some(std::time::SystemTime::now() + std::time::Duration::from_secs(600));
        apply(
            &mut vars,
            &assume("p", &creds, None, None, Some("again"), &|_| None),
        );
        let due: i64 = vars["RSUME_REFRESH_AT"].parse().unwrap();
        assert!(
            (now + 290..=now + 310).contains(&due),
            "half of 10 min left: {due} vs {now}"
        );
    }

    #[test]
    fn auto_refresh_names_the_profile_and_exports_no_keys() {
        let mut vars = HashMap::from([
            ("AWS_ACCESS_KEY_ID".to_owned(), "old".to_owned()),
            ("AWS_PROFILE".to_owned(), "mine".to_owned()),
        ]);
        let snapshot = vars.clone();
        let changes = refreshing("p", "rsume-p", Some("eu-west-1"), &|n| {
            snapshot.get(n).cloned()
        });
        apply(&mut vars, &changes);
        assert_eq!(vars["AWS_PROFILE"], "rsume-p");
        assert_eq!(vars["AWS_REGION"], "eu-west-1");
        assert!(!vars.contains_key("AWS_ACCESS_KEY_ID"), "{vars:?}");
        run(&mut vars, Some("--unset"));
        assert!(!vars.contains_key("AWS_PROFILE"), "{vars:?}");
    }

    #[test]
    fn every_mode_sets_or_unsets_each_owned_variable_once() {
        let env = |_: &str| Some("x".to_owned());
        for changes in [
            assume("p", &creds(), None, Some("r"), Some("again"), &env),
            assume("p", &creds(), None, None, None, &env),
            refreshing("p", "rsume-p", None, &env),
            unset(&env),
        ] {
            let names: Vec<&str> = changes
                .iter()
                .map(|change| match change {
                    Change::Set { name, .. } | Change::Unset(name) => *name,
                    Change::Print(_) => unreachable!(),
                })
                .collect();
            assert_eq!(names, OWNED);
        }
    }

    #[test]
    fn auto_refresh_disarms_the_prompt_hook() {
        let mut vars = HashMap::new();
        run(&mut vars, Some("eu-west-1"));
        assert!(vars.contains_key("RSUME_REFRESH_AT"));
        assert_eq!(vars["RSUME_REFRESH_ARGS"], "again");
        let snapshot = vars.clone();
        let changes = refreshing("p", "rsume-p", None, &|n| snapshot.get(n).cloned());
        apply(&mut vars, &changes);
        assert!(!vars.contains_key("RSUME_REFRESH_AT"), "{vars:?}");
        assert!(!vars.contains_key("RSUME_REFRESH_ARGS"), "{vars:?}");
        assert_eq!(vars["AWS_PROFILE"], "rsume-p");
    }

    #[test]
    fn a_run_the_hook_cannot_repeat_does_not_arm_it() {
        let mut vars = HashMap::new();
        run(&mut vars, None);
        apply(
            &mut vars,
            &assume("p", &creds(), None, None, None, &|_| None),
        );
        assert!(!vars.contains_key("RSUME_REFRESH_AT"), "{vars:?}");
        assert!(!vars.contains_key("RSUME_REFRESH_ARGS"), "{vars:?}");
        assert!(vars.contains_key("AWS_CREDENTIAL_EXPIRATION"));
    }

    #[test]
    fn prompt_tools_see_the_profile_and_expiry() {
        let mut vars = HashMap::new();
        run(&mut vars, None);
        assert_eq!(vars["AWSUME_PROFILE"], "p");
        assert_eq!(vars["AWSUME_EXPIRATION"], "2026-11-28T13:07:00Z");
        assert_eq!(vars["AWSUME_EXPIRATION"], vars["AWS_CREDENTIAL_EXPIRATION"]);
    }
}
