//! The chain and the cache decorator against an in-memory STS: no network, no process.

use std::cell::{Cell, RefCell};
use std::time::{Duration, SystemTime};

use super::*;
use crate::cache::Cache;
use crate::credentials::{Credentials, Secret};
use crate::mfa::{CodeSource, MfaCode};
use crate::sts::{RoleRequest, StsCalls, StsError, WebIdentityRequest};

const ALICE_MFA: &str = "arn:aws:iam::1:mfa/alice";

/// Answers like STS and records every call, signer and code.
#[derive(Default)]
struct MemorySts {
    calls: RefCell<Vec<String>>,
    connects: Cell<u32>,
    /// This many codes are rejected before one is taken.
    codes_to_reject: Cell<u32>,
    /// What the replies claim as lifetime instead of the duration asked for.
    claimed_lifetime: Cell<Option<Duration>>,
    /// Replies with an empty secret, which rsume must refuse.
    empty_secret: Cell<bool>,
}

impl MemorySts {
    fn reply(&self, asked: u32) -> Credentials {
        let n = self.calls.borrow().len();
        let lifetime = self
            .claimed_lifetime
            .get()
            .unwrap_or(Duration::from_secs(asked.into()));
        Credentials {
            access_key_id: format!("ASIA{n}"),
            secret_access_key: Secret::new(if self.empty_secret.get() { "" } else { "s" }),
            session_token: Some(Secret::new(format!("token-{n}"))),
            expiration: Some(SystemTime::now() + lifetime),
        }
    }

    fn calls(&self) -> Vec<String> {
        self.calls.borrow().clone()
    }
}

impl StsCalls for &MemorySts {
    fn session_token(
        &self,
        source: &Credentials,
        duration: u32,
        mfa: Option<(&str, &MfaCode)>,
    ) -> Result<Credentials, StsError> {
        let code = mfa.map_or("-", |(_, code)| code.expose());
        self.calls.borrow_mut().push(format!(
            "GetSessionToken by {} with {code}",
            source.access_key_id
        ));
        if self.codes_to_reject.get() > 0 {
            self.codes_to_reject.set(self.codes_to_reject.get() - 1);
            return Err(StsError::MfaRejected);
        }
        Ok(self.reply(duration))
    }

    fn assume_role(
        &self,
        source: &Credentials,
        role: &RoleRequest<'_>,
    ) -> Result<Credentials, StsError> {
        let code = role
            .mfa
            .map(|(_, code)| format!(" with {}", code.expose()))
            .unwrap_or_default();
        self.calls.borrow_mut().push(format!(
            "AssumeRole {} by {}{code}",
            role.role_arn, source.access_key_id
        ));
        if role.mfa.is_some() && self.codes_to_reject.get() > 0 {
            self.codes_to_reject.set(self.codes_to_reject.get() - 1);
            return Err(StsError::MfaRejected);
        }
        Ok(self.reply(role.duration.unwrap_or(ROLE_DEFAULT_DURATION)))
    }

    fn assume_role_with_web_identity(
        &self,
        request: &WebIdentityRequest<'_>,
    ) -> Result<Credentials, StsError> {
        self.calls.borrow_mut().push(format!(
            "AssumeRoleWithWebIdentity {} with {}",
            request.role_arn, request.token
        ));
        Ok(self.reply(request.duration.unwrap_or(ROLE_DEFAULT_DURATION)))
    }
}

fn alice() -> StaticKeys {
    StaticKeys {
        profile: Some("alice".into()),
        credentials: Credentials {
            access_key_id: "AKIAALICE".into(),
            secret_access_key: Secret::new("secret"),
            session_token: None,
            expiration: None,
        },
    }
}

fn session(source: impl Provider + 'static) -> Cached {
    Cached::hop(SessionToken {
        session: Session {
            profile: "alice".into(),
            serial: ALICE_MFA.into(),
            duration: SESSION_DURATION_DEFAULT,
        },
        endpoint: String::new(),
        source: Box::new(source),
    })
}

