//! The UserMigration event as Cognito sends it, and the response the trigger writes into it.
//!
//! The fields the trigger needs are read through the common [`Header`]
//! ([`MigrationRequest::parse`]), and the answer is either the event untouched ("no such user")
//! or the event with its `response` replaced ([`MigrationResponse::write_into`]).
//! Anything unexpected (missing fields, `null`s, wrong types, a 10 KB user name, control
//! characters, an unknown `triggerSource`) becomes an [`EventRejection`], never a panic.
//!
//! Reference: <https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-migrate-user.html>

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use shared::Secret;

use crate::event::{Header, with_response};

/// Longest user name the trigger looks up. Cognito user names are at most 128 characters, but an
/// alias (an email address) typed as the user name can be longer; 2048 is Cognito's limit for a
/// standard attribute value, so nothing legitimate is longer.
pub const MAX_USER_NAME_CHARS: usize = 2048;

/// Longest password Cognito accepts (`PasswordType`, 256 characters).
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Which of the two UserMigration flows invoked the trigger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TriggerSource {
    /// `UserMigration_Authentication`: sign-in with a password the new pool does not know yet.
    Authentication,
    /// `UserMigration_ForgotPassword`: a password reset for a user the new pool does not know.
    ForgotPassword,
}

impl TriggerSource {
    /// Cognito's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TriggerSource::Authentication => "UserMigration_Authentication",
            TriggerSource::ForgotPassword => "UserMigration_ForgotPassword",
        }
    }
}

/// What the trigger needs from one event, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationRequest {
    /// The flow.
    pub trigger_source: TriggerSource,
    /// The name the user typed: a user name or an alias (email, phone number).
    pub user_name: String,
    /// The typed password; always present for `TriggerSource::Authentication`, never for
    /// `TriggerSource::ForgotPassword`.
    pub password: Option<Secret>,
    /// The new pool that called the trigger (`userPoolId`), which names its tenant in a split.
    pub user_pool_id: Option<String>,
}

/// Why an event is not one the trigger can act on. Every rejection is answered like an unknown
/// user, so a caller cannot tell a malformed sign-in from a wrong password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventRejection {
    /// Not a JSON object, or a field has the wrong type.
    Malformed,
    /// `triggerSource` is missing or not a UserMigration source.
    UnknownTriggerSource,
    /// `userName` is missing, empty, too long, or contains whitespace or control characters.
    InvalidUserName,
    /// A sign-in event without a usable password (missing, empty or longer than Cognito allows).
    InvalidPassword,
}

impl EventRejection {
    /// The reason code logged for this rejection.
    pub fn code(self) -> &'static str {
        match self {
            EventRejection::Malformed => "malformed-event",
            EventRejection::UnknownTriggerSource => "unknown-trigger-source",
            EventRejection::InvalidUserName => "invalid-user-name",
            EventRejection::InvalidPassword => "invalid-password",
        }
    }
}

// The one request field the trigger reads; `validationData` and `clientMetadata` are ignored,
// and `null` reads as missing.
#[derive(Deserialize)]
struct RawRequest {
    #[serde(default)]
    password: Option<String>,
}

impl MigrationRequest {
    /// Reads and validates the fields the trigger needs. The serde error text is dropped on
    /// purpose: it can quote the offending value, and that value may be a password.
    pub fn parse(event: &Value) -> Result<MigrationRequest, EventRejection> {
        let raw = Header::<RawRequest>::read(event).ok_or(EventRejection::Malformed)?;
        let trigger_source = match raw.trigger_source.as_deref() {
            Some("UserMigration_Authentication") => TriggerSource::Authentication,
            Some("UserMigration_ForgotPassword") => TriggerSource::ForgotPassword,
            _ => return Err(EventRejection::UnknownTriggerSource),
        };
        let user_name = raw.user_name.unwrap_or_default();
        if !is_plausible_user_name(&user_name) {
            return Err(EventRejection::InvalidUserName);
        }
        let password = match trigger_source {
            TriggerSource::Authentication => {
                let password = raw.request.and_then(|r| r.password).unwrap_or_default();
                if password.is_empty() || password.chars().count() > MAX_PASSWORD_CHARS {
                    return Err(EventRejection::InvalidPassword);
                }
                Some(Secret::new(password))
            }
            TriggerSource::ForgotPassword => None,
        };
        Ok(MigrationRequest {
            trigger_source,
            user_name,
            password,
            user_pool_id: raw.user_pool_id,
        })
    }
}

