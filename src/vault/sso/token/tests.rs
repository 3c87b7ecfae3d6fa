use std::time::{Duration, SystemTime};

use super::*;

const HOUR: Duration = Duration::from_secs(3600);

fn token(json: &str) -> Result<CachedToken, String> {
    parse(Path::new("/cache/x.json"), json.as_bytes())
}

fn with_registration(expires: SystemTime, registration: SystemTime) -> String {
    format!(
        r#"{{"accessToken":"at","expiresAt":"{}","clientId":"id","clientSecret":"cs","refreshToken":"rt","registrationExpiresAt":"{}"}}"#,
        time::rfc3339(expires),
        time::rfc3339(registration)
    )
}

#[test]
fn the_file_is_named_after_the_sha1_of_the_session_or_start_url() {
    // The digests `aws sso login` uses (sha1sum of the bare string).
    assert_eq!(
        path(Path::new("/h"), "corp"),
        Path::new("/h/.aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json")
    );
}

#[test]
fn a_session_token_is_refreshed_within_five_minutes_of_expiry_with_a_live_registration() {
    let now = SystemTime::now();
    let later = now + 30 * 24 * HOUR;
    let next = |expires, registration| {
        token(&with_registration(expires, registration))
            .unwrap()
            .next(now, true)
    };
    assert_eq!(next(now + HOUR, later), Next::Use);
    assert_eq!(next(now + Duration::from_secs(299), later), Next::Refresh);
    assert_eq!(next(now - HOUR, later), Next::Refresh);
    // A registration that has expired cannot refresh: a token still valid is used.
    assert_eq!(next(now + Duration::from_secs(60), now - HOUR), Next::Use);
    assert_eq!(next(now - HOUR, now - HOUR), Next::Expired);
    // Without a registration at all.
    let bare = format!(
        r#"{{"accessToken":"at","expiresAt":"{}"}}"#,
        time::rfc3339(now - HOUR)
    );
    assert_eq!(token(&bare).unwrap().next(now, true), Next::Expired);
    // The legacy form's token goes to the portal as it is.
    assert_eq!(token(&bare).unwrap().next(now, false), Next::Use);
}

#[test]
fn fields_are_read_in_any_case_and_a_bad_file_says_what_is_wrong() {
    let cached = token(r#"{"ACCESSTOKEN":"at","expiresat":"2030-01-01T00:00:00Z"}"#).unwrap();
    assert_eq!(cached.access_token.expose(), "at");
    assert!(cached.registration().is_none());
    for (json, problem) in [
        ("[]", "not a JSON object"),
        ("{", "not a JSON object"),
        (r#"{"expiresAt":"2030-01-01T00:00:00Z"}"#, "no accessToken"),
        (r#"{"accessToken":"at"}"#, "no expiresAt"),
        (
            r#"{"accessToken":"at","expiresAt":"soon"}"#,
            "expiresAt is not a date",
        ),
    ] {
        let error = token(json).err().unwrap();
        assert!(error.contains(problem), "{json}: {error}");
    }
}

#[test]
fn a_renewed_token_keeps_every_other_field() {
    let now = SystemTime::now();
    let json = r#"{"accessToken":"old","expiresAt":"2020-01-01T00:00:00Z","clientId":"id","clientSecret":"cs","refreshToken":"rt","registrationExpiresAt":"2099-01-01T00:00:00Z","region":"us-east-1","scopes":["sso:account:access"],"unknown":7}"#;
    let renewed = token(json)
        .unwrap()
        .renewed(
            Renewed {
                access_token: Secret::new("new"),
                expires_in: 3600,
                refresh_token: None,
            },
            now,
            "eu-west-1",
            "https://corp/start",
        )
        .unwrap();
    assert_eq!(renewed.access_token.expose(), "new");
    assert_eq!(renewed.next(now, true), Next::Use);
    let fields = &renewed.fields;
    assert_eq!(field(fields, "accessToken"), Some("new"));
    assert_eq!(
        field(fields, "expiresAt").map(str::to_owned),
        Some(time::rfc3339(now + HOUR))
    );
    assert_eq!(field(fields, "refreshToken"), Some("rt"));
    assert_eq!(field(fields, "clientSecret"), Some("cs"));
    assert_eq!(field(fields, "region"), Some("eu-west-1"));
    assert_eq!(field(fields, "startUrl"), Some("https://corp/start"));
    assert_eq!(fields["scopes"], serde_json::json!(["sso:account:access"]));
    assert_eq!(fields["unknown"], serde_json::json!(7));
    // A rotated refresh token replaces the old one; a negative expiry is no token.
    let rotated = token(json).unwrap().renewed(
        Renewed {
            access_token: Secret::new("new"),
            expires_in: 60,
            refresh_token: Some(Secret::new("rt2")),
        },
        now,
        "eu-west-1",
        "u",
    );
    assert_eq!(field(&rotated.unwrap().fields, "refreshToken"), Some("rt2"));
    let negative = token(json).unwrap().renewed(
        Renewed {
            access_token: Secret::new("new"),
            expires_in: -1,
            refresh_token: None,
        },
        now,
        "eu-west-1",
        "u",
    );
    assert!(negative.is_none());
}