fn role(name: &str, duration: Option<u32>, source: impl Provider + 'static) -> Cached {
    assume(named_role(name, duration), source)
}

fn named_role(name: &str, duration: Option<u32>) -> Role {
    Role {
        profile: name.into(),
        role_arn: format!("arn:aws:iam::1:role/{name}"),
        external_id: None,
        session_name: default_session_name(name),
        duration,
        mfa_serial: None,
        scope: Default::default(),
    }
}

fn assume(role: Role, source: impl Provider + 'static) -> Cached {
    Cached::hop(AssumeRole {
        role,
        endpoint: String::new(),
        source: Box::new(source),
    })
}

/// alice's keys -> her MFA session -> the role `name`.
fn admin(name: &str) -> Cached {
    role(name, None, session(alice()))
}

/// Codes as a person types them: 100001, 100002, ...; `asked` counts them.
fn typed(asked: &Cell<u32>) -> CodeSource<'_> {
    CodeSource::new(
        |_| {
            asked.set(asked.get() + 1);
            MfaCode::parse(&format!("{}", 100_000 + asked.get()))
        },
        true,
    )
}

struct Setup {
    sts: MemorySts,
    dir: tempfile::TempDir,
    asked: Cell<u32>,
}

impl Setup {
    fn new() -> Setup {
        Setup {
            sts: MemorySts::default(),
            dir: tempfile::tempdir().unwrap(),
            asked: Cell::new(0),
        }
    }

    fn cache(&self) -> Cache {
        Cache::open(self.dir.path().join("cache")).unwrap()
    }

    fn get(&self, provider: &dyn Provider, policy: &CachePolicy) -> Result<Fetched, VaultError> {
        let cache = self.cache();
        let mut codes = typed(&self.asked);
        self.run(provider, &mut codes, Some(&cache), policy)
    }

    fn run(
        &self,
        provider: &dyn Provider,
        codes: &mut CodeSource<'_>,
        cache: Option<&Cache>,
        policy: &CachePolicy,
    ) -> Result<Fetched, VaultError> {
        let sts = &self.sts;
        let mut run = Run {
            codes,
            cache,
            policy,
            sts: None,
            runtime: None,
            connect: Some(Box::new(move || {
                sts.connects.set(sts.connects.get() + 1);
                Ok(Box::new(sts))
            })),
        };
        provider.retrieve(&mut run)
    }
}

/// A source that must not be run: what a role whose root is a process or SSO needs from a
/// cache hit.
struct Tripwire {
    runs: std::rc::Rc<Cell<u32>>,
}

impl Provider for Tripwire {
    fn identity(&self) -> Identity {
        Identity::access_key("AKIATRIPWIRE")
    }

    fn describe(&self) -> String {
        "tripwire".into()
    }

    fn kind(&self) -> Option<EntryKind> {
        None
    }

    fn retrieve(&self, run: &mut Run<'_, '_>) -> Result<Fetched, VaultError> {
        self.runs.set(self.runs.get() + 1);
        alice().retrieve(run)
    }
}

#[test]
fn a_miss_calls_sts_once_per_step_then_the_entry_serves_without_sts() {
    let setup = Setup::new();
    let first = setup.get(&admin("admin"), &CachePolicy::default()).unwrap();
    assert!(!first.cached);
    assert_eq!(
        setup.sts.calls(),
        [
            "GetSessionToken by AKIAALICE with 100001",
            "AssumeRole arn:aws:iam::1:role/admin by ASIA1",
        ]
    );
    let second = setup.get(&admin("admin"), &CachePolicy::default()).unwrap();
    assert!(second.cached);
    // The entry keeps the expiry to the second.
    let (got, want) = (&second.credentials, &first.credentials);
    assert_eq!(got.access_key_id, want.access_key_id);
    assert_eq!(got.session_token, want.session_token);
    assert_eq!(
        crate::time::rfc3339(got.expiration.unwrap()),
        crate::time::rfc3339(want.expiration.unwrap())
    );
    assert_eq!(setup.sts.calls().len(), 2);
    assert_eq!(setup.sts.connects.get(), 1, "a hit connects to nothing");
    assert_eq!(setup.asked.get(), 1);
}

