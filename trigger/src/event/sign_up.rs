//! The PreSignUp event: the sign-up's flow, its user name, e-mail and phone, and the pool that
//! called, read through the common [`Header`]. The answer is the event untouched (the sign-up goes
//! on) or an error Cognito shows, so nothing is written into it.
//!
//! Reference: <https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-sign-up.html>

use serde::Deserialize;
use serde_json::Value;

use crate::event::Header;

/// Which sign-up invoked the trigger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignUpSource {
    /// `PreSignUp_SignUp`: self-service sign-up, the one that is checked.
    SignUp,
    /// `PreSignUp_AdminCreateUser`.
    AdminCreateUser,
    /// `PreSignUp_ExternalProvider`.
    ExternalProvider,
}

impl SignUpSource {
    /// Cognito's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SignUpSource::SignUp => "PreSignUp_SignUp",
            SignUpSource::AdminCreateUser => "PreSignUp_AdminCreateUser",
            SignUpSource::ExternalProvider => "PreSignUp_ExternalProvider",
        }
    }
}

/// What the companion needs from a PreSignUp event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignUpRequest {
    /// The flow.
    pub source: SignUpSource,
    /// The user name being created (`userName`).
    pub user_name: Option<String>,
    /// `request.userAttributes.email`.
    pub email: Option<String>,
    /// `request.userAttributes.phone_number`.
    pub phone_number: Option<String>,
    /// The new pool that called (`userPoolId`).
    pub user_pool_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRequest {
    #[serde(default)]
    user_attributes: Option<RawAttributes>,
}

#[derive(Deserialize)]
struct RawAttributes {
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    phone_number: Option<String>,
}

/// A value worth looking up: present and not blank.
fn present(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

impl SignUpRequest {
    /// Reads a PreSignUp event; `None` when it is not one (or cannot be read, which the caller
    /// treats as "refuse": see [`crate::sign_up::SignUpGuard::answer`]).
    pub fn parse(event: &Value) -> Option<SignUpRequest> {
        let raw = Header::<RawRequest>::read(event)?;
        let source = match raw.trigger_source.as_deref()? {
            "PreSignUp_SignUp" => SignUpSource::SignUp,
            "PreSignUp_AdminCreateUser" => SignUpSource::AdminCreateUser,
            "PreSignUp_ExternalProvider" => SignUpSource::ExternalProvider,
            _ => return None,
        };
        let attributes = raw.request.and_then(|r| r.user_attributes);
        let (email, phone_number) = match attributes {
            Some(a) => (a.email, a.phone_number),
            None => (None, None),
        };
        Some(SignUpRequest {
            source,
            user_name: present(raw.user_name),
            email: present(email),
            phone_number: present(phone_number),
            user_pool_id: raw.user_pool_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checked_in_event_parses() {
        let event: Value =
            serde_json::from_str(include_str!("../../fixtures/pre-sign-up.json")).unwrap();
        assert_eq!(
            SignUpRequest::parse(&event),
            Some(SignUpRequest {
                source: SignUpSource::SignUp,
                user_name: Some("ada".into()),
                email: Some("ada@example.com".into()),
                phone_number: Some("+15555550100".into()),
                user_pool_id: Some("us-east-1_NewPool1".into()),
            })
        );
    }
}
