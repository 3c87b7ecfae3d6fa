//! A profile whose credentials come from IAM Identity Center: `sso_session` with an
//! `[sso-session NAME]` section, or the legacy `sso_start_url` in the profile itself.

use super::{ResolveError, Source};
use crate::config::{Profile, ProfileSet};
use crate::http::{self, Service};
use crate::variables;
use crate::vault::SsoRole;

/// The SSO role a profile names (with `sso_session`, else the legacy `sso_start_url`).
/// Every setting aws-config's provider insists on is checked here, so a missing one is a
/// clear error, not a panic.
pub(super) fn sso_source(
    set: &ProfileSet,
    profile: &Profile,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Source, ResolveError> {
    let (session, start_url, region) = if let Some(name) = profile.get("sso_session") {
        let section = set
            .sso_session(name)
            .ok_or_else(|| ResolveError::MissingSsoSession {
                profile: profile.name().into(),
                session: name.into(),
                location: profile.location("sso_session"),
            })?;
        let place = format!("[sso-session {name}]");
        (
            Some(name.to_owned()),
            setting(profile, section, "sso_start_url", &place, "sso_session")?,
            setting(profile, section, "sso_region", &place, "sso_session")?,
        )
    } else {
        let place = "it";
        (
            None,
            setting(profile, profile, "sso_start_url", place, "sso_start_url")?,
            setting(profile, profile, "sso_region", place, "sso_start_url")?,
        )
    };
    let place = "it";
    let anchor = if session.is_some() {
        "sso_session"
    } else {
        "sso_start_url"
    };
    let (endpoint, oidc_endpoint) = endpoints(profile, env, session.is_some())?;
    Ok(Source::Sso(SsoRole {
        profile: profile.name().into(),
        account_id: setting(profile, profile, "sso_account_id", place, anchor)?,
        role_name: setting(profile, profile, "sso_role_name", place, anchor)?,
        session,
        start_url,
        region,
        endpoint,
        oidc_endpoint,
        http: Default::default(),
    }))
}

/// The portal's endpoint override (empty for none) and SSO OIDC's (for an `sso_session`,
/// whose token is refreshed), as aws-config reads them: the service's variable, else
/// `AWS_ENDPOINT_URL`. The portal gets the SSO access token, SSO OIDC the client secret and
/// refresh token: both keep the plain-HTTP rule.
fn endpoints(
    profile: &Profile,
    env: &dyn Fn(&str) -> Option<String>,
    refreshes: bool,
) -> Result<(String, Option<String>), ResolveError> {
    let allow_http = http::http_allowed(env);
    let found = |specific: &'static str| {
        [specific, "AWS_ENDPOINT_URL"]
            .into_iter()
            .find_map(|name| variables::read(env, name).map(|url| (url, name)))
    };
    let portal = found("AWS_ENDPOINT_URL_SSO");
    let oidc = refreshes
        .then(|| found("AWS_ENDPOINT_URL_SSO_OIDC"))
        .flatten();
    for (service, (url, name)) in [(Service::Sso, &portal), (Service::SsoOidc, &oidc)]
        .into_iter()
        .filter_map(|(service, found)| Some((service, found.as_ref()?)))
    {
        http::check_endpoint(
            service,
            url,
            &format_args!("from {name}"),
            Some(profile.name()),
            allow_http,
        )?;
    }
    Ok((
        portal.map(|(url, _)| url).unwrap_or_default(),
        oidc.map(|(url, _)| url),
    ))
}

/// `key` from `section`, not empty; else an error pointing at the line that made the
/// profile an SSO profile (`anchor`).
fn setting(
    profile: &Profile,
    section: &Profile,
    key: &'static str,
    place: &str,
    anchor: &str,
) -> Result<String, ResolveError> {
    section
        .get(key)
        .filter(|value| !value.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| ResolveError::MissingSsoSetting {
            profile: profile.name().into(),
            place: place.into(),
            key,
            location: profile.location(anchor),
        })
}

#[cfg(test)]
mod tests {
    use crate::config::{ProfileFiles, parse};
    use crate::resolve::{Overrides, Plan, ResolveError, Source, Step, plan};

    const CONFIG: &str = "\
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Developer

[profile legacy]
sso_start_url = https://old.awsapps.com/start
sso_region = us-east-2
sso_account_id = 222222222222
sso_role_name = ReadOnly

[profile admin]
role_arn = arn:aws:iam::333333333333:role/admin
source_profile = dev
mfa_serial = arn:aws:iam::111111111111:mfa/me

[profile norole]
sso_session = corp
sso_account_id = 111111111111

[profile nosession]
sso_session = gone
sso_account_id = 1
sso_role_name = r
";

    fn plan_of(name: &str) -> Result<Plan, ResolveError> {
        let set = parse(&ProfileFiles::from_strings(CONFIG, "")).unwrap();
        plan(&set, name, &Overrides::default(), &|_| None)
    }

    fn sso(plan: &Plan) -> &crate::vault::SsoRole {
        match &plan.source {
            Source::Sso(role) => role,
            other => panic!("not SSO: {other:?}"),
        }
    }

    #[test]
    fn a_session_profile_takes_url_and_region_from_its_section() {
        let plan = plan_of("dev").unwrap();
        let role = sso(&plan);
        assert_eq!(role.session.as_deref(), Some("corp"));
        assert_eq!(role.start_url, "https://corp.awsapps.com/start");
        assert_eq!(role.region, "eu-west-1");
        assert_eq!(
            (&*role.account_id, &*role.role_name),
            ("111111111111", "Developer")
        );
        assert_eq!(role.login_command(), "aws sso login --sso-session corp");
        assert!(plan.steps.is_empty());
    }

    #[test]
    fn the_legacy_form_is_read_from_the_profile() {
        let plan = plan_of("legacy").unwrap();
        let role = sso(&plan);
        assert_eq!(role.session, None);
        assert_eq!(role.start_url, "https://old.awsapps.com/start");
        assert_eq!(role.region, "us-east-2");
        assert_eq!(role.login_command(), "aws sso login --profile legacy");
    }

    #[test]
    fn mfa_above_an_sso_root_goes_to_the_role_not_a_session() {
        let plan = plan_of("admin").unwrap();
        assert_eq!(sso(&plan).profile, "dev");
        match &plan.steps[..] {
            [Step::AssumeRole(role)] => assert_eq!(
                role.mfa_serial.as_deref(),
                Some("arn:aws:iam::111111111111:mfa/me")
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_missing_setting_is_named_with_file_and_line() {
        let error = plan_of("norole").unwrap_err().to_string();
        assert!(error.contains("'norole'"), "{error}");
        assert!(error.contains("sso_role_name"), "{error}");
        assert!(
            error.contains(":23) but it has no sso_role_name"),
            "{error}"
        );
        let error = plan_of("nosession").unwrap_err().to_string();
        assert!(error.contains("[sso-session gone]"), "{error}");
    }
}