#[test]
fn a_cache_hit_never_runs_the_source() {
    let setup = Setup::new();
    let runs = std::rc::Rc::new(Cell::new(0));
    let chain = || role("admin", None, Tripwire { runs: runs.clone() });
    setup.get(&chain(), &CachePolicy::default()).unwrap();
    assert_eq!(runs.get(), 1);
    let hit = setup.get(&chain(), &CachePolicy::default()).unwrap();
    assert!(hit.cached);
    assert_eq!(runs.get(), 1, "the source ran on a cache hit");
}

#[test]
fn one_mfa_session_serves_two_roles() {
    let setup = Setup::new();
    setup.get(&admin("admin"), &CachePolicy::default()).unwrap();
    setup
        .get(&admin("readonly"), &CachePolicy::default())
        .unwrap();
    assert_eq!(setup.asked.get(), 1);
    assert_eq!(
        setup.sts.calls(),
        [
            "GetSessionToken by AKIAALICE with 100001",
            "AssumeRole arn:aws:iam::1:role/admin by ASIA1",
            "AssumeRole arn:aws:iam::1:role/readonly by ASIA1",
        ]
    );
}

#[test]
fn an_entry_within_the_margin_is_fetched_again_unless_the_margin_is_lowered() {
    let setup = Setup::new();
    // Ten minutes left is under the role margin of fifteen and at the session's ten.
    setup
        .sts
        .claimed_lifetime
        .set(Some(Duration::from_secs(600)));
    setup.get(&admin("admin"), &CachePolicy::default()).unwrap();
    let again = setup.get(&admin("admin"), &CachePolicy::default()).unwrap();
    assert!(!again.cached);
    assert_eq!(setup.sts.calls().len(), 4, "{:?}", setup.sts.calls());
    assert_eq!(setup.asked.get(), 2);
    let lowered = CachePolicy {
        margin: Some(Duration::from_secs(60)),
        ..CachePolicy::default()
    };
    assert!(setup.get(&admin("admin"), &lowered).unwrap().cached);
    assert_eq!(setup.sts.calls().len(), 4);
}

#[test]
fn refresh_skips_the_role_entry_and_refresh_mfa_the_session_too() {
    let setup = Setup::new();
    setup.get(&admin("admin"), &CachePolicy::default()).unwrap();
    let roles = CachePolicy {
        refresh_roles: true,
        ..CachePolicy::default()
    };
    assert!(!setup.get(&admin("admin"), &roles).unwrap().cached);
    assert_eq!(setup.asked.get(), 1, "--refresh keeps the MFA session");
    assert_eq!(setup.sts.calls().len(), 3);
    let mfa = CachePolicy {
        refresh_mfa: true,
        ..CachePolicy::default()
    };
    setup.get(&admin("admin"), &mfa).unwrap();
    assert_eq!(setup.asked.get(), 2, "--refresh-mfa asks for a new code");
    assert_eq!(
        setup.sts.calls()[3..],
        [
            "GetSessionToken by AKIAALICE with 100002",
            "AssumeRole arn:aws:iam::1:role/admin by ASIA4",
        ]
    );
}

#[test]
fn a_rejected_code_is_asked_again_at_the_terminal_up_to_three_times() {
    let setup = Setup::new();
    setup.sts.codes_to_reject.set(1);
    setup.get(&admin("admin"), &CachePolicy::default()).unwrap();
    assert_eq!(setup.asked.get(), 2);
    assert_eq!(
        setup.sts.calls()[1],
        "GetSessionToken by AKIAALICE with 100002"
    );

    let always = Setup::new();
    always.sts.codes_to_reject.set(99);
    let error = always
        .get(&admin("admin"), &CachePolicy::default())
        .err()
        .unwrap();
    assert!(error.is_rejected_code(), "{error}");
    assert!(error.to_string().contains(ALICE_MFA), "{error}");
    assert_eq!(always.asked.get(), 3);
    assert!(always.cache().list().unwrap().is_empty());
}