/// Cognito user names match `[\p{L}\p{M}\p{S}\p{N}\p{P}]+` (no separators, no control
/// characters), and neither email addresses nor E.164 numbers contain whitespace either.
fn is_plausible_user_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= MAX_USER_NAME_CHARS
        && !name.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// The `response` object of a migrated user. Only the fields the trigger sets are written: an
/// absent field keeps Cognito's documented default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MigrationResponse {
    /// The user's attributes in the new pool (`custom:` prefixed where custom; never `sub`).
    pub user_attributes: BTreeMap<String, String>,
    /// `CONFIRMED` (keeps the typed password) or `RESET_REQUIRED`.
    pub final_user_status: FinalUserStatus,
    /// Always `SUPPRESS`: a migrated user gets no welcome message.
    pub message_action: MessageAction,
    /// Where the reset code goes (forgot-password only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub desired_delivery_mediums: Option<Vec<DeliveryMedium>>,
    /// Turns on SMS MFA for the new user (needs `phone_number` in `user_attributes`).
    #[serde(rename = "enableSMSMFA", skip_serializing_if = "Option::is_none")]
    pub enable_sms_mfa: Option<bool>,
}

/// `finalUserStatus` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FinalUserStatus {
    /// The user signs in with the password just typed.
    Confirmed,
    /// The user must set a new password through a reset code.
    ResetRequired,
}

/// `messageAction` values the trigger uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MessageAction {
    /// No welcome message.
    Suppress,
}

/// `desiredDeliveryMediums` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DeliveryMedium {
    /// By email.
    Email,
    /// By text message.
    Sms,
}

