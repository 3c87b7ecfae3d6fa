use aws_sdk_sts::error::ErrorMetadata;
use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityError;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_types::body::SdkBody;

use aws_smithy_runtime_api::client::retries::classifiers::ClassifyRetry;

use super::*;

fn response(status: u16) -> HttpResponse {
    HttpResponse::new(status.try_into().unwrap(), SdkBody::empty())
}

fn service_error(code: Option<&str>) -> SdkError<GetCallerIdentityError, HttpResponse> {
    let mut meta = ErrorMetadata::builder().message("  the message  ");
    if let Some(code) = code {
        meta = meta.code(code);
    }
    SdkError::service_error(GetCallerIdentityError::generic(meta.build()), response(403))
}

#[test]
fn errors_are_sorted_the_same_way_for_every_service() {
    assert_eq!(
        Failure::of("STS", &service_error(Some("AccessDenied"))),
        Failure::Service {
            code: "AccessDenied".into(),
            message: "the message".into()
        }
    );
    assert_eq!(Failure::of("STS", &service_error(None)), Failure::BadReply);
    let timeout: SdkError<GetCallerIdentityError, HttpResponse> =
        SdkError::timeout_error(Box::new(std::io::Error::other("slow")));
    assert_eq!(Failure::of("IAM", &timeout), Failure::Timeout);
    let refused = SdkError::<GetCallerIdentityError, HttpResponse>::dispatch_failure(
        ConnectorError::io(Box::new(std::io::Error::other("connection refused"))),
    );
    assert_eq!(
        Failure::of("SSO portal", &refused),
        Failure::Unreachable("connection refused".into())
    );
    let timed_out = SdkError::<GetCallerIdentityError, HttpResponse>::dispatch_failure(
        ConnectorError::timeout(Box::new(std::io::Error::other("connect"))),
    );
    assert_eq!(Failure::of("SSO OIDC", &timed_out), Failure::Timeout);
}

#[test]
fn every_service_gets_the_region_endpoint_bounds_and_retry_rule() {
    let http = HttpSettings::default();
    let target = Target {
        region: "eu-west-1",
        endpoint: Some("http://127.0.0.1:9"),
        attempt_timeout: Duration::from_secs(3),
        http: &http,
    };
    let sts = config::<aws_sdk_sts::config::Builder>(&target)
        .unwrap()
        .build();
    assert_eq!(sts.region().map(|r| r.as_ref()), Some("eu-west-1"));
    let timeouts = sts.timeout_config().unwrap();
    assert_eq!(timeouts.connect_timeout(), Some(Duration::from_secs(3)));
    assert_eq!(
        timeouts.operation_attempt_timeout(),
        Some(Duration::from_secs(3))
    );
    assert_eq!(timeouts.operation_timeout(), Some(Duration::from_secs(14)));
    assert_eq!(sts.retry_config().unwrap().max_attempts(), 3);
    assert!(
        sts.retry_classifiers()
            .any(|c| c.name() == "distrusted certificate is final")
    );
    let sso = config::<aws_sdk_sso::config::Builder>(&target)
        .unwrap()
        .build();
    assert!(
        sso.retry_classifiers()
            .any(|c| c.name() == "distrusted certificate is final")
    );
    let oidc = config::<aws_sdk_ssooidc::config::Builder>(&target)
        .unwrap()
        .build();
    assert_eq!(oidc.region().map(|r| r.as_ref()), Some("eu-west-1"));
    let iam = config::<aws_sdk_iam::config::Builder>(&Target {
        attempt_timeout: ATTEMPT_TIMEOUT,
        ..target
    })
    .unwrap()
    .build();
    assert_eq!(
        iam.timeout_config().unwrap().operation_timeout(),
        Some(Duration::from_secs(35))
    );
}

#[test]
fn a_bad_ca_bundle_fails_every_client_before_any_call() {
    let http = HttpSettings {
        ca_bundle: Some(crate::http::Setting {
            value: "/nonexistent/bundle.pem".into(),
            origin: "from AWS_CA_BUNDLE".into(),
        }),
        ..HttpSettings::default()
    };
    let target = Target {
        region: "us-east-1",
        endpoint: None,
        attempt_timeout: ATTEMPT_TIMEOUT,
        http: &http,
    };
    let error = config::<aws_sdk_sso::config::Builder>(&target)
        .err()
        .unwrap()
        .to_string();
    assert!(error.contains("cannot read the CA bundle"), "{error}");
    assert!(config::<aws_sdk_ssooidc::config::Builder>(&target).is_err());
}

#[test]
fn the_app_id_goes_to_the_user_agent_when_the_sdk_accepts_it() {
    assert_eq!(app_name(None), None);
    assert_eq!(
        app_name(Some("my-team_1")).map(|a| a.to_string()),
        Some("my-team_1".into())
    );
    assert_eq!(app_name(Some("bad id with spaces")), None);
}

#[test]
fn there_is_one_runtime_while_anything_holds_it() {
    let first = runtime().unwrap();
    let second = runtime().unwrap();
    assert!(Arc::ptr_eq(&first, &second));
}