#[test]
fn mfa_on_a_role_sends_the_code_with_assume_role_and_asks_again_when_rejected() {
    let setup = Setup::new();
    setup.sts.codes_to_reject.set(1);
    let mut with_device = named_role("admin", None);
    with_device.mfa_serial = Some(ALICE_MFA.into());
    let admin = assume(with_device, alice());
    setup.get(&admin, &CachePolicy::default()).unwrap();
    assert_eq!(
        setup.sts.calls(),
        [
            "AssumeRole arn:aws:iam::1:role/admin by AKIAALICE with 100001",
            "AssumeRole arn:aws:iam::1:role/admin by AKIAALICE with 100002",
        ]
    );
    // Cached like any role: no code, no call.
    assert!(setup.get(&admin, &CachePolicy::default()).unwrap().cached);
    assert_eq!(setup.asked.get(), 2);
}

#[test]
fn a_code_from_the_command_line_is_not_asked_again() {
    let setup = Setup::new();
    setup.sts.codes_to_reject.set(1);
    let mut flag = crate::mfa::from_flag("123456").unwrap();
    let cache = setup.cache();
    let error = setup
        .run(
            &admin("admin"),
            &mut flag,
            Some(&cache),
            &CachePolicy::default(),
        )
        .err()
        .unwrap();
    assert!(error.is_rejected_code(), "{error}");
    assert_eq!(setup.sts.calls().len(), 1);
}

#[test]
fn a_reply_is_held_to_the_lifetime_asked_for() {
    let setup = Setup::new();
    setup
        .sts
        .claimed_lifetime
        .set(Some(Duration::from_secs(99 * 365 * 86_400)));
    let fetched = setup
        .get(&role("admin", Some(900), alice()), &CachePolicy::default())
        .unwrap();
    let left = crate::time::seconds_left(fetched.credentials.expiration.unwrap());
    assert!((890..=900).contains(&left), "{left}");
}

#[test]
fn an_unusable_reply_is_an_error_and_never_cached() {
    let setup = Setup::new();
    setup.sts.empty_secret.set(true);
    let error = setup
        .get(&admin("admin"), &CachePolicy::default())
        .err()
        .unwrap();
    assert!(matches!(error, VaultError::Unusable { .. }), "{error}");
    assert!(error.to_string().contains(ALICE_MFA), "{error}");
    assert!(setup.cache().list().unwrap().is_empty());
}

#[test]
fn without_a_cache_every_run_calls_sts() {
    let setup = Setup::new();
    for _ in 0..2 {
        let mut codes = typed(&setup.asked);
        let fetched = setup
            .run(&admin("admin"), &mut codes, None, &CachePolicy::default())
            .unwrap();
        assert!(!fetched.cached);
    }
    assert_eq!(setup.sts.calls().len(), 4);
    assert_eq!(setup.asked.get(), 2);
}

#[test]
fn long_term_keys_are_served_as_they_are() {
    let setup = Setup::new();
    let fetched = setup.get(&alice(), &CachePolicy::default()).unwrap();
    assert_eq!(fetched.credentials.access_key_id, "AKIAALICE");
    assert!(!fetched.cached);
    assert_eq!(setup.sts.connects.get(), 0);
    assert!(setup.cache().list().unwrap().is_empty());
}

#[test]
fn describe_shows_the_chain_root_first() {
    assert_eq!(
        admin("admin").describe(),
        format!(
            "keys of 'alice' -> MFA session with {ALICE_MFA} for 43200 s -> assume arn:aws:iam::1:role/admin as rsume-admin"
        )
    );
}