impl MigrationResponse {
    /// The event with its `response` replaced by this one. Everything else in the event is
    /// returned as Cognito sent it, as the trigger contract expects.
    pub fn write_into(&self, event: Value) -> Value {
        let response = serde_json::to_value(self).expect("a response of strings serialises");
        with_response(event, response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sign_in(user: Value, password: Value) -> Value {
        json!({
            "version": "1",
            "triggerSource": "UserMigration_Authentication",
            "region": "us-east-1",
            "userPoolId": "us-east-1_new",
            "userName": user,
            "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "abc"},
            "request": {"password": password, "validationData": null, "clientMetadata": null},
            "response": {"userAttributes": null, "finalUserStatus": null, "messageAction": null,
                         "desiredDeliveryMediums": null, "forceAliasCreation": null, "enableSMSMFA": null}
        })
    }

    /// The checked-in events: AWS's shape (version 1, every response field `null`), a
    /// forgot-password event, and an emulator's shape (version 0, `{}`/`[]` skeleton), which must parse
    /// too.
    const FIXTURES: [(&str, &str); 3] = [
        (
            "user-migration-authentication.json",
            include_str!("../../fixtures/user-migration-authentication.json"),
        ),
        (
            "user-migration-forgot-password.json",
            include_str!("../../fixtures/user-migration-forgot-password.json"),
        ),
        (
            "user-migration-authentication-cognito-local.json",
            include_str!("../../fixtures/user-migration-authentication-cognito-local.json"),
        ),
    ];

    #[test]
    fn fixtures_parse_and_round_trip() {
        for (name, text) in FIXTURES {
            let event: Value = serde_json::from_str(text).unwrap();
            let request =
                MigrationRequest::parse(&event).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert_eq!(
                request.password.is_some(),
                request.trigger_source == TriggerSource::Authentication,
                "{name}"
            );
            let response = MigrationResponse {
                user_attributes: [("email".to_string(), "a@example.com".to_string())].into(),
                final_user_status: FinalUserStatus::ResetRequired,
                message_action: MessageAction::Suppress,
                desired_delivery_mediums: None,
                enable_sms_mfa: None,
            };
            let answered = response.write_into(event.clone());
            let mut without_response = answered.clone();
            without_response["response"] = event["response"].clone();
            assert_eq!(without_response, event, "{name}: only the response changes");
            let reparsed: Value = serde_json::from_str(&answered.to_string()).unwrap();
            assert_eq!(reparsed, answered, "{name}");
        }
    }

    #[test]
    fn reads_a_sign_in_event() {
        let request =
            MigrationRequest::parse(&sign_in(json!("alice"), json!("Passw0rd!"))).unwrap();
        assert_eq!(request.trigger_source, TriggerSource::Authentication);
        assert_eq!(request.user_name, "alice");
        assert_eq!(request.password.unwrap().expose(), "Passw0rd!");
    }

    #[test]
    fn reads_a_forgot_password_event_without_password_or_request() {
        let event = json!({"triggerSource": "UserMigration_ForgotPassword", "userName": "bob"});
        let request = MigrationRequest::parse(&event).unwrap();
        assert_eq!(request.trigger_source, TriggerSource::ForgotPassword);
        assert!(request.password.is_none());
    }

    #[test]
    fn rejects_what_it_cannot_act_on_without_panicking() {
        let cases = [
            (json!(null), EventRejection::Malformed),
            (json!([1, 2]), EventRejection::Malformed),
            (json!("text"), EventRejection::Malformed),
            (sign_in(json!(42), json!("pw")), EventRejection::Malformed),
            (
                sign_in(json!("alice"), json!({"nested": true})),
                EventRejection::Malformed,
            ),
            (
                json!({"triggerSource": "PreSignUp_SignUp", "userName": "a"}),
                EventRejection::UnknownTriggerSource,
            ),
            (
                json!({"triggerSource": null, "userName": "a"}),
                EventRejection::UnknownTriggerSource,
            ),
            (
                sign_in(json!(null), json!("pw")),
                EventRejection::InvalidUserName,
            ),
            (
                sign_in(json!(""), json!("pw")),
                EventRejection::InvalidUserName,
            ),
            (
                sign_in(json!("a".repeat(10 * 1024)), json!("pw")),
                EventRejection::InvalidUserName,
            ),
            (
                sign_in(json!("ali\u{0}ce"), json!("pw")),
                EventRejection::InvalidUserName,
            ),
            (
                sign_in(json!("ali ce"), json!("pw")),
                EventRejection::InvalidUserName,
            ),
            (
                sign_in(json!("alice\n"), json!("pw")),
                EventRejection::InvalidUserName,
            ),
            (
                sign_in(json!("alice"), json!(null)),
                EventRejection::InvalidPassword,
            ),
            (
                sign_in(json!("alice"), json!("")),
                EventRejection::InvalidPassword,
            ),
            (
                sign_in(json!("alice"), json!("p".repeat(257))),
                EventRejection::InvalidPassword,
            ),
        ];
        for (event, expected) in cases {
            assert_eq!(MigrationRequest::parse(&event), Err(expected), "{event}");
        }
    }

    #[test]
    fn accepts_unicode_names_and_passwords_with_spaces() {
        let request =
            MigrationRequest::parse(&sign_in(json!("zoë@example.com"), json!("correct horse")))
                .unwrap();
        assert_eq!(request.user_name, "zoë@example.com");
    }

    #[test]
    fn response_replaces_only_the_response_and_omits_unset_fields() {
        let event = sign_in(json!("alice"), json!("pw"));
        let response = MigrationResponse {
            user_attributes: [("email".to_string(), "a@example.com".to_string())].into(),
            final_user_status: FinalUserStatus::Confirmed,
            message_action: MessageAction::Suppress,
            desired_delivery_mediums: None,
            enable_sms_mfa: Some(true),
        };
        let answered = response.write_into(event.clone());
        assert_eq!(
            answered["response"],
            json!({"userAttributes": {"email": "a@example.com"}, "finalUserStatus": "CONFIRMED",
                   "messageAction": "SUPPRESS", "enableSMSMFA": true})
        );
        assert_eq!(answered["userName"], event["userName"]);
        assert_eq!(answered["callerContext"], event["callerContext"]);
    }

    #[test]
    fn delivery_mediums_use_cognito_spelling() {
        let response = MigrationResponse {
            user_attributes: BTreeMap::new(),
            final_user_status: FinalUserStatus::ResetRequired,
            message_action: MessageAction::Suppress,
            desired_delivery_mediums: Some(vec![DeliveryMedium::Email, DeliveryMedium::Sms]),
            enable_sms_mfa: None,
        };
        let value = serde_json::to_value(&response).unwrap();
        assert_eq!(value["desiredDeliveryMediums"], json!(["EMAIL", "SMS"]));
        assert_eq!(value["finalUserStatus"], json!("RESET_REQUIRED"));
        assert!(value.get("enableSMSMFA").is_none());
    }
}
