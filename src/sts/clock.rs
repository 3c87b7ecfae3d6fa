//! The STS server's clock, read from the `Date` header of every reply (errors included), so
//! a rejected MFA code or `rsume doctor` can say how far the local clock is off. The header
//! has whole seconds, so offsets of a second or two are noise.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use aws_sdk_sts::config::interceptors::BeforeDeserializationInterceptorContextRef;
use aws_sdk_sts::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_sts::error::BoxError;
use aws_sdk_sts::primitives::{DateTime, DateTimeFormat};

use crate::time;

/// An offset this small is within the header's resolution and the time on the wire.
pub const CLOCK_NOISE_SECONDS: i64 = 2;

/// Seconds the server's clock is ahead of ours (negative: behind), from the last reply.
#[derive(Clone, Debug, Default)]
pub struct ServerClock(Arc<Mutex<Option<i64>>>);

impl ServerClock {
    pub fn offset(&self) -> Option<i64> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Intercept for ServerClock {
    fn name(&self) -> &'static str {
        "rsume::ServerClock"
    }

    fn read_before_deserialization(
        &self,
        context: &BeforeDeserializationInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let received = SystemTime::now();
        let server = context
            .response()
            .headers()
            .get("date")
            .and_then(|text| DateTime::from_str(text, DateTimeFormat::HttpDate).ok())
            .and_then(|at| SystemTime::try_from(at).ok());
        if let Some(server) = server {
            let offset = time::epoch_seconds(server) - time::epoch_seconds(received);
            *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(offset);
        }
        Ok(())
    }
}

/// "the local clock is 95 s behind AWS's", or nothing for an offset within the noise.
pub fn describe_offset(offset: i64) -> Option<String> {
    if offset.abs() <= CLOCK_NOISE_SECONDS {
        return None;
    }
    let direction = if offset > 0 { "behind" } else { "ahead of" };
    Some(format!(
        "this computer's clock is {} s {direction} AWS's",
        offset.abs()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_within_the_noise_are_not_mentioned() {
        assert_eq!(describe_offset(0), None);
        assert_eq!(describe_offset(-2), None);
        assert_eq!(
            describe_offset(95).as_deref(),
            Some("this computer's clock is 95 s behind AWS's")
        );
        assert_eq!(
            describe_offset(-40).as_deref(),
            Some("this computer's clock is 40 s ahead of AWS's")
        );
    }
}
